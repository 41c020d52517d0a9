"""After a round closes: the jurors' reviews of one application side by side, and their thread."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, true
from sqlalchemy.orm import joinedload, selectinload

from qpmusic.accounts.models import User
from qpmusic.audit.services import record_event
from qpmusic.enums import AssignmentStatus, RoundStatus
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.jury.conflicts import effective_clause
from qpmusic.jury.models import Assignment, Conflict, DeliberationComment, JuryMember, Round, Score

COMMENT_MAX_LENGTH = 5000


class DeliberationError(Exception):
    """A deliberation step that cannot be taken; the message is shown to the person."""


@dataclass(frozen=True)
class OtherReview:
    assignment: Assignment
    city: object | None
    # Criterion id → Score; empty unless the review was finalized.
    scores: dict

    @property
    def is_final(self) -> bool:
        return self.assignment.status == AssignmentStatus.FINAL


@dataclass(frozen=True)
class Deliberation:
    reviews: list[OtherReview]
    comments: list[DeliberationComment]


def _conflicted_jurors(round_: Round, application_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Conflict.juror_id).where(
                Conflict.edition_id == round_.edition_id,
                Conflict.application_id == application_id,
                effective_clause(),
            )
        )
    )


def may_deliberate(user, round_: Round, application_id: int) -> bool:
    """Admins, and the round's reviewers of the application who have no conflict with it."""
    if round_.status != RoundStatus.CLOSED:
        return False
    if user.has_role("admin"):
        return True
    assigned = db.session.scalar(
        select(Assignment.id).where(
            Assignment.round_id == round_.id,
            Assignment.application_id == application_id,
            Assignment.juror_id == user.id,
        )
    )
    return assigned is not None and user.id not in _conflicted_jurors(round_, application_id)


def may_deliberate_on_own(user, assignment: Assignment, *, conflicted: bool) -> bool:
    """``may_deliberate`` for the reviewer of ``assignment``, whose own conflict (in force or
    not) the page has read already: two queries fewer on every juror's application page."""
    if assignment.round.status != RoundStatus.CLOSED:
        return False
    return user.has_role("admin") or not conflicted


def deliberation(round_: Round, application_id: int, *, viewer_id: int | None) -> Deliberation:
    """Every other conflict-free review of the application in the closed round, and the thread.

    Only finalized reviews show their scores and comments: a draft left when the round closed
    is still the juror's private work. Call only after ``may_deliberate`` said yes.
    """
    if round_.status != RoundStatus.CLOSED:
        raise DeliberationError(_l("The deliberation opens when the round has closed."))
    conflicted = exists().where(
        Conflict.edition_id == round_.edition_id,
        Conflict.application_id == application_id,
        Conflict.juror_id == Assignment.juror_id,
        effective_clause(),
    )
    assignments = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.round_id == round_.id,
            Assignment.application_id == application_id,
            Assignment.juror_id != viewer_id if viewer_id is not None else true(),
            ~conflicted,
        )
        .options(
            # The jurors' roles are not shown: no query for them.
            joinedload(Assignment.juror).lazyload(User.role_rows),
            selectinload(Assignment.scores).joinedload(Score.criterion),
        )
        .order_by(Assignment.id)
    ).all()
    city_rows = db.session.execute(
        select(JuryMember.user_id, City)
        .join(City, City.id == JuryMember.city_id)
        .where(JuryMember.edition_id == round_.edition_id)
    )
    city_of = dict(city_rows.all())
    reviews = [
        OtherReview(
            assignment=a,
            city=city_of.get(a.juror_id),
            scores={s.criterion_id: s for s in a.scores} if a.is_final else {},
        )
        for a in assignments
    ]
    comments = db.session.scalars(
        select(DeliberationComment)
        .where(
            DeliberationComment.round_id == round_.id,
            DeliberationComment.application_id == application_id,
        )
        .options(joinedload(DeliberationComment.author))
        .order_by(DeliberationComment.created_at, DeliberationComment.id)
    ).all()
    return Deliberation(reviews=reviews, comments=list(comments))


def add_comment(*, round_: Round, application, author, body: str) -> DeliberationComment:
    """Add a message to the application's thread in the closed round."""
    body = (body or "").strip()
    if not may_deliberate(author, round_, application.id):
        raise DeliberationError(_l("You cannot take part in this deliberation."))
    if not body:
        raise DeliberationError(_l("Please write a message."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise DeliberationError(
            _l("Please keep a message under %(n)d characters.", n=COMMENT_MAX_LENGTH)
        )
    comment = DeliberationComment(
        round_id=round_.id, application_id=application.id, author_id=author.id, body=body
    )
    db.session.add(comment)
    db.session.flush()
    record_event(
        actor=author,
        action="deliberation.comment_added",
        target=application,
        after={"round_id": round_.id, "comment_id": comment.id},
    )
    return comment
