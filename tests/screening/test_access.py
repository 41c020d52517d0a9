"""Only coordinators and administrators reach screening; visitors are sent to log in."""

import pytest

from qpmusic.enums import Role
from tests.factories import UserFactory
from tests.screening.builders import submitted

GET = ["/screening/", "/screening/export.csv", "/screening/{id}"]
POST = [
    "/screening/{id}/decision",
    "/screening/{id}/notes",
    "/screening/{id}/shortlist",
    "/screening/{id}/unshortlist",
    "/screening/{id}/vote",
]


def every_url(application_id):
    return [("get", u.format(id=application_id)) for u in GET] + [
        ("post", u.format(id=application_id)) for u in POST
    ]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR])
def test_applicants_and_jurors_are_forbidden_everywhere(client, auth, edition, role):
    application = submitted(edition)
    UserFactory(email="other@example.org", role=role)
    auth.login("other@example.org")

    for method, url in every_url(application.id):
        response = getattr(client, method)(url, data={"decision": "eligible", "body": "x"})
        assert response.status_code == 403, (method, url)


def test_the_applicant_cannot_screen_their_own_application(client, auth, edition):
    application = submitted(edition)
    auth.login(application.applicant.email)

    for method, url in every_url(application.id):
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_visitors_are_sent_to_the_login(client, edition):
    application = submitted(edition)

    for method, url in every_url(application.id):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_and_admins_get_in(client, auth, edition, role):
    application = submitted(edition)
    UserFactory(email="staff@example.org", role=role)
    auth.login("staff@example.org")

    for url in GET:
        assert client.get(url.format(id=application.id)).status_code == 200, url


def test_screening_has_no_way_to_edit_what_the_applicant_entered(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("screening.")]

    assert sorted(r.endpoint for r in rules) == [
        "screening.add_note",
        "screening.decide",
        "screening.detail",
        "screening.export",
        "screening.index",
        "screening.remove_from_shortlist",
        "screening.shortlist",
        "screening.vote",
    ]
