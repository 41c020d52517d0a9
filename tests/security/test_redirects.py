"""Every redirect that takes its target from the request stays on this site."""

from urllib.parse import urlsplit

import pytest

from qpmusic.accounts.views import safe_next
from qpmusic.enums import Role, RoundStatus
from tests.conftest import PASSWORD
from tests.factories import AssignmentFactory, UserFactory

OFF_SITE = [
    "//evil.example",
    "//evil.example/profile/",
    "https://evil.example",
    "http://evil.example/login",
    "https:evil.example",
    "https:/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\t/\t/evil.example",
    "/\r\n//evil.example",
    " //evil.example",
    "\x0b//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "profile/",
    "",
]
ON_SITE = ["/profile/", "/apply/", "/screening/?q=Trier&status=submitted", "/jury/#assignments"]


def stays_here(location: str) -> bool:
    """What a browser does with ``location``: tabs and line breaks removed, '\\' read as '/'."""
    cleaned = location.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "/")
    parts = urlsplit(cleaned.strip())
    return not parts.scheme and not parts.netloc and cleaned.startswith("/")


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_every_target_that_leaves_the_site(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ON_SITE)
def test_safe_next_keeps_same_site_paths(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_with_an_off_site_next_goes_home(client, target):
    UserFactory(email="mia@example.org")

    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "mia@example.org", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ON_SITE)
def test_login_with_a_same_site_next_follows_it(client, target):
    UserFactory(email="mia@example.org")

    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "mia@example.org", "password": PASSWORD},
    )

    assert response.headers["Location"] == target
    assert stays_here(response.headers["Location"])


def test_a_protected_page_sends_to_login_with_a_relative_next_that_login_follows(client):
    UserFactory(email="mia@example.org")

    to_login = client.get("/profile/")
    login_path = to_login.headers["Location"]
    assert login_path == "/login?next=%2Fprofile%2F"
    response = client.post(login_path, data={"email": "mia@example.org", "password": PASSWORD})

    assert response.headers["Location"] == "/profile/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_with_an_off_site_next_goes_home(client, target):
    response = client.post("/language", data={"lang": "fr", "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page_it_was_used_on(client):
    response = client.post("/language", data={"lang": "fr", "next": "/eligibility?lang=de"})

    assert response.headers["Location"] == "/eligibility?lang=de"


@pytest.fixture
def juror_client(app):
    assignment = AssignmentFactory(juror__email="jana@example.org")
    client = app.test_client()
    client.post("/login", data={"email": "jana@example.org", "password": PASSWORD})
    return client, assignment


@pytest.mark.parametrize("target", OFF_SITE)
def test_conflict_form_with_an_off_site_next_returns_to_the_assignment(juror_client, target):
    client, assignment = juror_client

    # No conflict type: the form is refused and the juror sent back.
    response = client.post(
        f"/jury/assignments/{assignment.id}/conflict", data={"note": "", "next": target}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/jury/assignments/{assignment.id}"


def test_conflict_form_with_a_same_site_next_returns_there(juror_client):
    client, assignment = juror_client

    response = client.post(
        f"/jury/assignments/{assignment.id}/conflict", data={"note": "", "next": "/jury/"}
    )

    assert response.headers["Location"] == "/jury/"


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\t/\t/evil.example"]
)
def test_office_reopen_with_an_off_site_next_returns_to_the_progress_page(app, target):
    assignment = AssignmentFactory()
    UserFactory(email="office@example.org", role=Role.ADMIN)
    client = app.test_client()
    client.post("/login", data={"email": "office@example.org", "password": PASSWORD})

    # No reason given: refused, and the office is sent back.
    response = client.post(
        f"/admin/assignments/{assignment.id}/reopen", data={"reason": "", "next": target}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/rounds/{assignment.round_id}/progress"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_deliberation_message_with_an_off_site_next_returns_to_the_deliberation(app, target):
    assignment = AssignmentFactory(
        juror__email="jana@example.org", round__status=RoundStatus.CLOSED
    )
    client = app.test_client()
    client.post("/login", data={"email": "jana@example.org", "password": PASSWORD})
    page = f"/jury/rounds/{assignment.round_id}/applications/{assignment.application_id}"

    # An empty message is refused and the juror sent back.
    response = client.post(f"{page}/messages", data={"body": "", "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == page
