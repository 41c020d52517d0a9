"""Tally snapshots of a jury round: read the final reviews, compute, store once per input."""

from collections import Counter
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError

from qpmusic.audit.services import record_event
from qpmusic.celery_app import send_after_commit
from qpmusic.editions.models import Criterion
from qpmusic.enums import AssignmentStatus, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.conflicts import effective_clause
from qpmusic.jury.models import (
    DEFAULT_TIE_BREAK,
    Assignment,
    Conflict,
    JuryMember,
    Round,
    Score,
)
from qpmusic.results import tally
from qpmusic.results.models import ResultSnapshot


class TallyRefused(Exception):
    """The round cannot be tallied now; the message says why, ``code`` is stable for tests."""

    def __init__(self, message, code: str):
        # The message stays lazy: it is translated where it is shown, in the reader's language.
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class RoundReading:
    """What a tally reads from a round: the engine's input and what it leaves out."""

    data: tally.TallyInput
    # (juror_id, application_id, status) of assignments not final and not under a conflict.
    abstentions: tuple[tuple[int, int, str], ...]
    # (juror_id, application_id) of conflicts in force with the round's applications.
    conflicts: tuple[tuple[int, int], ...]
    application_ids: tuple[int, ...]


def _conflict_in_force(edition_id: int):
    return exists().where(
        Conflict.edition_id == edition_id,
        Conflict.juror_id == Assignment.juror_id,
        Conflict.application_id == Assignment.application_id,
        effective_clause(),
    )


def refusal(round_: Round) -> TallyRefused | None:
    """Why the round cannot be tallied now, or None.

    A draft means a juror is still making up their mind: their review would be left out
    silently. Once the admin closes the round, drafts count as abstentions.
    """
    if round_.kind != RoundKind.JURY:
        return TallyRefused(_l("Only a jury round's scores are tallied."), "kind")
    if round_.frozen_at is not None:
        return TallyRefused(
            _l("The result of this round is frozen: the finalists were chosen from it."), "frozen"
        )
    if round_.status == RoundStatus.DRAFT:
        return TallyRefused(_l("The round has not opened yet."), "not_open")
    counts = db.session.execute(
        select(
            func.count(Assignment.id).filter(Assignment.status == AssignmentStatus.FINAL),
            func.count(Assignment.id).filter(
                Assignment.status == AssignmentStatus.DRAFT,
                ~_conflict_in_force(round_.edition_id),
            ),
        ).where(Assignment.round_id == round_.id)
    ).one()
    finals, drafts = counts
    if round_.status == RoundStatus.OPEN and drafts:
        return TallyRefused(
            lazy_ngettext(
                "%(num)d review is still a draft. Wait until it is final, or close the "
                "round: drafts then count as abstentions.",
                "%(num)d reviews are still drafts. Wait until they are final, or close "
                "the round: drafts then count as abstentions.",
                drafts,
            ),
            "drafts",
        )
    if not finals:
        return TallyRefused(_l("No review is final yet: there is nothing to tally."), "empty")
    return None


def read_round(round_: Round) -> RoundReading:
    """The round's final scores, criteria and rules, in three queries whatever its size."""
    edition_id = round_.edition_id
    criteria = db.session.execute(
        select(Criterion.id, Criterion.weight, Criterion.scale_min, Criterion.scale_max)
        .where(Criterion.edition_id == edition_id)
        .order_by(Criterion.id)
    ).all()
    criterion_ids = {row.id for row in criteria}
    assignments = db.session.execute(
        select(
            Assignment.id,
            Assignment.juror_id,
            Assignment.application_id,
            Assignment.status,
            JuryMember.city_id,
            _conflict_in_force(edition_id).label("conflicted"),
            Score.criterion_id,
            Score.value,
        )
        .outerjoin(
            JuryMember,
            and_(JuryMember.edition_id == edition_id, JuryMember.user_id == Assignment.juror_id),
        )
        .outerjoin(Score, and_(Score.assignment_id == Assignment.id, Score.value.is_not(None)))
        .where(Assignment.round_id == round_.id)
        .order_by(Assignment.id)
    ).all()
    reviews: dict[int, dict] = {}
    abstentions = set()
    for row in assignments:
        if row.status != AssignmentStatus.FINAL:
            if not row.conflicted:
                abstentions.add((row.juror_id, row.application_id, row.status.value))
            continue
        review = reviews.setdefault(
            row.id,
            {
                "juror_id": row.juror_id,
                "city_id": row.city_id,
                "application_id": row.application_id,
                "conflicted": bool(row.conflicted),
                "values": [],
            },
        )
        if row.criterion_id in criterion_ids:
            review["values"].append((row.criterion_id, row.value))
    application_ids = sorted({row.application_id for row in assignments})
    conflicts = db.session.execute(
        select(Conflict.juror_id, Conflict.application_id).where(
            Conflict.edition_id == edition_id,
            Conflict.application_id.in_(application_ids),
            effective_clause(),
        )
    ).all()
    data = tally.TallyInput(
        criteria=tuple(
            tally.CriterionSpec(
                id=c.id, weight=c.weight, scale_min=c.scale_min, scale_max=c.scale_max
            )
            for c in criteria
        ),
        # A final review always has its scores; one without any (criteria changed) says nothing.
        reviews=tuple(
            tally.ReviewInput(**{**r, "values": tuple(r["values"])})
            for r in reviews.values()
            if r["values"]
        ),
        tie_break=tuple(round_.tie_break or DEFAULT_TIE_BREAK),
        outlier_k=round_.outlier_k,
    )
    return RoundReading(
        data=data,
        abstentions=tuple(sorted(abstentions)),
        conflicts=tuple(sorted((j, a) for j, a in conflicts)),
        application_ids=tuple(application_ids),
    )


def tally_input(round_: Round) -> tally.TallyInput:
    return read_round(round_).data


def _existing(round_id: int, key: str) -> ResultSnapshot | None:
    return db.session.scalar(
        select(ResultSnapshot).where(
            ResultSnapshot.round_id == round_id, ResultSnapshot.input_digest == key
        )
    )


def _parameters(round_: Round, reading: RoundReading, result: tally.TallyResult) -> dict:
    canonical = tally.canonical(reading.data)
    return {
        "methods": list(tally.METHODS),
        "criteria": canonical["criteria"],
        "tie_break": canonical["tie_break"],
        "outlier_k": canonical["outlier_k"],
        "min_reviews": canonical["min_reviews"],
        "round_status": round_.status.value,
        "overall_mean": result.overall_mean,
        "overall_std": result.overall_std,
        "application_ids": list(reading.application_ids),
        "abstentions": [list(a) for a in reading.abstentions],
        "conflicts": [list(c) for c in reading.conflicts],
    }


def compute_snapshot(*, round_: Round, actor=None) -> ResultSnapshot:
    """Tally the round and store the snapshot; the same input returns the stored one.

    The round is locked for update, so no review is saved (saves lock it for share) and no
    other tally runs while the input is read. The snapshot and its audit event are flushed
    in the caller's transaction: both are committed, or neither.
    """
    round_ = db.session.execute(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    refused = refusal(round_)
    if refused is not None:
        raise refused
    reading = read_round(round_)
    key = tally.digest(reading.data)
    stored = _existing(round_.id, key)
    if stored is not None:
        return stored
    result = tally.compute(reading.data)
    snapshot = ResultSnapshot(
        round_id=round_.id,
        input_digest=key,
        parameters=_parameters(round_, reading, result),
        inputs=tally.canonical(reading.data),
        rows=[asdict(row) for row in result.rows],
        jurors=[asdict(juror) for juror in result.jurors],
        computed_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(snapshot)
    except IntegrityError:
        # A run without the row lock (SQLite) stored the same input first: that one stands.
        stored = _existing(round_.id, key)
        if stored is None:
            raise
        return stored
    record_event(
        actor=actor,
        action="results.computed",
        target=snapshot,
        after={"round_id": round_.id, "input_digest": key, "applications": len(result.rows)},
    )
    db.session.flush()
    return snapshot


def queue_snapshot(*, round_: Round, actor) -> None:
    """Have the worker tally the round once the current transaction commits."""
    from qpmusic.results.tasks import compute_results

    refused = refusal(round_)
    if refused is not None:
        raise refused
    send_after_commit(compute_results, round_.id, getattr(actor, "id", None))


def newest_snapshot(round_id: int) -> ResultSnapshot | None:
    """The snapshot computed last; it may no longer match the reviews (see current_snapshot)."""
    return db.session.scalar(
        select(ResultSnapshot)
        .where(ResultSnapshot.round_id == round_id)
        .order_by(ResultSnapshot.computed_at.desc(), ResultSnapshot.id.desc())
        .limit(1)
    )


def current_snapshot(round_: Round) -> ResultSnapshot | None:
    """The stored tally of the round's input as it is now, None if that input is not tallied.

    Not the newest: tallying an input seen before finds its older snapshot again (a conflict
    confirmed, then dismissed), while a newer snapshot holds the input in between.
    """
    return _existing(round_.id, tally.digest(read_round(round_).data))


def snapshot_in_force(round_: Round) -> ResultSnapshot | None:
    """The tally that stands: the one the finalists came from once frozen, else the current one."""
    if round_.frozen_snapshot_id is not None:
        return db.session.get(ResultSnapshot, round_.frozen_snapshot_id)
    return current_snapshot(round_)


def snapshot_to_show(round_: Round) -> ResultSnapshot | None:
    """The tally in force, else the newest one (out of date: whoever shows it must say so)."""
    return snapshot_in_force(round_) or newest_snapshot(round_.id)


def conflict_counts(snapshot: ResultSnapshot) -> dict[int, int]:
    """Application id -> conflicts in force with it when tallied (reviewed or not)."""
    pairs = (snapshot.parameters or {}).get("conflicts", [])
    return dict(Counter(app_id for _juror, app_id in pairs))


def snapshot_list(round_id: int) -> list:
    """Every snapshot of the round, newest first, without the heavy JSON columns."""
    return db.session.execute(
        select(ResultSnapshot.id, ResultSnapshot.computed_at, ResultSnapshot.input_digest)
        .where(ResultSnapshot.round_id == round_id)
        .order_by(ResultSnapshot.computed_at.desc(), ResultSnapshot.id.desc())
    ).all()
