"""Reminders of unfinished reviews: sent by the office, and on their own 3 days and 1 day before."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from qpmusic.accounts.models import User
from qpmusic.accounts.services import absolute_url
from qpmusic.audit.services import record_event
from qpmusic.enums import RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import JuryReminder, Round
from qpmusic.jury.progress import Tally, outstanding_by_juror
from qpmusic.notifications.services import queue_email

THREE_DAYS = timedelta(days=3)
ONE_DAY = timedelta(days=1)
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def late_reviewers(round_: Round) -> list[tuple[User, Tally]]:
    """Who still has reviews to do or in draft in ``round_``, with how many."""
    counts = outstanding_by_juror(round_)
    if not counts:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(counts)).order_by(User.id))
    return [(user, counts[user.id]) for user in users]


def remind_juror(*, round_: Round, juror: User, actor) -> bool:
    """E-mail one reviewer of an open round about their unfinished reviews; False if none."""
    tally = outstanding_by_juror(round_, juror_id=juror.id).get(juror.id)
    if not round_.is_open or tally is None:
        return False
    _remind(round_, juror, tally, kind="manual")
    record_event(
        actor=actor,
        action="round.juror_reminded",
        target=round_,
        after={"juror_id": juror.id, "todo": tally.todo, "draft": tally.draft},
    )
    return True


def remind_late_jurors(*, round_: Round, actor) -> int:
    """E-mail every reviewer of an open round who has unfinished reviews; how many were sent."""
    if not round_.is_open:
        return 0
    late = late_reviewers(round_)
    for juror, tally in late:
        _remind(round_, juror, tally, kind="manual")
        record_event(
            actor=actor,
            action="round.juror_reminded",
            target=round_,
            after={"juror_id": juror.id, "todo": tally.todo, "draft": tally.draft},
        )
    return len(late)


def send_jury_reminders(*, now) -> int:
    """Queue the automatic reminders that are due; each reviewer gets each kind once per round.

    Inside the last day only the "1d" reminder is sent, so nobody gets both in one run.
    Whoever inserts the JuryReminder row first sends the e-mail: a second run at the same
    moment waits on the unique key, then finds the row and sends nothing.
    """
    rounds = db.session.scalars(
        select(Round)
        .where(
            Round.status == RoundStatus.OPEN,
            Round.closes_at > now,
            Round.closes_at <= now + THREE_DAYS,
        )
        .order_by(Round.id)
    ).all()
    sent = 0
    for round_ in rounds:
        kind = "1d" if round_.closes_at - now <= ONE_DAY else "3d"
        for juror, tally in late_reviewers(round_):
            if _claim(round_, juror, kind=kind, now=now):
                _remind(round_, juror, tally, kind=kind)
                sent += 1
    return sent


def _claim(round_: Round, juror: User, *, kind: str, now) -> bool:
    insert = INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(JuryReminder)
        .values(round_id=round_.id, juror_id=juror.id, kind=kind, sent_at=now)
        .on_conflict_do_nothing(index_elements=["round_id", "juror_id", "kind"])
        .returning(JuryReminder.id)
    )
    return db.session.execute(statement).scalar() is not None


def _remind(round_: Round, juror: User, tally: Tally, *, kind: str) -> None:
    edition = round_.edition
    queue_email(
        to=juror.email,
        language=juror.language,
        template="jury_reminder",
        context={
            "name": juror.display_name,
            "kind": kind,
            "round_kind": str(round_.kind),
            "edition_titles": {lang: edition.title(lang) for lang in ("de", "fr", "en")},
            "deadline": round_.closes_at.isoformat() if round_.closes_at else None,
            "todo": tally.todo,
            "draft": tally.draft,
            "jury_url": absolute_url("jury.index"),
        },
    )
