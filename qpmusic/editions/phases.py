"""An edition's phase: one step at a time, forward when the guards allow, back with a reason."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.editions.services import LANGUAGES, EditionError
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db
from qpmusic.results.models import Award
from qpmusic.timestamps import utcnow

ORDER = list(EditionPhase)


def next_phase(phase: EditionPhase) -> EditionPhase | None:
    index = ORDER.index(phase)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def previous_phase(phase: EditionPhase) -> EditionPhase | None:
    index = ORDER.index(phase)
    return ORDER[index - 1] if index > 0 else None


def _count_applications(edition: Edition, status: ApplicationStatus) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.edition_id == edition.id, Application.status == status)
    )


def _has_applications(edition: Edition) -> bool:
    return (
        db.session.scalar(
            select(Application.id).where(Application.edition_id == edition.id).limit(1)
        )
        is not None
    )


def _other_open_edition(edition: Edition) -> Edition | None:
    return db.session.scalar(
        select(Edition).where(Edition.phase == EditionPhase.OPEN, Edition.id != edition.id).limit(1)
    )


def _open_problem(edition: Edition, now: datetime):
    if not all(getattr(edition, f"title_{lang}", "").strip() for lang in LANGUAGES):
        return _l("The call needs a title in German, French and English before it opens.")
    if edition.closes_at <= now:
        return _l("The call window has already ended; move the closing date into the future first.")
    if not edition.criteria:
        return _l("Add at least one scoring criterion before the call opens.")
    other = _other_open_edition(edition)
    if other is not None:
        return _l("The call of %(year)s is still open; only one call may be open.", year=other.year)
    return None


def _forward_problem(edition: Edition, to: EditionPhase, now: datetime):
    """Why ``edition`` cannot move forward to ``to`` now, or None."""
    if to == EditionPhase.OPEN:
        return _open_problem(edition, now)
    if to == EditionPhase.CLOSED and now < edition.closes_at:
        return _l("The call can only be closed once its deadline has passed.")
    if to == EditionPhase.JURY:
        if not edition.criteria:
            return _l("The jury needs at least one scoring criterion.")
        if not _count_applications(edition, ApplicationStatus.SHORTLISTED):
            return _l("The jury phase needs at least one shortlisted application.")
    if to == EditionPhase.FINAL and not _count_applications(edition, ApplicationStatus.FINALIST):
        return _l("The final needs at least one finalist.")
    if to == EditionPhase.PUBLISHED:
        awarded = db.session.scalar(
            select(func.count()).select_from(Award).where(Award.edition_id == edition.id)
        )
        if not awarded:
            return _l("Record the prize winner before publishing the results.")
    return None


def back_problem(*, edition: Edition, to: EditionPhase, now: datetime):
    """Why ``edition`` cannot go back to ``to`` whatever the reason given, or None."""
    if to == EditionPhase.DRAFT and _has_applications(edition):
        # A draft edition is invisible: its applicants would lose their application.
        return _l("The edition cannot go back to draft: it already has applications.")
    if to == EditionPhase.OPEN:
        # Reopening must respect the same window and one-open-call rules as opening.
        return _open_problem(edition, now)
    return None


def phase_problem(*, edition: Edition, to: EditionPhase, now: datetime, reason: str = ""):
    """Why the phase cannot change to ``to`` (a translated message), or None if it may."""
    if to == next_phase(edition.phase):
        return _forward_problem(edition, to, now)
    if to == previous_phase(edition.phase):
        problem = back_problem(edition=edition, to=to, now=now)
        if problem is None and not reason.strip():
            return _l("Please give a reason for going back a phase.")
        return problem
    return _l("An edition moves one phase at a time.")


def change_phase(
    *, edition: Edition, to: EditionPhase, actor, now: datetime | None = None, reason: str = ""
) -> Edition:
    """Move ``edition`` one phase forward or (with a reason) back, guarded and logged."""
    now = now or utcnow()
    problem = phase_problem(edition=edition, to=to, now=now, reason=reason)
    # "is not None": a lazy message's truth value would need a locale (none in a task).
    if problem is not None:
        raise EditionError(problem)
    before = edition.phase
    edition.phase = to
    db.session.flush()
    after = {"phase": to.value}
    if reason.strip():
        after["reason"] = reason.strip()
    record_event(
        actor=actor,
        action="edition.phase_changed",
        target=edition,
        before={"phase": before.value},
        after=after,
    )
    return edition


def close_ended_calls(*, now: datetime | None = None) -> list[Edition]:
    """Close every open call whose deadline has passed; running it again changes nothing."""
    now = now or utcnow()
    # Locked rows (an admin closing the same call right now) are left for the next run.
    ended = db.session.scalars(
        select(Edition)
        .where(Edition.phase == EditionPhase.OPEN, Edition.closes_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for edition in ended:
        change_phase(edition=edition, to=EditionPhase.CLOSED, actor=None, now=now)
    return ended
