"""Choosing the finalists from a jury round's current tally, which freezes that round's result.

Callers own the transaction: nothing here commits.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.editions.services import apply_changes
from qpmusic.enums import ApplicationStatus, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.results.ballot_roll import finalist_ids
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import current_snapshot, newest_snapshot

METHODS = ("raw_mean", "raw_median", "normalized", "city_balanced")
# Rounds created before the tally existed name the median without its prefix.
ALIASES = {"median": "raw_median", "mean": "raw_mean"}
# Recorded when the finalists are chosen; its "after" names them.
CHOSEN_EVENT = "round.finalists_chosen"


class FinalistError(Exception):
    """A choice the rules do not allow; ``field`` names the form input at fault, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def method_name(name: str) -> str | None:
    name = ALIASES.get(name, name)
    return name if name in METHODS else None


def tie_break_order(round_: Round, snapshot: ResultSnapshot | None = None) -> list[str]:
    """The methods that order the ranking (as the tally used them, else as the round says)."""
    stored = (snapshot.parameters or {}).get("tie_break") if snapshot is not None else None
    names = [method_name(n) for n in (stored or round_.tie_break or [])]
    return [n for n in dict.fromkeys(names) if n]


def default_method(round_: Round) -> str:
    order = tie_break_order(round_)
    return order[0] if order else "normalized"


# --- the proposal (pure: rows in, ids out) ----------------------------------------------------


def rank_key(row: dict, order: list[str]) -> tuple | None:
    """The row's ranks under ``order`` (the chosen method first); None when it has no rank."""
    ranks = row.get("ranks") or {}
    if ranks.get(order[0]) is None:
        return None
    return tuple(ranks[m] if ranks.get(m) is not None else float("inf") for m in order)


@dataclass(frozen=True)
class Cut:
    ordered: tuple[int, ...]  # ranked application ids, best first
    places: dict[int, int]  # application id -> place (1 = best; level rows share a place)
    proposed: frozenset[int]  # clearly above the cut
    tied: frozenset[int]  # level at the cut: the jury decides which of them go on
    places_open: int  # places the tied ones compete for


def cut(rows: list[dict], *, count: int, order: list[str]) -> Cut:
    """The ``count`` best rows by ``order``; a tie across the cut is flagged, never broken."""
    keys = {row["application_id"]: rank_key(row, order) for row in rows}
    ranked = sorted((k, i) for i, k in keys.items() if k is not None)
    ordered = tuple(i for _, i in ranked)
    places = {}
    for n, (key, app_id) in enumerate(ranked):
        level = n > 0 and key == ranked[n - 1][0]
        places[app_id] = places[ranked[n - 1][1]] if level else n + 1
    if len(ranked) <= count:
        return Cut(ordered, places, frozenset(ordered), frozenset(), 0)
    last_in, first_out = ranked[count - 1][0], ranked[count][0]
    if last_in != first_out:
        return Cut(ordered, places, frozenset(ordered[:count]), frozenset(), 0)
    proposed = frozenset(i for k, i in ranked if k < last_in)
    tied = frozenset(i for k, i in ranked if k == last_in)
    return Cut(ordered, places, proposed, tied, count - len(proposed))


# --- the page's proposal ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    application: Application
    row: dict
    position: int | None  # place by the chosen method (1 = best; ties share it), None: unranked
    proposed: bool
    tied: bool


@dataclass(frozen=True)
class Proposal:
    snapshot: ResultSnapshot
    method: str
    count: int
    candidates: list[Candidate]
    proposed: frozenset[int]
    tied: frozenset[int]
    places_open: int


def _shortlisted(edition_id: int, *, lock: bool = False) -> dict[int, Application]:
    query = select(Application).where(
        Application.edition_id == edition_id, Application.status == ApplicationStatus.SHORTLISTED
    )
    if lock:
        query = query.with_for_update(of=Application).execution_options(populate_existing=True)
    else:
        query = query.options(joinedload(Application.applicant))
    return {a.id: a for a in db.session.scalars(query)}


def _order(round_: Round, snapshot: ResultSnapshot | None, method: str) -> list[str]:
    return [method, *(m for m in tie_break_order(round_, snapshot) if m != method)]


def _candidates(rows: list[dict], result: Cut, apps: dict[int, Application]) -> list[Candidate]:
    """The rows in ranked order, then the unranked ones, each with its application."""
    by_id = {r["application_id"]: r for r in rows if r.get("application_id") in apps}
    unranked = sorted(i for i in by_id if i not in result.places)
    return [
        Candidate(apps[i], by_id[i], result.places.get(i), i in result.proposed, i in result.tied)
        for i in [*result.ordered, *unranked]
        if i in by_id
    ]


def propose(*, round_: Round, snapshot: ResultSnapshot, method: str) -> Proposal:
    """The edition's number of finalists from the top of ``method`` in ``snapshot``.

    Only applications still on the shortlist take part (a withdrawal since the tally drops out).
    """
    shortlisted = _shortlisted(round_.edition_id)
    rows = [r for r in snapshot.rows or [] if r.get("application_id") in shortlisted]
    count = round_.edition.finalists_count
    result = cut(rows, count=count, order=_order(round_, snapshot, method))
    return Proposal(
        snapshot=snapshot,
        method=method,
        count=count,
        candidates=_candidates(rows, result, shortlisted),
        proposed=result.proposed,
        tied=result.tied,
        places_open=result.places_open,
    )


# --- choosing --------------------------------------------------------------------------------


def _lock_round(round_: Round) -> None:
    # Two admins confirming at once: the second one waits here and then sees the frozen round.
    db.session.execute(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def check_can_choose(round_: Round) -> ResultSnapshot:
    """The snapshot to choose from, or the reason why the round's finalists cannot be chosen."""
    if round_.kind != RoundKind.JURY:
        raise FinalistError(_l("Finalists are chosen from the jury round."))
    if round_.frozen_at is not None:
        raise FinalistError(_l("The finalists of this round have already been chosen."))
    if round_.status != RoundStatus.CLOSED:
        raise FinalistError(_l("Close the round before choosing the finalists."))
    snapshot = current_snapshot(round_)
    if snapshot is not None:
        return snapshot
    if newest_snapshot(round_.id) is None:
        raise FinalistError(_l("Compute the results of the round before choosing the finalists."))
    # A tally of other reviews or conflicts than today's would freeze an outdated ranking.
    raise FinalistError(_l("The reviews or conflicts changed since the tally; please tally again."))


def choose_finalists(
    *,
    round_: Round,
    snapshot_id: int,
    method: str,
    application_ids,
    reason: str,
    actor,
    now: datetime,
) -> Proposal:
    """Make the chosen applications finalists and freeze the round's result.

    Every other application on the shortlist becomes a non-finalist. A choice that departs
    from the proposal, or settles a tie at the cut, needs a reason; it is kept on the round
    and in the audit log with the proposal it departs from.
    """
    _lock_round(round_)
    snapshot = check_can_choose(round_)
    if snapshot.id != snapshot_id:
        raise FinalistError(
            _l("The results were computed again since this page was opened. Please check them.")
        )
    method = method_name(method or "")
    if method is None:
        raise FinalistError(_l("Please choose a method."), field="method")
    shortlisted = _shortlisted(round_.edition_id, lock=True)
    proposal = propose(round_=round_, snapshot=snapshot, method=method)
    offered = {c.application.id for c in proposal.candidates}
    chosen = set(application_ids or [])
    if not chosen:
        raise FinalistError(_l("Please choose at least one finalist."), field="finalists")
    if not chosen <= offered:
        raise FinalistError(
            _l("Only applications on the shortlist and in the results can be chosen."),
            field="finalists",
        )
    reason = (reason or "").strip()
    departs = chosen != proposal.proposed or bool(proposal.tied)
    if departs and not reason:
        message = (
            _l("A tie at the cut is decided by the jury: please give the reason for this choice.")
            if proposal.tied
            else _l("This choice differs from the proposal: please give a reason.")
        )
        raise FinalistError(message, field="reason")

    round_.result_method = method
    round_.frozen_snapshot_id = snapshot.id
    round_.frozen_at = now
    round_.override_reason = reason
    for application in shortlisted.values():
        status = (
            ApplicationStatus.FINALIST
            if application.id in chosen
            else ApplicationStatus.NOT_FINALIST
        )
        application.status = status
        record_event(
            actor=actor,
            action=f"application.{status.value}",
            target=application,
            before={"status": ApplicationStatus.SHORTLISTED.value},
            after={"status": status.value, "round_id": round_.id},
        )
    db.session.flush()
    record_event(
        actor=actor,
        action=CHOSEN_EVENT,
        target=round_,
        before={
            "snapshot_id": snapshot.id,
            "method": method,
            "proposal": sorted(proposal.proposed),
            "tied_at_cut": sorted(proposal.tied),
        },
        after={
            "snapshot_id": snapshot.id,
            "method": method,
            "finalists": sorted(chosen),
            "overridden": departs,
            "reason": reason,
        },
    )
    return proposal


@dataclass(frozen=True)
class Decision:
    snapshot: ResultSnapshot | None
    method: str
    reason: str
    frozen_at: datetime
    candidates: list[Candidate]  # in the order of the method used
    chosen: frozenset[int]


def chosen_at_freeze(round_: Round) -> frozenset[int]:
    """The applications chosen as finalists when the round was frozen.

    Statuses move on after the choice: a special prize may go to a non-finalist, so the
    status alone does not tell who was chosen; the choice's audit event does.
    """
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == CHOSEN_EVENT,
            AuditEvent.target_type == Round.__tablename__,
            AuditEvent.target_id == round_.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is not None and "finalists" in (event.after or {}):
        return frozenset(event.after["finalists"])
    return frozenset(finalist_ids(round_.edition_id))


def frozen_decision(round_: Round) -> Decision:
    """What was decided when the round was frozen, ordered by the method then used."""
    snapshot = db.session.get(ResultSnapshot, round_.frozen_snapshot_id)
    rows = (snapshot.rows or []) if snapshot is not None else []
    ids = [r.get("application_id") for r in rows]
    query = select(Application).where(Application.id.in_(ids))
    apps = {a.id: a for a in db.session.scalars(query)}
    method = round_.result_method or default_method(round_)
    result = cut(rows, count=len(rows), order=_order(round_, snapshot, method))
    return Decision(
        snapshot=snapshot,
        method=method,
        reason=round_.override_reason,
        frozen_at=round_.frozen_at,
        candidates=_candidates(rows, result, apps),
        chosen=chosen_at_freeze(round_),
    )


# --- the final concert -----------------------------------------------------------------------


def set_final_concert(*, actor, edition: Edition, at: datetime | None, place: str) -> Edition:
    """Set when and where the finalists play; logged like every other edition setting."""
    before, after = apply_changes(
        edition, {"final_concert_at": at, "final_concert_place": (place or "").strip()}
    )
    if after:
        db.session.flush()
        record_event(
            actor=actor, action="edition.updated", target=edition, before=before, after=after
        )
    return edition
