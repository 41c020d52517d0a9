"""The detail page: what the applicant entered, the decision, notes, shortlist and history."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, EditionPhase, EligibilityKind, Role
from qpmusic.extensions import db
from qpmusic.screening.models import ScreeningNote
from tests.factories import ApplicationFactory, EditionFactory, EligibilityBasisFactory, UserFactory
from tests.screening.builders import submitted


def reload(application):
    db.session.expire_all()
    return db.session.get(type(application), application.id)


def test_detail_shows_the_application_and_its_bases(client, coordinator, edition, trier):
    applicant = UserFactory(name="Greta Grün", email="greta@example.org")
    application = submitted(
        edition, city=trier, distance=8.2, applicant=applicant, artist_name="Moselklang"
    )
    EligibilityBasisFactory(
        application=application,
        kind=EligibilityKind.STUDIES,
        place_id=None,
        place_name="Hof Weiler",
        manual=True,
        explanation="A farm between Perl and Sierck.",
        distance_km=None,
    )

    response = client.get(f"/screening/{application.id}")

    assert response.status_code == 200
    text = response.text
    assert f"{application.reference} · Moselklang" in text
    assert '<span class="badge status-submitted">Submitted</span>' in text
    assert "Greta Grün" in text
    assert "greta@example.org" in text
    assert "Trier · 8 km" in text
    assert "Lives in" in text
    assert "Konz" in text
    assert "⚑ </span>Flagged" in text
    assert "Studies in Hof Weiler" in text
    assert "A farm between Perl and Sierck." in text
    assert "Composes for live electronics" in text


def test_a_draft_is_not_shown_to_coordinators(client, coordinator, edition):
    draft = ApplicationFactory(edition=edition)

    assert client.get(f"/screening/{draft.id}").status_code == 404
    assert client.get("/screening/999999").status_code == 404


def test_marking_eligible_from_the_page(client, coordinator, edition):
    application = submitted(edition)

    response = client.post(
        f"/screening/{application.id}/decision",
        data={"decision": "eligible", "reason": "Lives in Konz."},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/screening/{application.id}"
    application = reload(application)
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.screening_reason == "Lives in Konz."
    assert application.screened_by_id == coordinator.id
    page = client.get(response.headers["Location"]).text
    assert "The decision has been saved." in page
    assert '<span class="badge status-eligible">Eligible</span>' in page


def test_marking_ineligible_needs_a_reason(client, coordinator, edition):
    application = submitted(edition)

    refused = client.post(
        f"/screening/{application.id}/decision", data={"decision": "ineligible", "reason": " "}
    )
    accepted = client.post(
        f"/screening/{application.id}/decision",
        data={"decision": "ineligible", "reason": "Lives in Lyon."},
    )

    assert refused.status_code == 422
    assert "Please give a reason why the application is not eligible." in refused.text
    assert accepted.status_code == 302
    application = reload(application)
    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.screening_reason == "Lives in Lyon."
    assert db.session.scalar(select(AuditEvent.action)) == "application.marked_ineligible"


def test_a_decision_without_a_choice_is_refused(client, coordinator, edition):
    application = submitted(edition)

    response = client.post(f"/screening/{application.id}/decision", data={"reason": "Hm."})

    assert response.status_code == 422
    assert "Please choose eligible or not eligible." in response.text
    assert reload(application).status == ApplicationStatus.SUBMITTED


def test_a_withdrawn_application_cannot_be_decided(client, coordinator, edition):
    application = submitted(edition, status=ApplicationStatus.WITHDRAWN)

    page = client.get(f"/screening/{application.id}")
    response = client.post(f"/screening/{application.id}/decision", data={"decision": "eligible"})

    assert 'name="decision"' not in page.text
    assert "This application has been withdrawn by the applicant." in page.text
    assert response.status_code == 302
    assert "has been withdrawn" in client.get(response.headers["Location"]).text
    assert reload(application).status == ApplicationStatus.WITHDRAWN
    assert db.session.scalar(select(AuditEvent)) is None


def test_no_decision_once_the_jury_phase_is_reached(client, coordinator):
    application = submitted(
        EditionFactory(phase=EditionPhase.JURY), status=ApplicationStatus.ELIGIBLE
    )

    page = client.get(f"/screening/{application.id}")
    decision = client.post(
        f"/screening/{application.id}/decision",
        data={"decision": "ineligible", "reason": "Late change."},
    )
    shortlisting = client.post(f"/screening/{application.id}/shortlist")

    assert 'name="decision"' not in page.text
    assert "Add to shortlist" not in page.text
    assert "Screening is closed: this edition has reached the jury phase." in page.text
    assert decision.status_code == shortlisting.status_code == 302
    assert reload(application).status == ApplicationStatus.ELIGIBLE


def test_no_decision_while_the_call_is_open_but_notes_are_welcome(client, coordinator):
    deadline = datetime(2031, 5, 31, 21, 59, 59, tzinfo=UTC)
    edition = EditionFactory(phase=EditionPhase.OPEN, closes_at=deadline)
    application = submitted(edition)

    page = client.get(f"/screening/{application.id}").text
    decision = client.post(
        f"/screening/{application.id}/decision",
        data={"decision": "eligible", "reason": "Lives in Konz."},
    )
    note = client.post(f"/screening/{application.id}/notes", data={"body": "Looks fine."})

    message = "Screening starts after the deadline, Saturday, May 31, 2031, 11:59:59\u202fPM."
    assert 'name="decision"' not in page
    assert message in page
    assert decision.status_code == note.status_code == 302
    assert message in client.get(decision.headers["Location"]).text
    assert reload(application).status == ApplicationStatus.SUBMITTED
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["application.note_added"]


def test_shortlisting_and_removing_from_the_page(client, coordinator, edition):
    application = submitted(edition, status=ApplicationStatus.ELIGIBLE)

    assert "Add to shortlist" in client.get(f"/screening/{application.id}").text
    client.post(f"/screening/{application.id}/shortlist")
    assert reload(application).status == ApplicationStatus.SHORTLISTED
    page = client.get(f"/screening/{application.id}").text
    assert "The application is on the shortlist." in page
    assert "Remove from shortlist" in page

    client.post(f"/screening/{application.id}/unshortlist")

    assert reload(application).status == ApplicationStatus.ELIGIBLE
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["application.shortlisted", "application.removed_from_shortlist"]


def test_a_submitted_application_cannot_be_shortlisted_from_the_page(client, coordinator, edition):
    application = submitted(edition)

    page = client.get(f"/screening/{application.id}").text
    response = client.post(f"/screening/{application.id}/shortlist")

    assert "Add to shortlist" not in page
    assert (
        "Only eligible applications can be shortlisted."
        in client.get(response.headers["Location"]).text
    )
    assert reload(application).status == ApplicationStatus.SUBMITTED


def test_notes_are_added_and_listed_with_author_and_time(client, coordinator, edition):
    application = submitted(edition)
    colleague = UserFactory(name="Marc Metz", role=Role.ADMIN)
    db.session.add(ScreeningNote(application_id=application.id, author=colleague, body="First."))
    db.session.commit()

    response = client.post(
        f"/screening/{application.id}/notes", data={"body": "Asked the school for proof."}
    )

    assert response.status_code == 302
    page = client.get(f"/screening/{application.id}").text
    assert "The note has been added." in page
    newest, oldest = page.index("Asked the school for proof."), page.index("First.")
    assert newest < oldest
    assert "Clara Coord · <time" in page
    assert "Marc Metz · <time" in page
    note = db.session.scalar(select(ScreeningNote).where(ScreeningNote.author_id == coordinator.id))
    assert note.body == "Asked the school for proof."


def test_an_empty_note_is_refused(client, coordinator, edition):
    application = submitted(edition)

    response = client.post(f"/screening/{application.id}/notes", data={"body": ""})

    assert response.status_code == 422
    assert "Please write a note." in response.text
    assert db.session.scalar(select(ScreeningNote)) is None


def test_history_lists_audit_events_newest_first_with_actor(client, coordinator, edition):
    application = submitted(edition)
    client.post(f"/screening/{application.id}/decision", data={"decision": "eligible"})
    client.post(f"/screening/{application.id}/shortlist")

    page = client.get(f"/screening/{application.id}").text

    history = page.split('id="history-title"', 1)[1]
    assert history.index("Put on the shortlist") < history.index("Marked eligible")
    assert "Clara Coord" in history
    assert "Submitted → Eligible" in history
    assert "Eligible → Shortlisted" in history


def test_history_shows_other_features_events_by_name(client, coordinator, edition):
    application = submitted(edition)
    db.session.add(
        AuditEvent(
            actor_id=application.applicant_id,
            action="application.submitted",
            target_type="application",
            target_id=application.id,
            after={"status": "submitted"},
        )
    )
    db.session.commit()

    page = client.get(f"/screening/{application.id}").text

    assert "application.submitted" in page.split('id="history-title"', 1)[1]


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_detail_page_renders_in_every_language(client, auth, edition, language):
    UserFactory(email="coord@example.org", role=Role.COORDINATOR, language=language)
    auth.login("coord@example.org")
    application = submitted(edition, status=ApplicationStatus.ELIGIBLE)

    response = client.get(f"/screening/{application.id}?lang={language}")

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert application.reference in response.text
