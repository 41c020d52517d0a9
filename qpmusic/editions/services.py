"""Editions: the verbs that create and edit them and the look-ups behind public and admin pages.

Callers own the transaction: nothing here commits.
"""

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db

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


def apply_changes(obj, values: dict) -> tuple[dict, dict]:
    """Set the values that differ and return them before and after, for the audit log.

    Compared as values, so 10000 and 10000.00 are no change.
    """
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    before = snapshot(obj, changed)
    for name in changed:
        setattr(obj, name, values[name])
    return before, snapshot(obj, changed)


# What an applicant was told when they submitted; changing it would change the rules under them.
SUBMISSION_RULES = ("max_works", "work_age_limit", "radius_km")


def _has_submissions(edition: Edition) -> bool:
    submitted = select(Application.id).where(
        Application.edition_id == edition.id, Application.status != ApplicationStatus.DRAFT
    )
    return db.session.scalar(submitted.limit(1)) is not None


def _check_locked(settings: dict, edition: Edition) -> None:
    year = settings.get("year")
    if year is not None and year != edition.year and edition.reference_counter > 0:
        raise EditionError(
            _l(
                "The year cannot change: reference numbers QP-%(year)s-… have been given out.",
                year=edition.year,
            ),
            field="year",
        )
    changed = [n for n in SUBMISSION_RULES if n in settings and settings[n] != getattr(edition, n)]
    if changed and _has_submissions(edition):
        raise EditionError(
            _l("This cannot change once applications have been submitted under it."),
            field=changed[0],
        )


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
    if edition is not None:
        _check_locked(settings, edition)
    year = settings.get("year")
    if year is None:
        return
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
    """Change an edition's settings; the audit log keeps the old and new value of each change.

    The row is locked first: a first submission takes a reference number (QP-<year>-…) under
    the same lock, so the year and the submission rules are checked against what is committed.
    """
    db.session.execute(
        select(Edition)
        .where(Edition.id == edition.id)
        .with_for_update(of=Edition)
        .execution_options(populate_existing=True)
    ).scalar_one()
    _check_settings(settings, edition)
    before, after = apply_changes(edition, settings)
    if after:
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
