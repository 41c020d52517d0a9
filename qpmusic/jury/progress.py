"""The office's view of a round: every reviewer's state and listening on every application."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application, Work
from qpmusic.enums import (
    AssignmentStatus,
    MediaKind,
    MediaStatus,
    Role,
    RoundKind,
)
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.jury.conflicts import effective_clause, effective_conflicts
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Listening, Round
from qpmusic.media.models import MediaFile

# Cell states; "none" is a juror not assigned to the application (and not conflicted).
TODO, DRAFT, FINAL, CONFLICT, NONE = "todo", "draft", "final", "conflict", "none"
OUTSTANDING = (AssignmentStatus.TODO, AssignmentStatus.DRAFT)


@dataclass
class Tally:
    final: int = 0
    draft: int = 0
    todo: int = 0
    conflict: int = 0

    def add(self, state: str) -> None:
        if state != NONE:
            setattr(self, state, getattr(self, state) + 1)

    def merge(self, other: "Tally") -> None:
        for name in (FINAL, DRAFT, TODO, CONFLICT):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def reviews(self) -> int:
        """Reviews someone has to write: conflicts are not among them."""
        return self.final + self.draft + self.todo

    @property
    def percent_final(self) -> int | None:
        return round(100 * self.final / self.reviews) if self.reviews else None


@dataclass
class Cell:
    state: str
    # Share (0 to 1) of the application's recordings heard; None without timed recordings.
    heard: float | None = None


@dataclass
class Reviewer:
    user_id: int
    name: str
    email: str
    city_id: int | None
    city_name: str
    tally: Tally = field(default_factory=Tally)
    heard_seconds: float = 0.0
    duration_seconds: float = 0.0

    @property
    def heard(self) -> float | None:
        return self.heard_seconds / self.duration_seconds if self.duration_seconds else None

    @property
    def is_late(self) -> bool:
        return self.tally.todo + self.tally.draft > 0


@dataclass
class CityGroup:
    city_id: int | None
    name: str
    reviewers: list[Reviewer]
    tally: Tally = field(default_factory=Tally)


@dataclass
class Row:
    application_id: int
    reference: str
    cells: list[Cell]
    tally: Tally = field(default_factory=Tally)


@dataclass
class Progress:
    round: Round
    groups: list[CityGroup]
    rows: list[Row]
    tally: Tally

    @property
    def reviewers(self) -> list[Reviewer]:
        return [r for group in self.groups for r in group.reviewers]

    @property
    def late(self) -> list[Reviewer]:
        """Reviewers with a review neither final nor conflicted, while the round is open."""
        return [r for r in self.reviewers if r.is_late] if self.round.is_open else []


def round_for_office(round_id: int) -> Round | None:
    return db.session.scalar(
        select(Round).options(joinedload(Round.edition)).where(Round.id == round_id)
    )


def reviewer_role(round_: Round) -> Role:
    return Role.COORDINATOR if round_.kind == RoundKind.PRESELECTION else Role.JUROR


def round_progress(round_: Round, *, language: str) -> Progress:
    """The matrix in a fixed handful of queries, however many applications and jurors."""
    assigned_ids = select(Assignment.application_id).where(Assignment.round_id == round_.id)
    assignments = db.session.execute(
        select(
            Assignment.id, Assignment.juror_id, Assignment.application_id, Assignment.status
        ).where(Assignment.round_id == round_.id)
    ).all()
    applications = db.session.execute(
        select(Application.id, Application.reference)
        .where(Application.id.in_(assigned_ids))
        .order_by(Application.reference.nulls_last(), Application.id)
    ).all()
    conflicts = effective_conflicts(round_.edition_id)
    heard = dict(db.session.execute(_heard_per_assignment(round_.id)).all())
    durations = dict(db.session.execute(_duration_per_application(assigned_ids)).all())
    groups = _reviewers_by_city(round_, language=language)

    by_pair = {(a.juror_id, a.application_id): a for a in assignments}
    overall = Tally()
    rows = []
    for application_id, reference in applications:
        row = Row(application_id, reference or f"#{application_id}", [])
        duration = durations.get(application_id) or 0.0
        for reviewer in (r for g in groups for r in g.reviewers):
            pair = (reviewer.user_id, application_id)
            assignment = by_pair.get(pair)
            if pair in conflicts:
                cell = Cell(CONFLICT)
            elif assignment is None:
                cell = Cell(NONE)
            else:
                seconds = float(heard.get(assignment.id) or 0.0)
                cell = Cell(str(assignment.status), seconds / duration if duration else None)
                reviewer.heard_seconds += seconds
                reviewer.duration_seconds += duration
            row.cells.append(cell)
            row.tally.add(cell.state)
            reviewer.tally.add(cell.state)
        overall.merge(row.tally)
        rows.append(row)
    for group in groups:
        for reviewer in group.reviewers:
            group.tally.merge(reviewer.tally)
    return Progress(round_, groups, rows, overall)


def _heard_per_assignment(round_id: int):
    # What was heard beyond a file's length (a replayed ending) does not count twice; CASE
    # rather than LEAST, which SQLite (the embedded setup) lacks.
    capped = case(
        (Listening.heard_seconds < MediaFile.duration_seconds, Listening.heard_seconds),
        else_=MediaFile.duration_seconds,
    )
    return (
        select(Listening.assignment_id, func.sum(capped))
        .join(Assignment, Assignment.id == Listening.assignment_id)
        .join(MediaFile, MediaFile.id == Listening.media_file_id)
        .join(Work, Work.id == MediaFile.work_id)
        .where(
            Assignment.round_id == round_id,
            Work.application_id == Assignment.application_id,
            *_timed_media(),
        )
        .group_by(Listening.assignment_id)
    )


def _duration_per_application(application_ids):
    return (
        select(Work.application_id, func.sum(MediaFile.duration_seconds))
        .join(MediaFile, MediaFile.work_id == Work.id)
        .where(Work.application_id.in_(application_ids), *_timed_media())
        .group_by(Work.application_id)
    )


def _timed_media() -> tuple:
    """The recordings a juror can play to the end: ready sound or video with a known length."""
    return (
        MediaFile.kind.in_((MediaKind.AUDIO, MediaKind.VIDEO)),
        MediaFile.status == MediaStatus.READY,
        MediaFile.duration_seconds > 0,
    )


def _reviewers_by_city(round_: Round, *, language: str) -> list[CityGroup]:
    """Members with the round's reviewing role, and anyone else assigned, grouped by city."""
    rows = db.session.execute(
        select(User.id, User.name, User.email, City)
        .outerjoin(
            JuryMember,
            and_(JuryMember.user_id == User.id, JuryMember.edition_id == round_.edition_id),
        )
        .outerjoin(City, City.id == JuryMember.city_id)
        .where(
            or_(
                User.id.in_(select(Assignment.juror_id).where(Assignment.round_id == round_.id)),
                JuryMember.role == reviewer_role(round_),
            )
        )
    ).all()
    grouped: dict[int | None, CityGroup] = {}
    for user_id, name, email, city in rows:
        key = city.id if city else None
        city_name = city.name(language) if city else ""
        group = grouped.setdefault(key, CityGroup(key, city_name, []))
        group.reviewers.append(Reviewer(user_id, name or email, email, key, city_name))
    groups = sorted(grouped.values(), key=lambda g: (g.city_id is None, g.name.casefold()))
    for group in groups:
        group.reviewers.sort(key=lambda r: (r.name.casefold(), r.user_id))
    return groups


def outstanding_by_juror(round_: Round, *, juror_id: int | None = None) -> dict[int, Tally]:
    """Reviewers with reviews to do or in draft (conflicts excluded), with their counts."""
    conflicted = (
        select(Conflict.id)
        .where(
            Conflict.edition_id == round_.edition_id,
            Conflict.juror_id == Assignment.juror_id,
            Conflict.application_id == Assignment.application_id,
            effective_clause(),
        )
        .exists()
    )
    query = (
        select(Assignment.juror_id, Assignment.status, func.count())
        .where(Assignment.round_id == round_.id, Assignment.status.in_(OUTSTANDING), ~conflicted)
        .group_by(Assignment.juror_id, Assignment.status)
    )
    if juror_id is not None:
        query = query.where(Assignment.juror_id == juror_id)
    counts: dict[int, Tally] = defaultdict(Tally)
    for juror, status, number in db.session.execute(query):
        setattr(counts[juror], str(status), number)
    return dict(counts)
