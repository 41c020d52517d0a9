"""The home page and the health check."""

import pytest

from qpmusic.enums import EditionPhase
from tests.conftest import make_app
from tests.factories import EditionFactory
from tests.translations import translated


def test_home_shows_the_open_call_in_the_visitors_language(client):
    EditionFactory(year=2031)

    response = client.get("/?lang=fr")

    assert "Prix de musique QuattroPole 2031" in response.text
    assert translated("Create an account to apply", "fr") in response.text


def test_home_without_a_call_says_so(client):
    EditionFactory(phase=EditionPhase.DRAFT)

    response = client.get("/?lang=en")

    assert "No open call at the moment" in response.text


def test_healthz_reports_database_and_eager_tasks(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_reports_a_reachable_broker(test_config, monkeypatch):
    from tests.services import REDIS_URL

    monkeypatch.setenv("QPMUSIC_BROKER_URL", REDIS_URL)
    response = make_app(test_config).test_client().get("/healthz")

    assert response.status_code == 200
    assert response.json["broker"] == "ok"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
def test_healthz_fails_when_the_broker_is_down(test_config, monkeypatch, url):
    monkeypatch.setenv("QPMUSIC_BROKER_URL", url)
    response = make_app(test_config).test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["broker"].startswith("error")
