"""Phase changes: one step at a time, each guard with its reason, every change in the audit log."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.editions.phases import change_phase, close_ended_calls, phase_problem
from qpmusic.editions.services import EditionError
from qpmusic.editions.tasks import close_ended_calls as close_ended_calls_task
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow
from tests.factories import ApplicationFactory, AwardFactory, CriterionFactory, EditionFactory

NOW = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
DEADLINE = datetime(2031, 7, 31, 21, 59, tzinfo=UTC)
MONTH = timedelta(days=30)


def edition_in(phase: EditionPhase, **values):
    edition = EditionFactory(
        year=2031,
        phase=phase,
        opens_at=datetime(2031, 1, 15, 9, 0, tzinfo=UTC),
        closes_at=DEADLINE,
        **values,
    )
    CriterionFactory(edition=edition)
    return edition


def refusal(edition, to, now=NOW, reason="") -> str:
    with pytest.raises(EditionError) as error:
        change_phase(edition=edition, to=to, actor=None, now=now, reason=reason)
    db.session.rollback()
    with force_locale("en"):
        return str(error.value)


def phase_events() -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "edition.phase_changed")
    ).all()


def test_opening_a_complete_draft_is_logged_with_before_and_after(admin):
    edition = edition_in(EditionPhase.DRAFT)

    change_phase(edition=edition, to=EditionPhase.OPEN, actor=admin, now=NOW)

    assert edition.phase == EditionPhase.OPEN
    [event] = phase_events()
    assert (event.actor_id, event.target_id) == (admin.id, edition.id)
    assert (event.before, event.after) == ({"phase": "draft"}, {"phase": "open"})


def test_opening_needs_a_title_in_every_language():
    edition = edition_in(EditionPhase.DRAFT, title_fr="")

    message = refusal(edition, EditionPhase.OPEN)

    assert message == "The call needs a title in German, French and English before it opens."
    assert phase_events() == []


def test_opening_needs_a_deadline_in_the_future():
    edition = edition_in(EditionPhase.DRAFT)

    message = refusal(edition, EditionPhase.OPEN, now=DEADLINE)

    assert message == (
        "The call window has already ended; move the closing date into the future first."
    )


def test_opening_needs_a_scoring_criterion():
    edition = EditionFactory(year=2031, phase=EditionPhase.DRAFT, closes_at=DEADLINE)

    assert refusal(edition, EditionPhase.OPEN) == (
        "Add at least one scoring criterion before the call opens."
    )


def test_only_one_call_may_be_open():
    EditionFactory(year=2030, phase=EditionPhase.OPEN)
    edition = edition_in(EditionPhase.DRAFT)

    assert refusal(edition, EditionPhase.OPEN) == (
        "The call of 2030 is still open; only one call may be open."
    )


def test_closing_waits_for_the_deadline():
    edition = edition_in(EditionPhase.OPEN)

    message = refusal(edition, EditionPhase.CLOSED, now=DEADLINE - timedelta(seconds=1))
    change_phase(edition=edition, to=EditionPhase.CLOSED, actor=None, now=DEADLINE)

    assert message == "The call can only be closed once its deadline has passed."
    assert edition.phase == EditionPhase.CLOSED


def test_the_preselection_follows_the_closed_call():
    edition = edition_in(EditionPhase.CLOSED)

    change_phase(edition=edition, to=EditionPhase.PRESELECTION, actor=None, now=NOW)

    assert edition.phase == EditionPhase.PRESELECTION


def test_the_jury_phase_needs_a_shortlisted_application():
    edition = edition_in(EditionPhase.PRESELECTION)
    ApplicationFactory(edition=edition, status=ApplicationStatus.ELIGIBLE)

    message = refusal(edition, EditionPhase.JURY)
    ApplicationFactory(edition=edition, status=ApplicationStatus.SHORTLISTED)
    change_phase(edition=edition, to=EditionPhase.JURY, actor=None, now=NOW)

    assert message == "The jury phase needs at least one shortlisted application."
    assert edition.phase == EditionPhase.JURY


def test_the_jury_phase_needs_criteria():
    edition = EditionFactory(year=2031, phase=EditionPhase.PRESELECTION)
    ApplicationFactory(edition=edition, status=ApplicationStatus.SHORTLISTED)

    assert refusal(edition, EditionPhase.JURY) == "The jury needs at least one scoring criterion."


def test_the_final_needs_a_finalist():
    edition = edition_in(EditionPhase.JURY)

    message = refusal(edition, EditionPhase.FINAL)
    ApplicationFactory(edition=edition, status=ApplicationStatus.FINALIST)
    change_phase(edition=edition, to=EditionPhase.FINAL, actor=None, now=NOW)

    assert message == "The final needs at least one finalist."
    assert edition.phase == EditionPhase.FINAL


def test_publishing_needs_a_recorded_award():
    edition = edition_in(EditionPhase.FINAL)

    message = refusal(edition, EditionPhase.PUBLISHED)
    AwardFactory(edition=edition, application__edition=edition)
    change_phase(edition=edition, to=EditionPhase.PUBLISHED, actor=None, now=NOW)
    change_phase(edition=edition, to=EditionPhase.ARCHIVED, actor=None, now=NOW)

    assert message == "Record the prize winner before publishing the results."
    assert edition.phase == EditionPhase.ARCHIVED


def test_a_phase_cannot_be_skipped():
    edition = edition_in(EditionPhase.DRAFT)

    assert refusal(edition, EditionPhase.CLOSED) == "An edition moves one phase at a time."
    assert refusal(edition, EditionPhase.DRAFT) == "An edition moves one phase at a time."


def test_going_back_needs_a_reason_which_is_logged(admin):
    edition = edition_in(EditionPhase.JURY)

    message = refusal(edition, EditionPhase.PRESELECTION, reason="  ")
    change_phase(
        edition=edition,
        to=EditionPhase.PRESELECTION,
        actor=admin,
        now=NOW,
        reason="One application was shortlisted by mistake.",
    )

    assert message == "Please give a reason for going back a phase."
    assert edition.phase == EditionPhase.PRESELECTION
    [event] = phase_events()
    assert event.before == {"phase": "jury"}
    assert event.after == {
        "phase": "preselection",
        "reason": "One application was shortlisted by mistake.",
    }


def test_going_back_to_draft_is_refused_once_the_edition_has_an_application():
    edition = edition_in(EditionPhase.OPEN)
    ApplicationFactory(edition=edition, status=ApplicationStatus.DRAFT)

    message = refusal(edition, EditionPhase.DRAFT, reason="Wrong rules published.")

    assert message == "The edition cannot go back to draft: it already has applications."
    db.session.refresh(edition)
    assert edition.phase == EditionPhase.OPEN
    assert phase_events() == []


def test_going_back_to_draft_without_applications_is_allowed(admin):
    edition = edition_in(EditionPhase.OPEN)

    change_phase(
        edition=edition, to=EditionPhase.DRAFT, actor=admin, now=NOW, reason="Opened too early."
    )

    assert edition.phase == EditionPhase.DRAFT


def test_reopening_a_closed_call_needs_a_deadline_in_the_future():
    edition = edition_in(EditionPhase.CLOSED)

    message = refusal(edition, EditionPhase.OPEN, now=DEADLINE, reason="Server outage")
    change_phase(edition=edition, to=EditionPhase.OPEN, actor=None, now=NOW, reason="Too early")

    assert message == (
        "The call window has already ended; move the closing date into the future first."
    )
    assert edition.phase == EditionPhase.OPEN


def test_phase_problem_is_none_when_the_step_is_allowed():
    edition = edition_in(EditionPhase.DRAFT)

    assert phase_problem(edition=edition, to=EditionPhase.OPEN, now=NOW) is None


def test_ended_calls_are_closed_by_the_clock_once():
    ended = edition_in(EditionPhase.OPEN)
    running = EditionFactory(
        year=2032, phase=EditionPhase.OPEN, closes_at=DEADLINE + timedelta(days=1)
    )

    first = close_ended_calls(now=DEADLINE)
    second = close_ended_calls(now=DEADLINE)

    assert first == [ended]
    assert second == []
    assert (ended.phase, running.phase) == (EditionPhase.CLOSED, EditionPhase.OPEN)
    [event] = phase_events()
    assert event.actor_id is None
    assert event.after == {"phase": "closed"}


def test_the_close_ended_calls_task_commits_and_is_idempotent(app):
    edition = edition_in(EditionPhase.OPEN)
    edition_id = edition.id

    with time_machine.travel(DEADLINE + timedelta(minutes=1), tick=False):
        first = close_ended_calls_task.apply().get()
        second = close_ended_calls_task.apply().get()

    assert (first, second) == ([edition_id], [])
    db.session.expire_all()
    assert edition.phase == EditionPhase.CLOSED
    assert len(phase_events()) == 1


# --- the buttons on the admin page -------------------------------------------------------------


def running_edition(phase: EditionPhase):
    """An edition whose call, by the real clock, is open for another month."""
    edition = EditionFactory(
        year=2031, phase=phase, opens_at=utcnow() - timedelta(days=7), closes_at=utcnow() + MONTH
    )
    CriterionFactory(edition=edition)
    return edition


def test_the_detail_page_explains_why_the_next_step_is_refused(client, admin):
    edition = EditionFactory(year=2031, phase=EditionPhase.DRAFT)

    page = client.get(f"/admin/editions/{edition.id}").text

    assert "Open the call</button>" in page
    assert 'disabled aria-describedby="forward-problem"' in page
    assert "Add at least one scoring criterion before the call opens." in page


def test_the_phase_button_moves_the_edition_and_says_so(client, admin):
    edition = running_edition(EditionPhase.DRAFT)

    response = client.post(
        f"/admin/editions/{edition.id}/phase", data={"to": "open"}, follow_redirects=True
    )

    assert "The edition is now in the phase “Call open”." in response.text
    db.session.refresh(edition)
    assert edition.phase == EditionPhase.OPEN
    assert phase_events()[0].actor_id == admin.id


def test_a_refused_phase_change_shows_the_reason(client, admin):
    edition = running_edition(EditionPhase.OPEN)

    response = client.post(
        f"/admin/editions/{edition.id}/phase", data={"to": "closed"}, follow_redirects=True
    )

    assert "The call can only be closed once its deadline has passed." in response.text
    db.session.refresh(edition)
    assert edition.phase == EditionPhase.OPEN
    assert phase_events() == []


def test_going_back_from_the_page_records_the_reason(client, admin):
    edition = running_edition(EditionPhase.CLOSED)

    client.post(
        f"/admin/editions/{edition.id}/phase", data={"to": "open", "reason": "Closed by mistake."}
    )
    page = client.get(f"/admin/editions/{edition.id}").text

    db.session.refresh(edition)
    assert edition.phase == EditionPhase.OPEN
    assert "Closed by mistake." in page


def test_the_detail_page_says_why_it_cannot_go_back_to_draft(client, admin):
    edition = running_edition(EditionPhase.OPEN)
    ApplicationFactory(edition=edition)

    page = client.get(f"/admin/editions/{edition.id}").text

    assert (
        "Go back to “Draft”: The edition cannot go back to draft: it already has applications."
        in page
    )
    assert 'name="reason"' not in page


def test_an_unknown_phase_is_a_bad_request(client, admin):
    edition = edition_in(EditionPhase.DRAFT)

    assert client.post(f"/admin/editions/{edition.id}/phase", data={"to": "x"}).status_code == 400
