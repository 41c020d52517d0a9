"""Security headers on every kind of answer, and HSTS and locked-down cookies in production."""

import re

import pytest
from flask import abort

from qpmusic import create_app
from qpmusic.enums import Role
from tests.conftest import PASSWORD, IsolatedClient, make_app
from tests.factories import ApplicationFactory, UserFactory
from tests.security.hostile_world import build_world, crawl, logged_in
from tests.services import DATABASE_URL

REFERRER_POLICIES = {
    "same-origin",
    "no-referrer",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
# The one deliberate exception: the letter preview is framed by the office's own preview page,
# and its policy still allows no script at all (default-src 'none', no script-src).
LETTER_PREVIEW = re.compile(r"^/admin/editions/\d+/letters/\w+/preview\?.*part=html")


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def header_problems(response, path="") -> list[str]:
    """What is missing or too lax in ``response``'s security headers; empty when all is well."""
    problems = []
    csp = policy(response)
    if not csp:
        return [f"{path}: no Content-Security-Policy"]
    script = csp.get("script-src", csp.get("default-src"))
    if script is None:
        problems.append(f"{path}: no script-src or default-src")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(script):
        problems.append(f"{path}: script-src {script}")
    expected_frames = ["'self'"] if LETTER_PREVIEW.match(path) else ["'none'"]
    if csp.get("frame-ancestors") != expected_frames:
        problems.append(f"{path}: frame-ancestors {csp.get('frame-ancestors')}")
    if csp.get("object-src", csp.get("default-src")) != ["'none'"]:
        problems.append(f"{path}: object-src {csp.get('object-src')}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(
            f"{path}: X-Content-Type-Options {response.headers.get('X-Content-Type-Options')}"
        )
    if response.headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"{path}: Referrer-Policy {response.headers.get('Referrer-Policy')}")
    return problems


def test_the_policy_allows_scripts_only_from_this_site(client):
    csp = policy(client.get("/"))

    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


@pytest.fixture
def world():
    return build_world()


def crawled(client, seeds) -> list:
    visits = crawl(client, seeds)
    problems = [p for v in visits for p in header_problems(v, v.path)]
    assert problems == []
    return visits


def kinds(visits) -> set[str]:
    return {v.content_type for v in visits}


def test_every_page_the_office_reaches_carries_the_headers(app, world):
    first = world.jury.applications[0]
    deliberation = f"/jury/rounds/{world.jury.round.id}/applications/{first.id}"

    visits = crawled(
        logged_in(app, world.admin),
        ["/", "/admin/editions", "/screening/", "/admin/audit", deliberation],
    )

    assert len(visits) > 80
    assert {"text/html", "text/csv", "audio/flac"} <= kinds(visits)
    assert any(LETTER_PREVIEW.match(v.path) for v in visits)
    assert {v.status for v in visits} == {200, 405}


@pytest.mark.parametrize("who", ["applicant", "juror", "coordinator", "visitor"])
def test_every_page_people_reach_carries_the_headers(app, world, who):
    seeds = {
        "applicant": ["/", "/apply/"],
        "juror": ["/", "/jury/"],
        "coordinator": ["/", "/screening/"],
        "visitor": ["/", "/editions/2032", "/login", "/register", "/password/forgot"],
    }[who]
    client = app.test_client() if who == "visitor" else logged_in(app, getattr(world, who))

    visits = crawled(client, seeds)

    assert "text/html" in kinds(visits)


def test_static_files_carry_the_headers(client):
    for path in ("/static/css/app.css", "/static/js/player.js", "/static/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert header_problems(response, path) == []


def test_json_endpoints_carry_the_headers(app, world):
    anonymous = app.test_client()
    juror = logged_in(app, world.juror)
    owner = logged_in(app, world.applicant)
    assignment = world.jury.assignments["Ada", 0]
    answers = {
        "/healthz": anonymous.get("/healthz"),
        "/places": anonymous.get("/places?q=Trier"),
        "status": owner.get(f"/media/{world.media.public_id}/status"),
        "autosave": juror.post(f"/jury/assignments/{assignment.id}/autosave", data={}),
    }

    assert {name: r.mimetype for name, r in answers.items()} == dict.fromkeys(
        answers, "application/json"
    )
    assert [p for name, r in answers.items() for p in header_problems(r, name)] == []


def test_media_streams_carry_the_headers_in_full_and_in_ranges(app, world):
    owner = logged_in(app, world.applicant)
    path = f"/media/{world.media.public_id}"

    full = owner.get(path)
    part = owner.get(path, headers={"Range": "bytes=0-3"})

    assert (full.status_code, part.status_code) == (200, 206)
    assert header_problems(full, path) == [] and header_problems(part, path) == []


def test_resumable_upload_answers_carry_the_headers(app):
    application = ApplicationFactory()
    client = logged_in(app, application.applicant)

    response = client.post("/uploads/", headers={"Tus-Resumable": "1.0.0"})

    assert 400 <= response.status_code < 500
    assert header_problems(response, "/uploads/") == []


@pytest.fixture
def failing_app(test_config):
    app = make_app(test_config)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/_boom")
    def boom():
        raise RuntimeError("boom")

    @app.route("/_abort/<int:code>")
    def refuse(code):
        abort(code)

    return app


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_error_pages_carry_the_headers(failing_app, code):
    response = failing_app.test_client().get("/_boom" if code == 500 else f"/_abort/{code}")

    assert response.status_code == code
    assert header_problems(response, str(code)) == []


def test_real_refusals_carry_the_headers(app, csrf_app, client, auth):
    UserFactory(email="mia@example.org")
    auth.login("mia@example.org")
    answers = {
        "403 staff page": client.get("/admin/editions"),
        "404 unknown": client.get("/no/such/page"),
        "405 wrong method": client.get("/logout"),
        "400 no CSRF token": csrf_app.test_client().post("/login", data={"email": "x"}),
    }

    assert {name: r.status_code for name, r in answers.items()} == {
        "403 staff page": 403,
        "404 unknown": 404,
        "405 wrong method": 405,
        "400 no CSRF token": 400,
    }
    assert [p for name, r in answers.items() for p in header_problems(r, name)] == []


# Production: HSTS, and session and remember-me cookies only over HTTPS, out of scripts' reach.


@pytest.fixture
def production_app(monkeypatch, app):
    monkeypatch.setenv("QPMUSIC_ENV", "production")
    monkeypatch.setenv("QPMUSIC_SECRET_KEY", "production-secret-" * 4)
    monkeypatch.setenv("QPMUSIC_DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("QPMUSIC_RATELIMIT_STORAGE_URI", "memory://")
    app = create_app()
    app.test_client_class = IsolatedClient
    return app


# Over HTTPS Flask-WTF also wants the form to come from this site (the Referer), as a browser sends.
HTTPS = {"base_url": "https://qpmusic.example", "headers": {"Referer": "https://qpmusic.example/"}}


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def cookie_attributes(response, name: str) -> set[str]:
    """The attributes of the Set-Cookie header for ``name``: {"secure", "samesite=Lax", …}."""
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    attributes = set()
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes.add(f"samesite={value}" if key.lower() == "samesite" else key.lower())
    return attributes


def production_login(production_app, **extra):
    UserFactory(email="mia@example.org", role=Role.APPLICANT)
    client = production_app.test_client()
    token = csrf_token(client.get("/login", **HTTPS).text)
    response = client.post(
        "/login",
        data={"email": "mia@example.org", "password": PASSWORD, "csrf_token": token, **extra},
        **HTTPS,
    )
    assert response.status_code == 302
    return client, response


def test_production_sends_hsts_on_pages_and_errors(production_app):
    client = production_app.test_client()

    for path in ("/", "/login", "/no/such/page", "/static/css/app.css"):
        response = client.get(path, **HTTPS)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", path
        assert header_problems(response, path) == []


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_production_session_cookie_is_secure_httponly_and_samesite(production_app):
    _, response = production_login(production_app)

    attributes = cookie_attributes(response, "session")
    assert {"secure", "httponly", "samesite=Lax"} <= attributes


def test_production_remember_cookie_is_secure_httponly_and_samesite(production_app):
    _, response = production_login(production_app, remember="y")

    attributes = cookie_attributes(response, "remember_token")
    assert {"secure", "httponly", "samesite=Lax"} <= attributes


def test_production_cookie_before_login_is_already_secure(production_app):
    client = production_app.test_client()
    login_page = client.get("/login", **HTTPS)

    response = client.post(
        "/language", data={"lang": "fr", "csrf_token": csrf_token(login_page.text)}, **HTTPS
    )

    assert response.status_code == 302
    assert {"secure", "httponly", "samesite=Lax"} <= cookie_attributes(login_page, "session")
    assert {"secure", "httponly", "samesite=Lax"} <= cookie_attributes(response, "session")
