"""An edition's rounds: created, set up, opened, closed and reopened by the admin; no commits."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import exists, func, or_, select

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Criterion, Edition
from qpmusic.editions.services import apply_changes, snapshot
from qpmusic.enums import AssignmentStatus, EditionPhase, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.assignments import (
    CANDIDATE_STATUSES,
    REVIEWER_ROLE,
    Build,
    build_assignments,
    lock_round,
    reviewers,
)
from qpmusic.jury.models import Assignment, JuryMember, Round

# The final round comes with the final (a later issue): its ballot is not a scoring round.
OFFERED_KINDS = (RoundKind.PRESELECTION, RoundKind.JURY)
PHASE_OF = {RoundKind.PRESELECTION: EditionPhase.PRESELECTION, RoundKind.JURY: EditionPhase.JURY}
SETTINGS = (
    "closes_at",
    "assignment_mode",
    "reviews_per_application",
    "min_cities",
    "min_listening_share",
)
# Once reviewers are at work, changing who reviews what or the finalizing rule would change
# the round under them; a later (or earlier) deadline does not.
OPEN_SETTINGS = ("closes_at",)


class RoundError(Exception):
    """A round change the rules do not allow; ``field`` names the setting at fault, if one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def current_round(edition_id: int, kind: RoundKind) -> Round | None:
    """The edition's round of ``kind`` (there is at most one), whatever its status."""
    return db.session.scalar(
        select(Round).where(Round.edition_id == edition_id, Round.kind == kind)
    )


def edition_rounds(edition_id: int) -> list[Round]:
    return list(
        db.session.scalars(
            select(Round).where(Round.edition_id == edition_id).order_by(Round.kind, Round.id)
        )
    )


def rounds_of_juror(user_id: int, *, statuses: tuple[RoundStatus, ...]) -> list[Round]:
    """Rounds in ``statuses`` the user reviews in: by their role in the edition or by a row."""
    member = exists().where(
        JuryMember.edition_id == Round.edition_id,
        JuryMember.user_id == user_id,
        or_(
            *(
                (Round.kind == kind) & (JuryMember.role == role)
                for kind, role in REVIEWER_ROLE.items()
            )
        ),
    )
    assigned = exists().where(Assignment.round_id == Round.id, Assignment.juror_id == user_id)
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.status.in_(statuses), member | assigned)
            .order_by(Round.closes_at, Round.id)
        )
    )


def open_rounds_of_juror(user_id: int) -> list[Round]:
    """The open rounds in which the user (a juror or a coordinator) has reviews to give."""
    return rounds_of_juror(user_id, statuses=(RoundStatus.OPEN,))


def assignment_counts(round_ids) -> dict[int, dict[AssignmentStatus, int]]:
    """Per round, its assignments by status, in one query."""
    counts = {round_id: dict.fromkeys(AssignmentStatus, 0) for round_id in round_ids}
    if counts:
        rows = db.session.execute(
            select(Assignment.round_id, Assignment.status, func.count())
            .where(Assignment.round_id.in_(counts))
            .group_by(Assignment.round_id, Assignment.status)
        )
        for round_id, status, number in rows:
            counts[round_id][status] = number
    return counts


def _count_applications(round_: Round) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.edition_id == round_.edition_id,
            Application.status.in_(CANDIDATE_STATUSES[round_.kind]),
        )
    )


def _has_criteria(edition_id: int) -> bool:
    return db.session.scalar(select(exists().where(Criterion.edition_id == edition_id)))


def readiness_problems(
    *, round_: Round, now: datetime, closes_at: datetime | None = None, deadline: bool = True
) -> list:
    """Why the round cannot be opened (or reopened) now, as translated messages; [] if it can.

    ``closes_at``: the deadline the round is about to get, if not its current one;
    ``deadline=False`` leaves the deadline out (the reopening form asks for a new one anyway).
    """
    problems = []
    closes_at = closes_at or round_.closes_at
    if deadline and (closes_at is None or closes_at <= now):
        problems.append(_l("The deadline must be in the future."))
    if round_.kind == RoundKind.PRESELECTION:
        if round_.edition.phase != EditionPhase.PRESELECTION:
            problems.append(_l("The edition is not in the pre-selection phase."))
        if not reviewers(round_):
            problems.append(_l("The edition has no coordinator yet."))
        if not _count_applications(round_):
            problems.append(_l("There are no eligible applications to pre-select."))
    else:
        if round_.edition.phase != EditionPhase.JURY:
            problems.append(_l("The edition is not in the jury phase."))
        if not _count_applications(round_):
            problems.append(_l("There are no shortlisted applications."))
        if not reviewers(round_):
            problems.append(_l("The edition has no juror yet."))
        if not _has_criteria(round_.edition_id):
            problems.append(_l("The edition has no scoring criteria."))
    return problems


def _check_settings(round_: Round | None, values: dict, now: datetime) -> None:
    closes_at = values.get("closes_at")
    changed = round_ is None or closes_at != round_.closes_at
    if closes_at is not None and changed and closes_at <= now:
        raise RoundError(_l("The deadline must be in the future."), "closes_at")
    share = values.get("min_listening_share")
    if share is not None and not Decimal(0) <= share <= Decimal(1):
        raise RoundError(_l("Please enter a share from 0 to 100 %."), "min_listening_share")
    for name in ("reviews_per_application", "min_cities"):
        if name in values and values[name] < 1:
            raise RoundError(_l("Please enter a number greater than zero."), name)


def _state(round_: Round) -> dict:
    return {"status": round_.status.value}


def create_round(*, edition: Edition, kind: RoundKind, actor, now: datetime, **settings) -> Round:
    """Create the edition's round of ``kind`` as a draft; one per kind and edition."""
    if kind not in OFFERED_KINDS:
        raise RoundError(_l("This kind of round cannot be created here."), "kind")
    unknown = settings.keys() - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown round settings: {sorted(unknown)}")
    if current_round(edition.id, kind) is not None:
        raise RoundError(_l("This edition already has a round of this kind."), "kind")
    _check_settings(None, settings, now)
    round_ = Round(edition_id=edition.id, kind=kind, status=RoundStatus.DRAFT, **settings)
    db.session.add(round_)
    db.session.flush()
    record_event(
        actor=actor,
        action="round.created",
        target=round_,
        after={"kind": kind.value, **_settings_state(round_)},
    )
    return round_


def _settings_state(round_: Round) -> dict:
    return snapshot(round_, SETTINGS)


def update_round(*, round_: Round, actor, now: datetime, **settings) -> Round:
    """Change the settings of a draft round, or the deadline of an open one."""
    unknown = settings.keys() - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown round settings: {sorted(unknown)}")
    lock_round(round_)
    if round_.status == RoundStatus.CLOSED:
        raise RoundError(_l("A closed round cannot be changed; reopen it first."))
    if round_.status == RoundStatus.OPEN:
        locked = [
            n for n in settings if n not in OPEN_SETTINGS and settings[n] != getattr(round_, n)
        ]
        if locked:
            raise RoundError(_l("Only the deadline can change while the round is open."))
    _check_settings(round_, settings, now)
    before, after = apply_changes(round_, settings)
    db.session.flush()
    if after:
        record_event(actor=actor, action="round.updated", target=round_, before=before, after=after)
    return round_


def open_round(*, round_: Round, actor, now: datetime) -> Build:
    """Open a draft round and give every reviewer their applications."""
    lock_round(round_)
    if round_.status == RoundStatus.OPEN:
        raise RoundError(_l("This round is already open."))
    if round_.status == RoundStatus.CLOSED:
        raise RoundError(_l("This round is closed; reopen it with a reason."))
    problems = readiness_problems(round_=round_, now=now)
    if problems:
        raise RoundError(problems[0])
    before = _state(round_)
    round_.status = RoundStatus.OPEN
    round_.opened_at = now
    db.session.flush()
    record_event(
        actor=actor, action="round.opened", target=round_, before=before, after=_state(round_)
    )
    return build_assignments(round_=round_, actor=actor)


def rebuild_round(*, round_: Round, actor) -> Build:
    """Apply the assignment rule again (new jurors, conflicts, shortlist), keeping all work."""
    lock_round(round_)
    if round_.status != RoundStatus.OPEN:
        raise RoundError(_l("Assignments are rebuilt only while the round is open."))
    return build_assignments(round_=round_, actor=actor)


def draft_count(round_: Round) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.round_id == round_.id, Assignment.status == AssignmentStatus.DRAFT)
    )


def close_round(*, round_: Round, actor, now: datetime, anyway: bool = False) -> Round:
    """Close an open round; with reviews still in draft only if the admin says so explicitly."""
    lock_round(round_)
    if round_.status != RoundStatus.OPEN:
        raise RoundError(_l("Only an open round can be closed."))
    drafts = draft_count(round_)
    if drafts and not anyway:
        raise RoundError(
            _ln(
                "%(num)d review is still a draft. Tick “Close anyway” to close the round all "
                "the same.",
                "%(num)d reviews are still drafts. Tick “Close anyway” to close the round all "
                "the same.",
                drafts,
            )
        )
    before = _state(round_)
    round_.status = RoundStatus.CLOSED
    round_.closed_at = now
    db.session.flush()
    record_event(
        actor=actor,
        action="round.closed",
        target=round_,
        before=before,
        after={**_state(round_), "drafts_left": drafts},
    )
    return round_


def reopen_round(
    *, round_: Round, actor, now: datetime, reason: str, closes_at: datetime | None = None
) -> Build:
    """Reopen a closed round with a reason (and a new deadline if the old one has passed)."""
    reason = (reason or "").strip()
    lock_round(round_)
    if round_.status != RoundStatus.CLOSED:
        raise RoundError(_l("Only a closed round can be reopened."))
    if round_.frozen_at is not None:
        # The finalists were chosen from this result; new scores would no longer match them.
        raise RoundError(_l("The finalists were chosen from this round; it cannot be reopened."))
    if not reason:
        raise RoundError(_l("Please give a reason for reopening the round."), "reason")
    if closes_at is not None:
        _check_settings(round_, {"closes_at": closes_at}, now)
    problems = readiness_problems(round_=round_, now=now, closes_at=closes_at)
    if problems:
        raise RoundError(problems[0])
    before = {**_state(round_), "closes_at": _settings_state(round_)["closes_at"]}
    round_.closes_at = closes_at or round_.closes_at
    round_.status = RoundStatus.OPEN
    round_.closed_at = None
    db.session.flush()
    record_event(
        actor=actor,
        action="round.reopened",
        target=round_,
        before=before,
        after={
            **_state(round_),
            "closes_at": _settings_state(round_)["closes_at"],
            "reason": reason,
        },
    )
    return build_assignments(round_=round_, actor=actor)
