"""Look-ups behind the reviewer's pages: their list by round, and one assignment with its data.

The list takes the same handful of queries for 10 or 500 assignments: rounds, assignments with
their application's reference and name, and the reviewer's conflicts, each in one query.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, DecimalException

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application, Work
from qpmusic.editions.models import Edition
from qpmusic.enums import EditionPhase, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.listening import heard_by_media, work_coverage
from qpmusic.jury.models import Assignment, Conflict, Round
from qpmusic.jury.review_forms import plain_number
from qpmusic.timestamps import utcnow

# A closed round stays on the reviewer's list this long, for the deliberation.
RECENTLY_CLOSED = timedelta(days=30)
CONFLICT = "conflict"


@dataclass(frozen=True)
class ListedAssignment:
    assignment: Assignment
    # "todo", "draft", "final" or "conflict" (a conflict in force outranks the review's state).
    state: str
    conflict: Conflict | None


@dataclass
class RoundList:
    round: Round
    blind: bool
    items: list[ListedAssignment] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(item.state for item in self.items)

    @property
    def done(self) -> int:
        counts = self.counts
        return counts["final"] + counts[CONFLICT]

    @property
    def to_do(self) -> int:
        counts = self.counts
        return counts["todo"] + counts["draft"]

    @property
    def conflicts_first(self) -> bool:
        """Nothing scored yet and something to do: the moment to go through conflicts."""
        states = {item.state for item in self.items}
        return self.round.is_open and "todo" in states and states <= {"todo", CONFLICT}


def sees_names(user, edition: Edition) -> bool:
    """Names are hidden from jurors in a blind edition; the office knows who applied anyway."""
    return not edition.blind_review or user.has_role(Role.COORDINATOR, Role.ADMIN)


def _state(assignment: Assignment, conflict: Conflict | None) -> str:
    if conflict is not None and conflict.is_effective:
        return CONFLICT
    return assignment.status.value


def reviewer_rounds(user) -> list[RoundList]:
    """The user's assignments in open and recently closed rounds, grouped by round."""
    cutoff = utcnow() - RECENTLY_CLOSED
    rounds = db.session.scalars(
        select(Round)
        .join(Edition, Round.edition_id == Edition.id)
        .where(
            Edition.phase != EditionPhase.ARCHIVED,
            Round.id.in_(select(Assignment.round_id).where(Assignment.juror_id == user.id)),
            or_(
                Round.status == RoundStatus.OPEN,
                and_(Round.status == RoundStatus.CLOSED, Round.closed_at >= cutoff),
            ),
        )
        .options(contains_eager(Round.edition))
        .order_by(Edition.year.desc(), Round.kind)
    ).all()
    if not rounds:
        return []
    assignments = db.session.scalars(
        select(Assignment)
        .join(Application, Assignment.application_id == Application.id)
        .where(Assignment.juror_id == user.id, Assignment.round_id.in_([r.id for r in rounds]))
        .options(
            contains_eager(Assignment.application).load_only(
                Application.id, Application.reference, Application.artist_name
            )
        )
        .order_by(Application.reference, Application.id)
    ).all()
    conflicts = db.session.scalars(
        select(Conflict).where(
            Conflict.juror_id == user.id,
            Conflict.edition_id.in_({r.edition_id for r in rounds}),
        )
    ).all()
    by_pair = {(c.edition_id, c.application_id): c for c in conflicts}
    lists = {r.id: RoundList(r, blind=not sees_names(user, r.edition)) for r in rounds}
    for assignment in assignments:
        listed = lists[assignment.round_id]
        conflict = by_pair.get((listed.round.edition_id, assignment.application_id))
        shown = conflict if conflict is not None and conflict.is_effective else None
        listed.items.append(ListedAssignment(assignment, _state(assignment, conflict), shown))
    return list(lists.values())


def own_assignment(user, assignment_id: int) -> Assignment | None:
    """The assignment with what its page shows, if ``user`` is its reviewer; else None."""
    return db.session.scalar(
        select(Assignment)
        .where(Assignment.id == assignment_id, Assignment.juror_id == user.id)
        .options(
            joinedload(Assignment.round).joinedload(Round.edition),
            joinedload(Assignment.application)
            .selectinload(Application.works)
            .selectinload(Work.media),
            # The page names the applicant (unless blind); their roles are not needed.
            joinedload(Assignment.application)
            .joinedload(Application.applicant)
            .lazyload(User.role_rows),
            selectinload(Assignment.scores),
        )
    )


def conflict_of(assignment: Assignment) -> Conflict | None:
    """The reviewer's conflict with the application, whatever its state."""
    return db.session.scalar(
        select(Conflict).where(
            Conflict.edition_id == assignment.round.edition_id,
            Conflict.juror_id == assignment.juror_id,
            Conflict.application_id == assignment.application_id,
        )
    )


def coverage_by_work(assignment: Assignment) -> dict:
    """The reviewer's own listening per work id (works with a playable file of known length)."""
    heard = heard_by_media(assignment.id)
    return {c.work_id: c for c in work_coverage(assignment.application.works, heard)}


def saved_fields(assignment: Assignment) -> dict[str, str]:
    """The saved review as form field values (``score-<id>``, ``comment-<id>``, ``comment``)."""
    values = {"comment": assignment.comment or ""}
    for score in assignment.scores:
        values[f"score-{score.criterion_id}"] = plain_number(score.value)
        values[f"comment-{score.criterion_id}"] = score.comment or ""
    return values


def _comparable(name: str, value: str) -> str:
    """A field as the review stores it: text trimmed, a number written plainly ("8,0" → "8")."""
    value = (value or "").replace("\r\n", "\n").strip()
    if name.startswith("score-") and value:
        try:
            return plain_number(Decimal(value.replace(",", ".")))
        except DecimalException:  # not a number, or too large to write out ("1e10000000")
            return value
    return value


def matches_saved(typed: dict[str, str], assignment: Assignment) -> bool:
    """Whether every field the form sent already holds that value in the saved review."""
    saved = saved_fields(assignment)
    return all(
        _comparable(name, value) == _comparable(name, saved.get(name, ""))
        for name, value in typed.items()
    )
