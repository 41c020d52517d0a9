"""Screening verbs: eligibility decisions, notes and the shortlist; callers own the transaction."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.display import moment
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db
from qpmusic.screening.models import ScreeningNote

# Once the jury has the shortlist, changing it would change what jurors score.
CLOSED_PHASES = frozenset(
    {EditionPhase.JURY, EditionPhase.FINAL, EditionPhase.PUBLISHED, EditionPhase.ARCHIVED}
)
SCREENABLE = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE}
)
NOTE_MAX_LENGTH = 5000


class ScreeningError(Exception):
    """A screening step that cannot be taken; the message is shown to the coordinator."""


def screening_closed(application: Application) -> bool:
    return application.edition.phase in CLOSED_PHASES


def screening_not_started(application: Application, *, now) -> bool:
    """While the call runs, the applicant may still edit; a decision would take that away."""
    return application.edition.is_open(now)


def not_started_message(application: Application) -> str:
    return _l(
        "Screening starts after the deadline, %(deadline)s.",
        deadline=moment(application.edition.closes_at),
    )


def can_decide(application: Application, *, now) -> bool:
    return (
        application.status in SCREENABLE
        and not screening_closed(application)
        and not screening_not_started(application, now=now)
    )


def _lock(application: Application) -> None:
    # Re-read the row under a lock: a withdrawal committed since the page loaded must be seen
    # and refused here, never overwritten by a decision.
    # A plain SELECT, not refresh(): the page's eager joins cannot take FOR UPDATE.
    db.session.execute(
        select(Application)
        .where(Application.id == application.id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _check_open(application: Application, *, now) -> None:
    _lock(application)
    if application.status == ApplicationStatus.DRAFT:
        raise ScreeningError(_l("This application has not been submitted yet."))
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ScreeningError(_l("This application has been withdrawn by the applicant."))
    if screening_closed(application):
        raise ScreeningError(_l("Screening is closed: this edition has reached the jury phase."))
    if screening_not_started(application, now=now):
        raise ScreeningError(not_started_message(application))


def _check_screenable(application: Application, *, now) -> None:
    _check_open(application, now=now)
    if application.status not in SCREENABLE:
        raise ScreeningError(
            _l("This application is on or past the shortlist; remove it from the shortlist first.")
        )


def _state(application: Application) -> dict:
    return {"status": application.status.value, "screening_reason": application.screening_reason}


def _decide(
    *, application: Application, actor, status: ApplicationStatus, reason: str, action: str, now
) -> None:
    before = _state(application)
    application.status = status
    application.screening_reason = reason
    application.screened_at = now
    application.screened_by = actor
    db.session.flush()
    record_event(
        actor=actor, action=action, target=application, before=before, after=_state(application)
    )


def _move(application: Application, actor, status: ApplicationStatus, action: str) -> None:
    before = _state(application)
    application.status = status
    db.session.flush()
    record_event(
        actor=actor, action=action, target=application, before=before, after=_state(application)
    )


def mark_eligible(*, application: Application, actor, now, reason: str = "") -> None:
    """Record that the application meets the rules; the reason is optional."""
    _check_screenable(application, now=now)
    _decide(
        application=application,
        actor=actor,
        status=ApplicationStatus.ELIGIBLE,
        reason=(reason or "").strip(),
        action="application.marked_eligible",
        now=now,
    )


def mark_ineligible(*, application: Application, actor, now, reason: str) -> None:
    """Record that the application does not meet the rules; the applicant deserves a reason."""
    reason = (reason or "").strip()
    _check_screenable(application, now=now)
    if not reason:
        raise ScreeningError(_l("Please give a reason why the application is not eligible."))
    _decide(
        application=application,
        actor=actor,
        status=ApplicationStatus.INELIGIBLE,
        reason=reason,
        action="application.marked_ineligible",
        now=now,
    )


def shortlist(*, application: Application, actor, now) -> None:
    """Put an eligible application on the shortlist the jury will score."""
    _check_open(application, now=now)
    if application.status == ApplicationStatus.SHORTLISTED:
        raise ScreeningError(_l("This application is already on the shortlist."))
    if application.status != ApplicationStatus.ELIGIBLE:
        raise ScreeningError(_l("Only eligible applications can be shortlisted."))
    _move(application, actor, ApplicationStatus.SHORTLISTED, "application.shortlisted")


def remove_from_shortlist(*, application: Application, actor, now) -> None:
    """Take an application off the shortlist; it stays eligible and can be shortlisted again.

    ``not_shortlisted`` is left for the end of pre-selection, when every eligible application
    that did not make it is told so; until then, leaving the list is only a change of mind.
    """
    _check_open(application, now=now)
    if application.status != ApplicationStatus.SHORTLISTED:
        raise ScreeningError(_l("This application is not on the shortlist."))
    _move(application, actor, ApplicationStatus.ELIGIBLE, "application.removed_from_shortlist")


def add_note(*, application: Application, author, body: str) -> ScreeningNote:
    """Add a coordinators' note; notes are internal and never shown to the applicant."""
    body = (body or "").strip()
    if application.status == ApplicationStatus.DRAFT:
        raise ScreeningError(_l("This application has not been submitted yet."))
    if not body:
        raise ScreeningError(_l("Please write a note."))
    if len(body) > NOTE_MAX_LENGTH:
        raise ScreeningError(_l("Please keep a note under %(n)d characters.", n=NOTE_MAX_LENGTH))
    note = ScreeningNote(application_id=application.id, author=author, body=body)
    db.session.add(note)
    db.session.flush()
    state = {"status": application.status.value}
    record_event(
        actor=author,
        action="application.note_added",
        target=application,
        before=state,
        after={**state, "note_id": note.id},
    )
    return note
