"""Pre-selection votes: each coordinator's yes / maybe / no with a comment, and their tally.

A vote is the coordinator's Assignment in the edition's pre-selection round: saving it makes
it final at once, and it may be changed while the round is open. Callers own the transaction.
"""

from dataclasses import dataclass, field

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import joinedload

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    Recommendation,
    RoundKind,
)
from qpmusic.extensions import db
from qpmusic.jury.assignments import share_round
from qpmusic.jury.conflicts import effective_clause
from qpmusic.jury.models import Assignment, Conflict, Round
from qpmusic.screening.services import ScreeningError

VOTABLE = frozenset({ApplicationStatus.ELIGIBLE, ApplicationStatus.SHORTLISTED})
COMMENT_MAX_LENGTH = 5000


class VoteError(ScreeningError):
    """A refused vote; ``stale`` when another tab saved since the page was loaded."""

    def __init__(self, message, *, stale: bool = False):
        super().__init__(message)
        self.stale = stale


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    maybe: int = 0
    no: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.maybe + self.no


@dataclass
class Tallies:
    """Per application id; ``has_round`` says whether the edition has a pre-selection round."""

    has_round: bool = False
    by_application: dict[int, Tally] = field(default_factory=dict)

    def of(self, application_id: int) -> Tally:
        return self.by_application.get(application_id, Tally())


def preselection_round(edition_id: int) -> Round | None:
    return db.session.scalar(
        select(Round).where(Round.edition_id == edition_id, Round.kind == RoundKind.PRESELECTION)
    )


def under_conflict():
    """SQL: the assignment's reviewer has a conflict in force with its application.

    A conflict only clears votes while the round is open, so a vote cast before it (or kept
    once the round closed) stays stored and must be left out of every count.
    """
    return exists(
        select(Conflict.id).where(
            Conflict.edition_id == Round.edition_id,
            Conflict.juror_id == Assignment.juror_id,
            Conflict.application_id == Assignment.application_id,
            effective_clause(),
        )
    )


def tallies(edition_id: int) -> Tallies:
    """Every application's counted votes in one query (a round with no vote yet gives one row)."""
    votes = and_(
        Assignment.round_id == Round.id,
        Assignment.status == AssignmentStatus.FINAL,
        Assignment.recommendation.is_not(None),
        ~under_conflict(),
    )
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.recommendation, func.count(Assignment.id))
        .select_from(Round)
        .outerjoin(Assignment, votes)
        .where(Round.edition_id == edition_id, Round.kind == RoundKind.PRESELECTION)
        .group_by(Assignment.application_id, Assignment.recommendation)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for application_id, recommendation, number in rows:
        if application_id is not None:
            counts.setdefault(application_id, {})[recommendation.value] = number
    return Tallies(
        has_round=bool(rows),
        by_application={key: Tally(**value) for key, value in counts.items()},
    )


def votes_on(application: Application, round_: Round | None) -> list[Assignment]:
    """Every reviewer's assignment on the application in the round, with who they are."""
    if round_ is None:
        return []
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.round_id == round_.id, Assignment.application_id == application.id)
            .options(joinedload(Assignment.juror))
            .order_by(Assignment.juror_id)
        )
    )


def conflicted_reviewers(application: Application) -> set[int]:
    """Ids of the reviewers with a conflict in force on the application: their votes don't count."""
    return set(
        db.session.scalars(
            select(Conflict.juror_id).where(
                Conflict.edition_id == application.edition_id,
                Conflict.application_id == application.id,
                effective_clause(),
            )
        )
    )


def tally_of(assignments: list[Assignment], *, conflicted: set[int]) -> Tally:
    """The counted votes among ``assignments``; ``conflicted`` reviewers' votes are left out."""
    counts = {kind.value: 0 for kind in Recommendation}
    for assignment in assignments:
        if assignment.juror_id in conflicted:
            continue
        if assignment.is_final and assignment.recommendation is not None:
            counts[assignment.recommendation.value] += 1
    return Tally(**counts)


def current_version(application: Application, actor) -> int | None:
    return db.session.scalar(
        select(Assignment.version)
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Round.edition_id == application.edition_id,
            Round.kind == RoundKind.PRESELECTION,
            Assignment.application_id == application.id,
            Assignment.juror_id == actor.id,
        )
    )


def may_vote(
    application: Application, round_: Round | None, mine: Assignment | None, *, conflicted: set[int]
) -> bool:
    return (
        round_ is not None
        and round_.is_open
        and mine is not None
        and mine.juror_id not in conflicted
        and application.status in VOTABLE
    )


def _lock_mine(round_id: int, application: Application, actor) -> Assignment | None:
    # Re-read under a row lock: a vote from another tab committed since the page loaded must be
    # seen here (its version), never silently overwritten.
    return db.session.execute(
        select(Assignment)
        .where(
            Assignment.round_id == round_id,
            Assignment.application_id == application.id,
            Assignment.juror_id == actor.id,
        )
        .with_for_update(of=Assignment)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _conflicted(assignment: Assignment, edition_id: int) -> bool:
    conflict = db.session.scalar(
        select(Conflict).where(
            Conflict.edition_id == edition_id,
            Conflict.juror_id == assignment.juror_id,
            Conflict.application_id == assignment.application_id,
        )
    )
    return conflict is not None and conflict.is_effective


def _state(assignment: Assignment) -> dict:
    recommendation = assignment.recommendation
    return {
        "assignment_id": assignment.id,
        "recommendation": recommendation.value if recommendation else None,
        "comment": assignment.comment,
        "version": assignment.version,
    }


class _Time:
    """A time formatted when the message is shown, in the reader's locale."""

    def __init__(self, instant):
        self.instant = instant

    def __str__(self) -> str:
        return format_time(self.instant, "short")


def cast_vote(
    *,
    application: Application,
    actor,
    recommendation: str,
    comment: str,
    version: int,
    now,
) -> Assignment:
    """Save ``actor``'s vote on ``application`` in the open pre-selection round."""
    round_ = preselection_round(application.edition_id)
    if round_ is None:
        raise VoteError(_l("This edition has no pre-selection round."))
    # Round first, then the vote: the same order as closing the round, so no deadlock; the
    # status is read after the lock, whatever the caller's session had loaded before.
    round_ = share_round(round_.id)
    mine = _lock_mine(round_.id, application, actor)
    if mine is None:
        raise VoteError(_l("You have no vote on this application in the pre-selection."))
    if not round_.is_open:
        raise VoteError(_l("The pre-selection round is closed; votes can no longer change."))
    if application.status not in VOTABLE:
        raise VoteError(_l("Only eligible applications are voted on."))
    if _conflicted(mine, application.edition_id):
        raise VoteError(
            _l("You have a conflict of interest with this application, so you cannot vote on it.")
        )
    if version != mine.version:
        raise VoteError(
            _l(
                "Your vote was changed in another tab or on another device at %(time)s. "
                "It is shown below; your text is kept in the form, save it again to replace it.",
                time=_Time(mine.saved_at or now),
            ),
            stale=True,
        )
    comment = (comment or "").strip()
    if not comment:
        raise VoteError(_l("Write a comment on your vote."))
    if len(comment) > COMMENT_MAX_LENGTH:
        raise VoteError(_l("Please keep a comment under %(n)d characters.", n=COMMENT_MAX_LENGTH))
    before = _state(mine)
    mine.recommendation = Recommendation(recommendation)
    mine.comment = comment
    mine.status = AssignmentStatus.FINAL
    mine.saved_at = now
    mine.finalized_at = now
    mine.version += 1
    db.session.flush()
    record_event(
        actor=actor,
        action="application.preselection_vote",
        target=application,
        before=before,
        after=_state(mine),
    )
    return mine
