"""A reviewer's verbs: save a draft, finalize it, and the office's reopen; callers commit."""

from flask_babel import format_percent, format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from qpmusic.applications.models import Work
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Criterion
from qpmusic.enums import AssignmentStatus, Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.assignments import share_round
from qpmusic.jury.listening import heard_by_media, work_coverage
from qpmusic.jury.models import Assignment, Conflict, Score
from qpmusic.jury.review_checks import Joined, ReviewError, Shown, checked_text, checked_value
from qpmusic.timestamps import utcnow

# Float shares of a float duration: a juror who heard all of it must not miss by a rounding.
SHARE_TOLERANCE = 1e-6


def is_preselection(assignment: Assignment) -> bool:
    return assignment.round.kind == RoundKind.PRESELECTION


def is_conflicted(assignment: Assignment) -> bool:
    """Whether a conflict in force stands between the reviewer and the application."""
    conflict = db.session.scalar(
        select(Conflict).where(
            Conflict.edition_id == assignment.round.edition_id,
            Conflict.juror_id == assignment.juror_id,
            Conflict.application_id == assignment.application_id,
        )
    )
    return conflict is not None and conflict.is_effective


def _lock(assignment: Assignment) -> None:
    """Re-read the round, then the assignment, under row locks, and refuse pre-selection.

    The round is locked for share: saves go on side by side, while closing, reopening or
    rebuilding (which lock it for update) waits for them and they for it, so a save never
    lands in a round that was just closed, nor on a row a rebuild is deleting. The assignment
    is locked for update: a save from another tab committed since this request began must be
    seen here (its version), never overwritten.
    """
    share_round(assignment.round_id)
    row = db.session.execute(
        select(Assignment)
        .where(Assignment.id == assignment.id)
        .with_for_update(of=Assignment)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise ReviewError(_l("This application is no longer on your list."), code="gone")
    if is_preselection(assignment):
        raise ReviewError(
            _l("Pre-selection votes are cast on the screening page."), code="preselection"
        )


def stale_message(assignment: Assignment):
    changed = assignment.saved_at or assignment.finalized_at or utcnow()
    return _l(
        "This review was changed in another tab or on another device at %(time)s. Reload to "
        "see the latest version; your text is kept below.",
        time=Shown(lambda instant: format_time(instant, "short"), changed),
    )


def _check_writable(assignment: Assignment, version: int) -> None:
    if assignment.is_final:
        raise ReviewError(
            _l("This review is final. Ask the office to reopen it if you need to change it."),
            code="final",
        )
    if not assignment.round.is_open:
        raise ReviewError(_l("The scoring window of this round is closed."), code="closed")
    if is_conflicted(assignment):
        raise ReviewError(
            _l("You have a conflict of interest with this application, so you cannot review it."),
            code="conflict",
        )
    if version != assignment.version:
        raise ReviewError(stale_message(assignment), code="stale")


def _criteria(assignment: Assignment) -> dict[int, Criterion]:
    criteria = db.session.scalars(
        select(Criterion).where(Criterion.edition_id == assignment.round.edition_id)
    )
    return {criterion.id: criterion for criterion in criteria}


def _scores(assignment: Assignment) -> dict[int, Score]:
    scores = db.session.scalars(
        select(Score)
        .where(Score.assignment_id == assignment.id)
        .execution_options(populate_existing=True)
    )
    return {score.criterion_id: score for score in scores}


def save_draft(
    *,
    assignment: Assignment,
    version: int,
    values: dict,
    comments: dict | None = None,
    comment: str | None = None,
) -> Assignment:
    """Store what the reviewer has so far; refused if ``version`` is not the latest.

    ``values`` and ``comments`` are keyed by criterion id; a criterion left out keeps what it
    had. No audit event: drafts are saved every few seconds while the juror types; the
    finalized review is what gets recorded.
    """
    _lock(assignment)
    _check_writable(assignment, version)
    criteria = _criteria(assignment)
    comments = comments or {}
    unknown = (set(values) | set(comments)) - set(criteria)
    if unknown:
        raise ReviewError(_l("This criterion is not part of the edition."), code="invalid")
    checked = {cid: checked_value(criteria[cid], value) for cid, value in values.items()}
    texts = {cid: checked_text(text) for cid, text in comments.items()}
    scores = _scores(assignment)
    for criterion_id in sorted(set(checked) | set(texts)):
        score = scores.get(criterion_id)
        if score is None:
            score = Score(assignment_id=assignment.id, criterion_id=criterion_id)
            db.session.add(score)
        if criterion_id in checked:
            score.value = checked[criterion_id]
        if criterion_id in texts:
            score.comment = texts[criterion_id]
    if comment is not None:
        assignment.comment = checked_text(comment)
    assignment.version += 1
    assignment.status = AssignmentStatus.DRAFT
    assignment.saved_at = utcnow()
    db.session.flush()
    return assignment


def missing_for_final(assignment: Assignment) -> list[str]:
    """Why the review cannot be finalized yet (translated), empty when it can."""
    criteria = _criteria(assignment)
    scores = _scores(assignment)
    missing = [cid for cid in criteria if scores.get(cid) is None or scores[cid].value is None]
    if missing:
        return [_l("Give a score for every criterion (%(n)d missing).", n=len(missing))]
    return []


def listening_shortfalls(assignment: Assignment) -> list[str]:
    """The works heard less than the round's minimum share (translated), if it sets one."""
    minimum = assignment.round.min_listening_share
    if minimum is None or minimum <= 0:
        return []
    works = db.session.scalars(
        select(Work)
        .where(Work.application_id == assignment.application_id)
        .options(selectinload(Work.media))
        .order_by(Work.position)
    ).all()
    needed = float(minimum)
    return [
        _l(
            "You have heard %(heard)s of “%(title)s”; at least %(needed)s is needed.",
            heard=Shown(format_percent, coverage.share),
            title=coverage.title,
            needed=Shown(format_percent, needed),
        )
        for coverage in work_coverage(works, heard_by_media(assignment.id))
        if coverage.share + SHARE_TOLERANCE < needed
    ]


def finalize_review(*, assignment: Assignment, version: int) -> Assignment:
    """Lock the review: every criterion scored, enough of each work heard.

    Finalizing a review that is already final changes nothing, so a double click is harmless.
    """
    _lock(assignment)
    if assignment.is_final:
        return assignment
    _check_writable(assignment, version)
    problems = missing_for_final(assignment)
    if problems:
        raise ReviewError(Joined(problems), code="incomplete")
    shortfalls = listening_shortfalls(assignment)
    if shortfalls:
        raise ReviewError(Joined(shortfalls), code="listening")
    before = _state(assignment)
    assignment.status = AssignmentStatus.FINAL
    assignment.finalized_at = utcnow()
    assignment.version += 1
    db.session.flush()
    record_event(
        actor=assignment.juror,
        action="assignment.finalized",
        target=assignment,
        before=before,
        after=_state(assignment),
    )
    return assignment


def reopen_review(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """The office sends a final review back to draft, with a reason kept in the audit log."""
    if not actor.has_role(Role.ADMIN):
        raise ReviewError(_l("Only the office can reopen a review."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_l("Please give a reason for reopening the review."), code="invalid")
    _lock(assignment)
    if not assignment.round.is_open:
        # A closed round's reviews are what the jury deliberates on; they change only with it.
        raise ReviewError(_l("Reopen the round first."), code="closed")
    if not assignment.is_final:
        raise ReviewError(_l("This review is not final."), code="not_final")
    before = _state(assignment)
    assignment.status = AssignmentStatus.DRAFT
    assignment.finalized_at = None
    assignment.version += 1
    db.session.flush()
    record_event(
        actor=actor,
        action="assignment.reopened",
        target=assignment,
        before=before,
        after={**_state(assignment), "reason": reason},
    )
    return assignment


def _state(assignment: Assignment) -> dict:
    return {"status": assignment.status.value, "version": assignment.version}
