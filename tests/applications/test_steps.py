"""Building an application step by step: every step saves, nothing is lost, nobody else sees it."""

import pytest

from qpmusic.applications.models import Application
from qpmusic.enums import Role
from qpmusic.extensions import db
from tests.applications.conftest import complete_draft
from tests.factories import UserFactory


def test_start_creates_one_draft_even_when_clicked_twice(client, musician, edition):
    first = client.post("/apply/start")
    second = client.post("/apply/start")

    drafts = db.session.query(Application).all()
    assert len(drafts) == 1
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"] == f"/applications/{drafts[0].id}/profile"
    assert drafts[0].artist_name == "Mia Klang"
    assert drafts[0].contact_email == "mia@example.org"


def test_each_step_saves_and_leads_to_the_next(client, musician, edition):
    client.post("/apply/start")
    application = db.session.query(Application).one()
    base = f"/applications/{application.id}"

    response = client.post(
        f"{base}/profile",
        data={
            "artist_name": "Mia & the Machines",
            "contact_email": "Mia@Example.org",
            "phone": "+352 621 000 000",
            "website": "https://mia.example.org",
            "links": "https://soundcloud.example.org/mia\nhttps://video.example.org/mia",
        },
    )
    assert response.headers["Location"] == f"{base}/biography"
    response = client.post(f"{base}/biography", data={"biography": "Born in Thionville."})
    assert response.headers["Location"] == f"{base}/eligibility"

    db.session.refresh(application)
    assert application.artist_name == "Mia & the Machines"
    assert application.contact_email == "mia@example.org"
    assert application.biography == "Born in Thionville."


def test_leaving_mid_way_and_coming_back_keeps_everything(client, auth, musician, edition):
    client.post("/apply/start")
    application = db.session.query(Application).one()
    client.post(f"/applications/{application.id}/biography", data={"biography": "Half a bio"})
    auth.logout()

    auth.login(musician.email)
    page = client.get(f"/applications/{application.id}/biography")
    status = client.get("/apply/")

    assert "Half a bio" in page.text
    assert "Continue my application" in status.text


def test_a_too_long_biography_is_refused_with_the_limit(client, musician, edition):
    client.post("/apply/start")
    application = db.session.query(Application).one()

    response = client.post(
        f"/applications/{application.id}/biography", data={"biography": "x" * 3001}
    )

    assert response.status_code == 200
    assert "Use at most 3000 characters." in response.text
    db.session.refresh(application)
    assert application.biography == ""


def test_a_link_that_is_not_a_web_address_is_refused(client, musician, edition):
    client.post("/apply/start")
    application = db.session.query(Application).one()

    response = client.post(
        f"/applications/{application.id}/profile",
        data={"artist_name": "Mia", "contact_email": "mia@example.org", "links": "javascript:x"},
    )

    assert "is not a web address starting with https://" in response.text
    db.session.refresh(application)
    assert application.links == ""


@pytest.mark.parametrize(
    "path",
    [
        "profile",
        "biography",
        "eligibility",
        "works",
        "works/new",
        "consents",
        "review",
        "withdraw",
    ],
)
def test_another_applicants_application_is_not_found(client, auth, edition, cities, path):
    owner = UserFactory(email="owner@example.org")
    application = complete_draft(applicant=owner, edition=edition, cities=cities)
    intruder = UserFactory(email="intruder@example.org")
    auth.login(intruder.email)

    assert client.get(f"/applications/{application.id}/{path}").status_code == 404
    assert client.post(f"/applications/{application.id}/submit").status_code == 404


def test_another_applicant_cannot_change_or_submit_it(client, auth, edition, cities):
    owner = UserFactory(email="owner@example.org")
    application = complete_draft(applicant=owner, edition=edition, cities=cities)
    auth.login(UserFactory(email="intruder@example.org").email)

    client.post(f"/applications/{application.id}/biography", data={"biography": "Hijacked"})
    client.post(f"/applications/{application.id}/submit")

    db.session.refresh(application)
    assert application.biography != "Hijacked"
    assert application.reference is None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.ADMIN])
def test_staff_cannot_edit_an_application(client, auth, edition, cities, role):
    owner = UserFactory(email="owner@example.org")
    application = complete_draft(applicant=owner, edition=edition, cities=cities)
    auth.login(UserFactory(email="staff@example.org", role=role).email)

    get = client.get(f"/applications/{application.id}/profile")
    post = client.post(
        f"/applications/{application.id}/profile",
        data={"artist_name": "Changed", "contact_email": "x@example.org"},
    )

    assert get.status_code == post.status_code == 403
    db.session.refresh(application)
    assert application.artist_name != "Changed"


def test_anonymous_visitors_are_sent_to_the_login(client, edition):
    response = client.get("/apply/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("language", ["de", "fr", "en"])
@pytest.mark.parametrize(
    "path", ["profile", "biography", "eligibility", "works", "works/new", "consents", "review"]
)
def test_every_step_speaks_the_users_language(client, draft, musician, language, path):
    musician.language = language
    db.session.commit()

    response = client.get(f"/applications/{draft.id}/{path}")

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
