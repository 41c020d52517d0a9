"""Editions: the verbs that create and edit them and the look-ups behind public and admin pages.

Callers own the transaction: nothing here commits.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, AwardKind, EditionPhase
from qpmusic.extensions import db
from qpmusic.results.models import Award

LANGUAGES = ("de", "fr", "en")
EDITION_FIELDS = (
    "year",
    *(f"title_{lang}" for lang in LANGUAGES),
    *(f"rules_{lang}" for lang in LANGUAGES),
    "opens_at",
    "closes_at",
    "max_works",
    "work_age_limit",
    "radius_km",
    "prize_amount",
    "finalists_count",
    "blind_review",
)
POSITIVE_FIELDS = ("max_works", "work_age_limit", "radius_km", "prize_amount", "finalists_count")
# Phases in which the public sees the edition as the current call.
CALL_PHASES = (
    EditionPhase.OPEN,
    EditionPhase.CLOSED,
    EditionPhase.PRESELECTION,
    EditionPhase.JURY,
    EditionPhase.FINAL,
)
PUBLISHED_PHASES = (EditionPhase.PUBLISHED, EditionPhase.ARCHIVED)


class EditionError(Exception):
    """A change the rules do not allow; the message is shown to the admin.

    ``field`` names the setting at fault (e.g. ``"closes_at"``), so a form can mark it.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def jsonable(value):
    """``value`` as the audit log's JSON stores it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def snapshot(obj, fields) -> dict:
    return {name: jsonable(getattr(obj, name)) for name in fields}


def _check_settings(settings: dict, edition: Edition | None) -> None:
    unknown = set(settings) - set(EDITION_FIELDS)
    if unknown:
        raise TypeError(f"not edition settings: {sorted(unknown)}")
    for name in POSITIVE_FIELDS:
        if name in settings and settings[name] is not None and settings[name] <= 0:
            raise EditionError(_l("Please enter a number greater than zero."), field=name)
    opens = settings.get("opens_at", edition.opens_at if edition else None)
    closes = settings.get("closes_at", edition.closes_at if edition else None)
    if opens and closes and closes <= opens:
        raise EditionError(_l("The call must close after it opens."), field="closes_at")
    year = settings.get("year")
    if year is None:
        return
    if edition is not None and year != edition.year and edition.phase != EditionPhase.DRAFT:
        # Reference numbers (QP-<year>-…) already carry the year once the call has opened.
        raise EditionError(_l("The year cannot change once the call has opened."), field="year")
    taken = select(Edition.id).where(Edition.year == year)
    if edition is not None:
        taken = taken.where(Edition.id != edition.id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise EditionError(_l("There is already an edition for %(year)s.", year=year), field="year")


def create_edition(*, actor, **settings) -> Edition:
    """Create a draft edition from ``settings`` (names in ``EDITION_FIELDS``) and log it."""
    _check_settings(settings, None)
    edition = Edition(phase=EditionPhase.DRAFT, **settings)
    db.session.add(edition)
    db.session.flush()
    record_event(
        actor=actor,
        action="edition.created",
        target=edition,
        after=snapshot(edition, EDITION_FIELDS),
    )
    return edition


def update_edition(*, actor, edition: Edition, **settings) -> Edition:
    """Change an edition's settings; the audit log keeps the old and new value of each change."""
    _check_settings(settings, edition)
    # Compared as values, so 10000 and 10000.00 are no change.
    changed = [name for name, value in settings.items() if getattr(edition, name) != value]
    before = snapshot(edition, changed)
    for name in changed:
        setattr(edition, name, settings[name])
    after = snapshot(edition, changed)
    if changed:
        db.session.flush()
        record_event(
            actor=actor,
            action="edition.updated",
            target=edition,
            before=before,
            after=after,
        )
    return edition


# --- look-ups -------------------------------------------------------------------------------


def current_edition() -> Edition | None:
    """The newest edition the public may see (not a draft, not archived)."""
    return db.session.scalar(
        select(Edition)
        .where(Edition.phase.notin_([EditionPhase.DRAFT, EditionPhase.ARCHIVED]))
        .order_by(Edition.year.desc())
        .limit(1)
    )


def public_edition(year: int) -> Edition | None:
    """The edition of ``year`` unless it is still a draft."""
    return db.session.scalar(
        select(Edition).where(Edition.year == year, Edition.phase != EditionPhase.DRAFT)
    )


def application_counts(edition_ids=None) -> dict[int, dict[ApplicationStatus, int]]:
    """Applications per edition and status, counted in one grouped query."""
    query = select(Application.edition_id, Application.status, func.count()).group_by(
        Application.edition_id, Application.status
    )
    if edition_ids is not None:
        query = query.where(Application.edition_id.in_(edition_ids))
    counts: dict[int, dict[ApplicationStatus, int]] = {}
    for edition_id, status, number in db.session.execute(query):
        counts.setdefault(edition_id, {})[status] = number
    return counts


@dataclass
class EditionRow:
    edition: Edition
    counts: dict[ApplicationStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def admin_editions() -> list[EditionRow]:
    """Every edition, newest first, with its applications counted per status."""
    editions = db.session.scalars(select(Edition).order_by(Edition.year.desc())).all()
    counts = application_counts()
    return [EditionRow(edition, counts.get(edition.id, {})) for edition in editions]


# --- the public home page -------------------------------------------------------------------


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
