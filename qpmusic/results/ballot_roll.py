"""Who is on the final ballot: the finalists, the jurors who rank them, the ballots cast."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, Role, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.conflicts import effective_conflicts
from qpmusic.jury.models import JuryMember, Round
from qpmusic.jury.rounds import current_round
from qpmusic.results.models import Ballot

# Written by the awards when an application becomes winner or special prize; its "before"
# keeps the status to give back if the award moves to someone else.
AWARDED_EVENT = "application.awarded"


def final_round(edition_id: int) -> Round | None:
    return current_round(edition_id, RoundKind.FINAL)


def status_before_award(application_id: int) -> ApplicationStatus | None:
    """The status an application had before its current award (None if never awarded)."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == AWARDED_EVENT,
            AuditEvent.target_type == Application.__tablename__,
            AuditEvent.target_id == application_id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return ApplicationStatus(event.before["status"]) if event is not None else None


def finalist_ids(edition_id: int) -> list[int]:
    """The edition's finalists, including those who have since won the prize or special prize."""
    rows = db.session.execute(
        select(Application.id, Application.status).where(
            Application.edition_id == edition_id,
            Application.status.in_(
                (
                    ApplicationStatus.FINALIST,
                    ApplicationStatus.WINNER,
                    ApplicationStatus.SPECIAL_PRIZE,
                )
            ),
        )
    ).all()
    return sorted(
        application_id
        for application_id, status in rows
        if status != ApplicationStatus.SPECIAL_PRIZE
        # A special prize may go to a shortlisted non-finalist: only a finalist stays one.
        or status_before_award(application_id) in (ApplicationStatus.FINALIST, None)
    )


def finalists(edition_id: int) -> list[Application]:
    """The finalists of the edition (prize winners among them), by artist name."""
    ids = finalist_ids(edition_id)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.id.in_(ids))
            # The public page lists each finalist's works.
            .options(selectinload(Application.works))
            .order_by(func.lower(Application.artist_name), Application.id)
        )
    )


def jurors(edition_id: int) -> list[JuryMember]:
    """The edition's active jurors (the final is voted by jurors, not coordinators)."""
    return list(
        db.session.scalars(
            select(JuryMember)
            .join(User, User.id == JuryMember.user_id)
            .where(
                JuryMember.edition_id == edition_id,
                JuryMember.role == Role.JUROR,
                User.active.is_(True),
            )
            # The office's page shows each juror's name and city.
            .options(joinedload(JuryMember.user), joinedload(JuryMember.city))
            .order_by(func.lower(User.name), User.id)
        )
    )


def is_juror(user, edition_id: int) -> bool:
    return any(member.user_id == user.id for member in jurors(edition_id))


def open_ballots_of_juror(user_id: int) -> list[Round]:
    """The open final rounds the user votes in (for a link on the juror's page)."""
    return list(
        db.session.scalars(
            select(Round)
            .join(JuryMember, JuryMember.edition_id == Round.edition_id)
            .where(
                Round.kind == RoundKind.FINAL,
                Round.status == RoundStatus.OPEN,
                JuryMember.user_id == user_id,
                JuryMember.role == Role.JUROR,
            )
            .order_by(Round.id)
        )
    )


def ballots(round_: Round) -> dict[int, Ballot]:
    """The round's ballots by juror id."""
    rows = db.session.scalars(select(Ballot).where(Ballot.round_id == round_.id))
    return {ballot.juror_id: ballot for ballot in rows}


def ballot_of(round_: Round, juror_id: int) -> Ballot | None:
    return db.session.scalar(
        select(Ballot).where(Ballot.round_id == round_.id, Ballot.juror_id == juror_id)
    )


def conflicted_ids(edition_id: int, juror_id: int) -> set[int]:
    return {app for juror, app in effective_conflicts(edition_id) if juror == juror_id}


def missing_voters(round_: Round) -> list[JuryMember]:
    cast = ballots(round_)
    return [m for m in jurors(round_.edition_id) if m.user_id not in cast]
