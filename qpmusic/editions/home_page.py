"""The public home page's look-up: the current call, where its window stands, past winners."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from qpmusic.editions.models import Edition
from qpmusic.enums import AwardKind, EditionPhase
from qpmusic.extensions import db
from qpmusic.results.models import Award

# Phases in which the public sees the edition as the current call.
CALL_PHASES = (
    EditionPhase.OPEN,
    EditionPhase.CLOSED,
    EditionPhase.PRESELECTION,
    EditionPhase.JURY,
    EditionPhase.FINAL,
)
PUBLISHED_PHASES = (EditionPhase.PUBLISHED, EditionPhase.ARCHIVED)


class CallState(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    REVIEWING = "reviewing"


@dataclass
class Remaining:
    """Whole days, hours and minutes left until a deadline (what the countdown shows)."""

    days: int
    hours: int
    minutes: int

    @classmethod
    def between(cls, now: datetime, deadline: datetime) -> "Remaining":
        left = max(deadline - now, timedelta(0))
        return cls(left.days, left.seconds // 3600, left.seconds % 3600 // 60)


@dataclass
class ArchiveEntry:
    edition: Edition
    awards: list[Award]


@dataclass
class HomePage:
    call: Edition | None
    state: CallState | None
    remaining: Remaining | None
    archive: list[ArchiveEntry]


def call_state(edition: Edition, now: datetime) -> CallState:
    """The clock, not only the phase, decides whether the call window is running."""
    if edition.phase == EditionPhase.OPEN and now < edition.opens_at:
        return CallState.UPCOMING
    if edition.phase == EditionPhase.OPEN and now < edition.closes_at:
        return CallState.OPEN
    return CallState.REVIEWING


def home_page(*, now: datetime) -> HomePage:
    """The current call with its state, and the past editions with their published awards."""
    call = db.session.scalar(
        select(Edition).where(Edition.phase.in_(CALL_PHASES)).order_by(Edition.year.desc()).limit(1)
    )
    past = select(Edition).where(Edition.phase.in_(PUBLISHED_PHASES))
    if call is not None:
        past = select(Edition).where(
            Edition.id != call.id,
            or_(
                Edition.phase.in_(PUBLISHED_PHASES),
                (Edition.year < call.year) & (Edition.phase != EditionPhase.DRAFT),
            ),
        )
    editions = db.session.scalars(past.order_by(Edition.year.desc())).all()
    published = [e.id for e in editions if e.phase in PUBLISHED_PHASES]
    awards = db.session.scalars(
        select(Award)
        .where(Award.edition_id.in_(published))
        .options(joinedload(Award.application))
        .order_by(Award.kind != AwardKind.PRIZE, Award.id)
    ).all()
    by_edition: dict[int, list[Award]] = {}
    for award in awards:
        by_edition.setdefault(award.edition_id, []).append(award)
    state = call_state(call, now) if call else None
    remaining = Remaining.between(now, call.closes_at) if state == CallState.OPEN else None
    return HomePage(
        call=call,
        state=state,
        remaining=remaining,
        archive=[ArchiveEntry(e, by_edition.get(e.id, [])) for e in editions],
    )
