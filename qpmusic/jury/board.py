"""A round's assignments as its page lists them: each application with its reviewers."""

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.enums import AssignmentStatus
from qpmusic.extensions import db
from qpmusic.jury.assignments import CANDIDATE_STATUSES, REVIEWER_ROLE
from qpmusic.jury.conflicts import effective_conflicts
from qpmusic.jury.models import Assignment, JuryMember, Round, Score


@dataclass
class Seat:
    """One reviewer on one application, as the round's page lists it."""

    assignment_id: int
    name: str
    city: object  # City or None (coordinators have none)
    status: AssignmentStatus
    manual: bool
    conflicted: bool
    removable: bool


@dataclass
class BoardRow:
    application: Application
    seats: list[Seat]
    conflicted_names: list[str]  # conflicted reviewers who have no row here

    @property
    def city_count(self) -> int:
        return len({s.city.id for s in self.seats if s.city is not None and not s.conflicted})

    @property
    def review_count(self) -> int:
        return sum(1 for s in self.seats if not s.conflicted)


@dataclass
class Board:
    rows: list[BoardRow]
    members: list[JuryMember]
    counts: dict[AssignmentStatus, int]

    @property
    def references(self) -> dict[int, str]:
        return {r.application.id: r.application.reference or "" for r in self.rows}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def round_board(round_: Round) -> Board:
    """Every application of the round with its reviewers, in a constant number of queries."""
    members = db.session.scalars(
        select(JuryMember)
        .options(joinedload(JuryMember.user), joinedload(JuryMember.city))
        .where(
            JuryMember.edition_id == round_.edition_id,
            JuryMember.role == REVIEWER_ROLE[round_.kind],
        )
    ).all()
    members = sorted(members, key=lambda m: m.user.display_name.casefold())
    by_user = {m.user_id: m for m in members}
    rows = db.session.execute(
        select(
            Assignment.id,
            Assignment.juror_id,
            Assignment.application_id,
            Assignment.status,
            Assignment.manual,
            exists().where(Score.assignment_id == Assignment.id).label("scored"),
        ).where(Assignment.round_id == round_.id)
    ).all()
    applications = db.session.scalars(
        select(Application)
        .where(
            Application.edition_id == round_.edition_id,
            Application.status.in_(CANDIDATE_STATUSES[round_.kind])
            | Application.id.in_({r.application_id for r in rows}),
        )
        .order_by(Application.reference, Application.id)
    ).all()
    # Former members keep their rows; their names come from one more query.
    missing = {r.juror_id for r in rows} - by_user.keys()
    others = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(missing)))}
        if missing
        else {}
    )
    conflicts = effective_conflicts(round_.edition_id)

    def name(user_id: int) -> str:
        user = by_user[user_id].user if user_id in by_user else others[user_id]
        return user.display_name

    seats: dict[int, list[Seat]] = {a.id: [] for a in applications}
    counts = dict.fromkeys(AssignmentStatus, 0)
    for r in rows:
        counts[r.status] += 1
        member = by_user.get(r.juror_id)
        seats[r.application_id].append(
            Seat(
                assignment_id=r.id,
                name=name(r.juror_id),
                city=member.city if member else None,
                status=r.status,
                manual=r.manual,
                conflicted=(r.juror_id, r.application_id) in conflicts,
                removable=r.status == AssignmentStatus.TODO and not r.scored,
            )
        )
    seated = {(r.juror_id, r.application_id) for r in rows}
    unseated: dict[int, list[str]] = {}
    for pair in conflicts - seated:
        if pair[0] in by_user:
            unseated.setdefault(pair[1], []).append(name(pair[0]))
    board_rows = [
        BoardRow(
            application,
            sorted(seats[application.id], key=lambda s: s.name.casefold()),
            sorted(unseated.get(application.id, []), key=str.casefold),
        )
        for application in applications
    ]
    return Board(rows=board_rows, members=members, counts=counts)
