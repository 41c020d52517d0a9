"""Screening verbs: decisions, shortlist, notes, their guards and their audit trail."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.screening import services
from qpmusic.screening.models import ScreeningNote
from qpmusic.screening.services import ScreeningError
from qpmusic.timestamps import utcnow
from tests.factories import ApplicationFactory, EditionFactory, UserFactory
from tests.screening.builders import submitted
from tests.screening.conftest import after_the_deadline


@pytest.fixture(autouse=True)
def english_request(app):
    """Error messages are lazy translations; reading one needs a request's locale."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def actor():
    return UserFactory(name="Clara Coord", role=Role.COORDINATOR)


def events():
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_mark_eligible_sets_the_decision_and_records_before_and_after(edition, actor):
    application = submitted(edition)

    services.mark_eligible(
        now=utcnow(), application=application, actor=actor, reason="Lives in Konz."
    )
    db.session.commit()

    db.session.refresh(application)
    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.screening_reason == "Lives in Konz."
    assert application.screened_by_id == actor.id
    assert application.screened_at is not None
    [event] = events()
    assert (event.action, event.actor_id, event.target_type, event.target_id) == (
        "application.marked_eligible",
        actor.id,
        "application",
        application.id,
    )
    assert event.before == {"status": "submitted", "screening_reason": ""}
    assert event.after == {"status": "eligible", "screening_reason": "Lives in Konz."}


def test_mark_eligible_keeps_the_time_it_was_given(edition, actor):
    application = submitted(edition)
    now = datetime(2031, 6, 2, 9, 15, tzinfo=UTC)

    services.mark_eligible(application=application, actor=actor, now=now)

    assert application.screened_at == now


def test_every_decision_is_refused_while_the_call_is_open(actor):
    deadline = datetime(2031, 5, 31, 21, 59, 59, tzinfo=UTC)
    edition = EditionFactory(phase=EditionPhase.OPEN, closes_at=deadline)
    now = deadline - timedelta(seconds=1)
    application = submitted(edition)
    # Not reachable through the pages during the call, but kept out by the verb too.
    listed = submitted(edition, status=ApplicationStatus.SHORTLISTED)

    attempts = [
        lambda: services.mark_eligible(application=application, actor=actor, now=now),
        lambda: services.mark_ineligible(
            application=application, actor=actor, now=now, reason="Lives in Lyon."
        ),
        lambda: services.shortlist(application=application, actor=actor, now=now),
        lambda: services.remove_from_shortlist(application=listed, actor=actor, now=now),
    ]
    for attempt in attempts:
        with pytest.raises(ScreeningError) as refused:
            attempt()
        assert str(refused.value) == (
            "Screening starts after the deadline, Saturday, May 31, 2031, 11:59:59\u202fPM."
        )

    assert (application.status, listed.status) == (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
    )
    assert application.screened_at is None
    assert events() == []


def test_a_decision_is_allowed_once_the_deadline_passed_before_the_call_is_closed(actor):
    deadline = datetime(2031, 5, 31, 21, 59, 59, tzinfo=UTC)
    edition = EditionFactory(phase=EditionPhase.OPEN, closes_at=deadline)
    application = submitted(edition)

    services.mark_eligible(application=application, actor=actor, now=deadline)

    assert application.status == ApplicationStatus.ELIGIBLE


def test_notes_are_allowed_while_the_call_is_open(actor):
    application = submitted(EditionFactory(phase=EditionPhase.OPEN))

    services.add_note(application=application, author=actor, body="Check the address later.")

    assert [e.action for e in events()] == ["application.note_added"]


def test_a_withdrawal_committed_meanwhile_is_seen_and_not_overwritten(edition, actor):
    application = submitted(edition)
    assert application.status == ApplicationStatus.SUBMITTED
    # The applicant withdraws in another transaction after the coordinator's page loaded.
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE application SET status = 'withdrawn' WHERE id = :id"),
            {"id": application.id},
        )

    with pytest.raises(ScreeningError, match="has been withdrawn"):
        services.mark_eligible(application=application, actor=actor, now=utcnow())

    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(application), application.id).status == (ApplicationStatus.WITHDRAWN)
    assert events() == []


def test_mark_ineligible_keeps_the_reason(edition, actor):
    application = submitted(edition)

    services.mark_ineligible(
        now=utcnow(), application=application, actor=actor, reason="  Lives in Lyon.  "
    )

    assert application.status == ApplicationStatus.INELIGIBLE
    assert application.screening_reason == "Lives in Lyon."
    [event] = events()
    assert event.action == "application.marked_ineligible"
    assert event.after == {"status": "ineligible", "screening_reason": "Lives in Lyon."}


@pytest.mark.parametrize("reason", ["", "   "])
def test_mark_ineligible_without_a_reason_is_refused(edition, actor, reason):
    application = submitted(edition)

    with pytest.raises(ScreeningError, match="Please give a reason"):
        services.mark_ineligible(now=utcnow(), application=application, actor=actor, reason=reason)

    assert application.status == ApplicationStatus.SUBMITTED
    assert events() == []


def test_a_decision_can_be_changed_before_the_jury_phase(edition, actor):
    application = submitted(edition)
    services.mark_ineligible(
        now=utcnow(), application=application, actor=actor, reason="Unclear address."
    )

    services.mark_eligible(
        now=utcnow(), application=application, actor=actor, reason="Address confirmed."
    )

    assert application.status == ApplicationStatus.ELIGIBLE
    assert [e.action for e in events()] == [
        "application.marked_ineligible",
        "application.marked_eligible",
    ]
    assert events()[1].before == {"status": "ineligible", "screening_reason": "Unclear address."}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ApplicationStatus.DRAFT, "has not been submitted"),
        (ApplicationStatus.WITHDRAWN, "has been withdrawn"),
        (ApplicationStatus.SHORTLISTED, "remove it from the shortlist first"),
        (ApplicationStatus.FINALIST, "remove it from the shortlist first"),
    ],
)
def test_only_submitted_or_screened_applications_can_be_screened(edition, actor, status, message):
    application = submitted(edition, status=status)

    for decide in (services.mark_eligible, services.mark_ineligible):
        with pytest.raises(ScreeningError, match=message):
            decide(application=application, actor=actor, now=utcnow(), reason="Because.")

    assert application.status == status
    assert events() == []


@pytest.mark.parametrize(
    "phase",
    [EditionPhase.JURY, EditionPhase.FINAL, EditionPhase.PUBLISHED, EditionPhase.ARCHIVED],
)
def test_nothing_changes_once_the_jury_phase_is_reached(actor, phase):
    edition = EditionFactory(phase=phase)
    eligible = submitted(edition, status=ApplicationStatus.ELIGIBLE)
    listed = submitted(edition, status=ApplicationStatus.SHORTLISTED)

    attempts = [
        lambda: services.mark_eligible(now=utcnow(), application=eligible, actor=actor),
        lambda: services.mark_ineligible(
            now=utcnow(), application=eligible, actor=actor, reason="No."
        ),
        lambda: services.shortlist(now=utcnow(), application=eligible, actor=actor),
        lambda: services.remove_from_shortlist(now=utcnow(), application=listed, actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(ScreeningError, match="reached the jury phase"):
            attempt()

    assert (eligible.status, listed.status) == (
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.SHORTLISTED,
    )
    assert events() == []


@pytest.mark.parametrize("phase", [EditionPhase.CLOSED, EditionPhase.PRESELECTION])
def test_shortlisting_is_open_until_the_jury_phase(actor, phase):
    application = submitted(after_the_deadline(phase=phase), status=ApplicationStatus.ELIGIBLE)

    services.shortlist(now=utcnow(), application=application, actor=actor)

    assert application.status == ApplicationStatus.SHORTLISTED
    [event] = events()
    assert event.action == "application.shortlisted"
    assert event.before["status"] == "eligible"
    assert event.after["status"] == "shortlisted"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ApplicationStatus.SUBMITTED, "Only eligible applications"),
        (ApplicationStatus.INELIGIBLE, "Only eligible applications"),
        (ApplicationStatus.SHORTLISTED, "already on the shortlist"),
        (ApplicationStatus.WITHDRAWN, "has been withdrawn"),
        (ApplicationStatus.DRAFT, "has not been submitted"),
    ],
)
def test_only_eligible_applications_can_be_shortlisted(edition, actor, status, message):
    application = submitted(edition, status=status)

    with pytest.raises(ScreeningError, match=message):
        services.shortlist(now=utcnow(), application=application, actor=actor)

    assert application.status == status


def test_removing_from_the_shortlist_makes_it_eligible_again(edition, actor):
    application = submitted(edition, status=ApplicationStatus.SHORTLISTED)

    services.remove_from_shortlist(now=utcnow(), application=application, actor=actor)

    assert application.status == ApplicationStatus.ELIGIBLE
    [event] = events()
    assert event.action == "application.removed_from_shortlist"
    assert (event.before["status"], event.after["status"]) == ("shortlisted", "eligible")


def test_removing_what_is_not_on_the_shortlist_is_refused(edition, actor):
    application = submitted(edition, status=ApplicationStatus.ELIGIBLE)

    with pytest.raises(ScreeningError, match="not on the shortlist"):
        services.remove_from_shortlist(now=utcnow(), application=application, actor=actor)


def test_add_note_keeps_author_and_text_and_records_it(edition, actor):
    application = submitted(edition)

    note = services.add_note(application=application, author=actor, body="  Call the school.  ")
    db.session.commit()

    stored = db.session.scalar(select(ScreeningNote))
    assert (stored.id, stored.author_id, stored.body) == (note.id, actor.id, "Call the school.")
    assert stored.created_at is not None
    [event] = events()
    assert event.action == "application.note_added"
    assert event.before == {"status": "submitted"}
    assert event.after == {"status": "submitted", "note_id": note.id}


def test_notes_are_allowed_after_the_jury_phase_but_not_on_drafts(actor):
    late = submitted(EditionFactory(phase=EditionPhase.JURY), status=ApplicationStatus.SHORTLISTED)
    draft = ApplicationFactory()

    services.add_note(application=late, author=actor, body="Played in Metz last year.")
    with pytest.raises(ScreeningError, match="has not been submitted"):
        services.add_note(application=draft, author=actor, body="Too early.")


def test_an_empty_note_is_refused(edition, actor):
    with pytest.raises(ScreeningError, match="Please write a note"):
        services.add_note(application=submitted(edition), author=actor, body="  ")
