"""Conflicts of interest: declared by jurors, named by applicants, decided by the office."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import (
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    ConflictType,
    Role,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Round, Score
from qpmusic.timestamps import utcnow

CONFLICT_TYPE_LABELS = {
    ConflictType.TEACHER: _l("Teacher or student"),
    ConflictType.FAMILY: _l("Family"),
    ConflictType.ENSEMBLE: _l("Same ensemble or band"),
    ConflictType.LABEL: _l("Same label"),
    ConflictType.EMPLOYER: _l("Employer or conservatory"),
    ConflictType.OTHER: _l("Other"),
}
CONFLICT_SOURCE_LABELS = {
    ConflictSource.JUROR: _l("Declared by the juror"),
    ConflictSource.APPLICANT: _l("Named by the applicant"),
    ConflictSource.ADMIN: _l("Added by the office"),
}
CONFLICT_STATUS_LABELS = {
    ConflictStatus.DECLARED: _l("Declared"),
    ConflictStatus.CONFIRMED: _l("Confirmed"),
    ConflictStatus.DISMISSED: _l("Dismissed"),
}
NOTE_MAX_LENGTH = 2000


class ConflictError(Exception):
    """A conflict step that cannot be taken; the message is shown to the person."""


def effective_clause():
    """SQL for ``Conflict.is_effective``, for queries that join conflicts themselves."""
    return and_(
        Conflict.status != ConflictStatus.DISMISSED,
        or_(
            Conflict.status == ConflictStatus.CONFIRMED, Conflict.source != ConflictSource.APPLICANT
        ),
    )


def effective_conflicts(edition_id: int) -> set[tuple[int, int]]:
    """(juror_id, application_id) of every conflict in force in the edition, in one query."""
    rows = db.session.execute(
        select(Conflict.juror_id, Conflict.application_id).where(
            Conflict.edition_id == edition_id, effective_clause()
        )
    )
    return {(juror_id, application_id) for juror_id, application_id in rows}


def _state(conflict: Conflict) -> dict:
    return {
        "juror_id": conflict.juror_id,
        "application_id": conflict.application_id,
        "type": conflict.type.value,
        "note": conflict.note,
        "source": conflict.source.value,
        "status": conflict.status.value,
    }


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ConflictError(_l("Please keep the note under %(n)d characters.", n=NOTE_MAX_LENGTH))
    return note


def _locked(edition_id: int, juror_id: int, application_id: int) -> Conflict | None:
    return db.session.scalar(
        select(Conflict)
        .where(
            Conflict.edition_id == edition_id,
            Conflict.juror_id == juror_id,
            Conflict.application_id == application_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _reopen(conflict: Conflict) -> None:
    conflict.status = ConflictStatus.DECLARED
    conflict.decided_at = None
    conflict.decided_by = None


def _lock(conflict: Conflict) -> None:
    # Re-read under a lock, so two admins (or an admin and the juror) cannot decide at once.
    current = db.session.scalar(
        select(Conflict)
        .where(Conflict.id == conflict.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if current is None:
        raise ConflictError(_l("This conflict has been withdrawn in the meantime."))


def _pair(*, edition_id, juror_id, application_id, **values) -> tuple[Conflict, dict | None]:
    """The pair's conflict row, locked, with its state before (``None``: the row is new).

    Insert-or-nothing rather than check-then-insert: a double click sends two requests, and the
    second must find the first's row, not fail on the unique constraint.
    """
    key = {"edition_id": edition_id, "juror_id": juror_id, "application_id": application_id}
    conflict = _locked(**key)
    if conflict is not None:
        return conflict, _state(conflict)
    new_id = db.session.scalar(
        insert(Conflict)
        .values(**key, **values, declared_at=utcnow())
        .on_conflict_do_nothing()
        .returning(Conflict.id)
    )
    if new_id is not None:
        return db.session.get(Conflict, new_id), None
    conflict = _locked(**key)
    return conflict, _state(conflict)


def _open_assignments(*, edition_id: int, juror_id: int, application_id: int) -> list[Assignment]:
    """The juror's assignments on the application in the edition's open rounds, locked."""
    return db.session.scalars(
        select(Assignment)
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Round.edition_id == edition_id,
            Round.status == RoundStatus.OPEN,
            Assignment.juror_id == juror_id,
            Assignment.application_id == application_id,
        )
        .with_for_update(of=Assignment)
        .execution_options(populate_existing=True)
    ).all()


def _take_scores_out(assignments: list[Assignment]) -> int:
    """Empty the reviews: a score given under a conflict must never count, not even as a draft.

    The tally also leaves conflicted reviews out, but deleting the scores in open rounds means
    no page, export or later withdrawal can bring them back by accident. The version is bumped,
    so a save from a page opened before the conflict is refused as stale. The comment stays:
    it is the juror's own text and counts for nothing. Closed rounds are history and stay as
    they were; the tally sees the conflict there.
    """
    ids = [assignment.id for assignment in assignments]
    if not ids:
        return 0
    db.session.execute(
        delete(Score)
        .where(Score.assignment_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    for assignment in assignments:
        db.session.expire(assignment, ["scores"])
        assignment.status = AssignmentStatus.TODO
        assignment.recommendation = None
        assignment.finalized_at = None
        assignment.version += 1
    db.session.flush()
    return len(ids)


def _declarable_assignments(
    *, edition_id: int, juror_id: int, application_id: int
) -> list[Assignment]:
    """The juror's assignments on the application in open rounds, locked; refuses if too late.

    A conflict is declared while a round is open; after that it is the office's matter. A final
    review anywhere in the edition is part of a result, so the juror cannot void it on their own.
    """
    # FOR SHARE: a round closing at this moment waits until the declaration is through.
    open_rounds = set(
        db.session.scalars(
            select(Round.id)
            .where(Round.edition_id == edition_id, Round.status == RoundStatus.OPEN)
            .with_for_update(read=True)
        )
    )
    if not open_rounds:
        raise ConflictError(
            _l("A conflict can only be declared while a round is open; please contact the office.")
        )
    assignments = db.session.scalars(
        select(Assignment)
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Round.edition_id == edition_id,
            Assignment.juror_id == juror_id,
            Assignment.application_id == application_id,
        )
        .order_by(Assignment.id)
        .with_for_update(of=Assignment)
        .execution_options(populate_existing=True)
    ).all()
    if any(assignment.is_final for assignment in assignments):
        raise ConflictError(
            _l(
                "You have already finalized your review of this application. "
                "Please ask the office to reopen it before declaring a conflict."
            )
        )
    return [assignment for assignment in assignments if assignment.round_id in open_rounds]


def _restorable(conflict: Conflict) -> dict:
    """The state to give back on withdrawal, kept in the audit event of the take-over."""
    return {
        **_state(conflict),
        "decided_at": conflict.decided_at.isoformat() if conflict.decided_at else None,
        "decided_by_id": conflict.decided_by_id,
    }


def declare_conflict(
    *, juror: User, application: Application, edition: Edition, type, note: str
) -> Conflict:
    """The juror declares a conflict with the application; it counts at once.

    A row the applicant named (or the office added) that already counts is left as the office
    has it. One that does not count yet (undecided or dismissed) is taken over: type, note,
    source juror, so it counts; the audit event keeps its former state, and withdrawing gives
    it back instead of deleting what the applicant named.
    """
    if application.edition_id != edition.id:
        raise ValueError("the application belongs to another edition")
    note = _clean_note(note)
    assignments = _declarable_assignments(
        edition_id=edition.id, juror_id=juror.id, application_id=application.id
    )
    values = {"type": ConflictType(type), "note": note, "source": ConflictSource.JUROR}
    conflict, before = _pair(
        edition_id=edition.id,
        juror_id=juror.id,
        application_id=application.id,
        status=ConflictStatus.DECLARED,
        **values,
    )
    theirs = conflict.source == ConflictSource.JUROR
    # Someone else's row that already counts stays as the office has it.
    if before is not None and (theirs or not conflict.is_effective):
        if not theirs:
            before = _restorable(conflict)
        for name, value in values.items():
            setattr(conflict, name, value)
        # A confirmation by the office stays: the juror cannot undo it by declaring again.
        if conflict.status != ConflictStatus.CONFIRMED:
            _reopen(conflict)
    reset = _take_scores_out(assignments)
    db.session.flush()
    record_event(
        actor=juror,
        action="conflict.declared",
        target=conflict,
        before=before,
        after={**_state(conflict), "reviews_reset": reset},
    )
    return conflict


def _taken_over_from(conflict: Conflict) -> dict | None:
    """The state before the juror took the row over, or ``None`` if the juror created it.

    Only a take-over turns a row that was not the juror's into theirs; once given back the row
    is no longer theirs, so the latest take-over is the one that stands.
    """
    events = db.session.execute(
        select(AuditEvent.before, AuditEvent.after)
        .where(
            AuditEvent.target_type == Conflict.__tablename__,
            AuditEvent.target_id == conflict.id,
            AuditEvent.action == "conflict.declared",
        )
        .order_by(AuditEvent.id.desc())
    )
    for before, after in events:
        juror_before = before is None or before.get("source") == ConflictSource.JUROR.value
        if not juror_before and (after or {}).get("source") == ConflictSource.JUROR.value:
            return before
    return None


def _give_back(conflict: Conflict, state: dict) -> None:
    conflict.type = ConflictType(state["type"])
    conflict.note = state["note"]
    conflict.source = ConflictSource(state["source"])
    conflict.status = ConflictStatus(state["status"])
    decided_at = state.get("decided_at")
    conflict.decided_at = datetime.fromisoformat(decided_at) if decided_at else None
    decided_by_id = state.get("decided_by_id")
    conflict.decided_by = db.session.get(User, decided_by_id) if decided_by_id else None


def withdraw_conflict(*, juror: User, conflict: Conflict) -> None:
    """The juror takes back their own declaration while a round is open and undecided."""
    _lock(conflict)
    if conflict.juror_id != juror.id or conflict.source != ConflictSource.JUROR:
        raise ConflictError(_l("Only a conflict you declared yourself can be withdrawn."))
    if conflict.status != ConflictStatus.DECLARED:
        raise ConflictError(
            _l("The office has already decided on this conflict; please contact the office.")
        )
    open_round = db.session.scalar(
        select(Round.id).where(
            Round.edition_id == conflict.edition_id, Round.status == RoundStatus.OPEN
        )
    )
    if open_round is None:
        raise ConflictError(_l("A conflict can only be withdrawn while a round is open."))
    before = _state(conflict)
    taken_over_from = _taken_over_from(conflict)
    if taken_over_from is None:
        record_event(actor=juror, action="conflict.withdrawn", target=conflict, before=before)
        db.session.delete(conflict)
        db.session.flush()
        return
    # What the applicant named (or the office added) is not the juror's to delete.
    _give_back(conflict, taken_over_from)
    db.session.flush()
    record_event(
        actor=juror,
        action="conflict.withdrawn",
        target=conflict,
        before=before,
        after=_state(conflict),
    )


def name_relationship(*, application: Application, juror: User, type, note: str) -> Conflict:
    """The applicant names a relationship with a juror; it counts once the office confirms it."""
    note = _clean_note(note)
    member = db.session.scalar(
        select(JuryMember.id).where(
            JuryMember.edition_id == application.edition_id,
            JuryMember.user_id == juror.id,
            JuryMember.role == Role.JUROR,
        )
    )
    if member is None:
        raise ConflictError(_l("This person is not on the jury of this edition."))
    values = {"type": ConflictType(type), "note": note}
    conflict, before = _pair(
        edition_id=application.edition_id,
        juror_id=juror.id,
        application_id=application.id,
        source=ConflictSource.APPLICANT,
        status=ConflictStatus.DECLARED,
        **values,
    )
    if before is not None:
        if conflict.source != ConflictSource.APPLICANT:
            return conflict  # the juror's own declaration already counts; it is left as it is
        changed = any(getattr(conflict, name) != value for name, value in values.items())
        for name, value in values.items():
            setattr(conflict, name, value)
        # New facts deserve a new look: a dismissed naming that changes waits for the office again.
        if changed and conflict.status == ConflictStatus.DISMISSED:
            _reopen(conflict)
    db.session.flush()
    record_event(
        actor=application.applicant,
        action="conflict.named",
        target=conflict,
        before=before,
        after=_state(conflict),
    )
    return conflict


def _decide(conflict: Conflict, actor: User, status: ConflictStatus) -> dict:
    before = _state(conflict)
    conflict.status = status
    conflict.decided_at = utcnow()
    conflict.decided_by = actor
    return before


def confirm_conflict(*, actor: User, conflict: Conflict) -> None:
    """The office confirms a conflict: it counts, and the juror's open-round reviews are emptied.

    Finalized ones included: an applicant-named conflict may be confirmed after the juror
    finished, and the review must not count either way.
    """
    # Assignments before the conflict, in the order declare_conflict takes them: a juror
    # declaring while the office confirms then waits instead of deadlocking.
    assignments = _open_assignments(
        edition_id=conflict.edition_id,
        juror_id=conflict.juror_id,
        application_id=conflict.application_id,
    )
    _lock(conflict)
    if conflict.status == ConflictStatus.CONFIRMED:
        raise ConflictError(_l("This conflict has already been confirmed."))
    before = _decide(conflict, actor, ConflictStatus.CONFIRMED)
    reset = _take_scores_out(assignments)
    db.session.flush()
    record_event(
        actor=actor,
        action="conflict.confirmed",
        target=conflict,
        before=before,
        after={**_state(conflict), "reviews_reset": reset},
    )


def dismiss_conflict(*, actor: User, conflict: Conflict, reason: str) -> None:
    """The office dismisses a conflict, saying why; it then never counts."""
    reason = (reason or "").strip()
    if not reason:
        raise ConflictError(_l("Please give a reason for dismissing the conflict."))
    _lock(conflict)
    if conflict.status == ConflictStatus.DISMISSED:
        raise ConflictError(_l("This conflict has already been dismissed."))
    before = _decide(conflict, actor, ConflictStatus.DISMISSED)
    db.session.flush()
    record_event(
        actor=actor,
        action="conflict.dismissed",
        target=conflict,
        before=before,
        after={**_state(conflict), "reason": reason},
    )
