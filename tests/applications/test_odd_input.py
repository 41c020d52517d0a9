"""Odd input gets a clear answer, never a 500, and a submitted application stays complete."""

import pytest

from qpmusic.applications.models import Application, Work
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from tests.factories import ApplicationFactory, EditionFactory


def test_a_submitted_application_cannot_lose_its_only_work(client, draft):
    client.post(f"/applications/{draft.id}/submit")
    work = draft.works[0]

    page = client.post(f"/applications/{draft.id}/works/{work.id}/remove", follow_redirects=True)

    assert "Your application is already submitted, so it must stay complete" in page.text
    assert "Add at least one work." in page.text
    db.session.expire_all()
    assert db.session.query(Work).count() == 1


def test_a_submitted_application_can_change_a_work_in_place(client, draft):
    client.post(f"/applications/{draft.id}/submit")
    work = draft.works[0]

    client.post(
        f"/applications/{draft.id}/works/{work.id}",
        data={"title": "Sillons II", "year_composed": str(draft.edition.year), "duration": "8:00"},
    )

    db.session.expire_all()
    application = db.session.get(Application, draft.id)
    assert application.works[0].title == "Sillons II"
    assert application.changed_since_submission
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_listed_place_cannot_be_entered_by_hand_to_skip_the_distance(client, musician, edition):
    application = ApplicationFactory(applicant=musician, edition=edition)

    page = client.post(
        f"/applications/{application.id}/eligibility",
        data={"kind": "lives", "place": "Bastogne", "manual": "y", "explanation": "Near enough"},
        follow_redirects=True,
    )

    assert "“Bastogne” is in our list of places. Choose it from the list" in page.text
    db.session.expire_all()
    assert db.session.get(Application, application.id).bases == []


@pytest.mark.parametrize("duration", ["²", "\u0663:\u0660\u0660", "9" * 5000, "-5", "7:5"])
def test_a_strange_duration_is_a_form_error(client, musician, edition, duration):
    application = ApplicationFactory(applicant=musician, edition=edition)

    page = client.post(
        f"/applications/{application.id}/works/new",
        data={"title": "X", "year_composed": str(edition.year), "duration": duration},
    )

    assert page.status_code == 200
    assert "Write the duration as minutes:seconds, for example 7:30." in page.text
    assert db.session.query(Work).count() == 0


@pytest.mark.parametrize("place_id", ["²", "9" * 5000, "-1", "abc"])
def test_a_forged_place_id_falls_back_to_the_typed_name(client, musician, edition, place_id):
    application = ApplicationFactory(applicant=musician, edition=edition)

    client.post(
        f"/applications/{application.id}/eligibility",
        data={"kind": "lives", "place": "Konz", "place_id": place_id},
    )

    db.session.expire_all()
    assert [b.place_name for b in db.session.get(Application, application.id).bases] == ["Konz"]


def test_a_nul_byte_is_a_bad_request_not_a_crash(client, musician, edition):
    application = ApplicationFactory(applicant=musician, edition=edition)

    form = client.post(f"/applications/{application.id}/biography", data={"biography": "a\x00b"})
    query = client.get("/apply/?q=%00")

    assert form.status_code == query.status_code == 400
    db.session.refresh(application)
    assert "\x00" not in application.biography


def test_line_breaks_count_once_towards_the_biography_limit(client, musician, edition):
    application = ApplicationFactory(applicant=musician, edition=edition)
    # 3,000 characters as people count them; 4,498 if each CRLF counted twice.
    text = "x\r\n" * 1499 + "xx"

    client.post(f"/applications/{application.id}/biography", data={"biography": text})

    db.session.refresh(application)
    assert len(application.biography) == 3000


def test_continue_goes_to_the_first_step_that_needs_work(client, musician, edition, cities):
    application = ApplicationFactory(applicant=musician, edition=edition, biography="")

    page = client.get("/apply/")

    assert f'href="/applications/{application.id}/biography"' in page.text


def test_earlier_applications_stay_visible_when_a_new_call_opens(client, musician, edition):
    past = EditionFactory(year=2019, phase="published")
    ApplicationFactory(
        applicant=musician, edition=past, status=ApplicationStatus.WINNER, reference="QP-2019-0007"
    )

    page = client.get("/apply/")

    assert "Your earlier applications" in page.text
    assert "QP-2019-0007" in page.text
    assert "Winner" in page.text
