"""Error pages speak the visitor's language."""

import pytest
from flask import abort

from qpmusic.enums import Role
from tests.conftest import Auth
from tests.factories import UserFactory
from tests.translations import translated


@pytest.fixture
def failing_app(test_config):
    from tests.conftest import make_app

    app = make_app(test_config)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/_boom/<int:code>")
    def boom(code):
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    return app


@pytest.mark.parametrize(
    "code, title",
    [
        (400, "Bad request"),
        (403, "Access denied"),
        (404, "Page not found"),
        (413, "File too large"),
        (429, "Too many attempts"),
        (500, "Something went wrong"),
    ],
)
@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_error_pages_are_translated(failing_app, code, title, language):
    response = failing_app.test_client().get(
        f"/_boom/{code}", headers={"Accept-Language": language}
    )

    assert response.status_code == code
    assert f'<html lang="{language}">' in response.text
    assert translated(title, language) in response.text


def test_a_too_large_request_gets_the_413_page(client):
    response = client.post(
        "/login",
        data="x" * (17 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "de"},
    )

    assert response.status_code == 413
    assert translated("File too large", "de") in response.text


@pytest.mark.parametrize(
    "path, data",
    [
        ("/invitation/abc%00def", {}),
        ("/login", {"email": ["mia@example.org", "mia\x00@example.org"], "password": "x"}),
    ],
    ids=["in-the-path", "in-a-repeated-field"],
)
def test_a_nul_byte_anywhere_is_a_bad_request(client, path, data):
    response = client.post(path, data=data, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert "Bad request" in response.text


@pytest.mark.parametrize("body", ["1e999", '"text"', "[[1, 2, 3]]", '{"name": {"a": 1}}'])
def test_a_json_body_sent_to_a_form_is_a_bad_request(client, body):
    response = client.post("/login", data=body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize("number", ["2147483648", "1" + "0" * 30])
def test_an_id_beyond_the_database_is_not_found(client, number):
    UserFactory(email="office@example.org", role=Role.ADMIN)
    Auth(client).login("office@example.org")

    response = client.get(f"/admin/editions/{number}/edit")

    assert response.status_code == 404
    assert translated("Page not found", "de") in response.text
