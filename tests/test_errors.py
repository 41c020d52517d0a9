"""Error pages speak the visitor's language."""

import pytest
from flask import abort

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
