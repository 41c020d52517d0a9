"""The final ballot's result: the ballots as they count, the Schulze tables, the snapshot.

Closing the ballot stores what was counted and what came out as an immutable ResultSnapshot
of the final round (its inputs are the canonical record, so the same ballots give the same
digest); every page recomputes the tables from those inputs with the pure Schulze function.
Each counted ballot names the finalists it excludes (the juror's conflicts of interest), so
the snapshot alone reproduces the result.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from qpmusic.applications.models import Application
from qpmusic.enums import RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.conflicts import effective_conflicts
from qpmusic.jury.models import Round
from qpmusic.results.ballot_roll import ballots, final_round, finalist_ids, jurors
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.schulze import RankedBallot, SchulzeResult, schulze

# "conflicts": a ballot leaves out every comparison with a finalist its juror is conflicted with.
PARAMETERS = {"method": "schulze", "unranked": "last", "conflicts": "excluded"}


def counted_inputs(round_: Round) -> dict:
    """The ballots as they count: jurors still on the jury, finalists only, conflicts excluded."""
    candidates = sorted(finalist_ids(round_.edition_id))
    members = {m.user_id for m in jurors(round_.edition_id)}
    conflicts = effective_conflicts(round_.edition_id)
    counted = []
    for juror_id, ballot in sorted(ballots(round_).items()):
        if juror_id not in members or ballot.submitted_at is None:
            continue
        # A conflict confirmed after the vote takes the finalist off a ballot that ranked it.
        excluded = [a for a in candidates if (juror_id, a) in conflicts]
        ranking = [
            sorted(a for a in group if a in candidates and a not in excluded)
            for group in ballot.ranking
        ]
        counted.append(
            {"juror_id": juror_id, "ranking": [g for g in ranking if g], "excluded": excluded}
        )
    return {"candidates": candidates, "ballots": counted}


def digest(inputs: dict) -> str:
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def compute(inputs: dict) -> SchulzeResult:
    # Snapshots stored before exclusions have no "excluded": their conflicted finalists
    # counted as ranked last, and recomputing them must give what was shown then.
    return schulze(
        inputs["candidates"],
        [RankedBallot(b["ranking"], frozenset(b.get("excluded", ()))) for b in inputs["ballots"]],
    )


def store_result(round_: Round, *, actor, now: datetime) -> ResultSnapshot:
    """Count the ballots, store the snapshot (one per distinct input) and freeze it on the round.

    The round points at its snapshot: closing again on ballots counted before reuses that
    older snapshot, so "the newest" would not always be the one in force.
    """
    inputs = counted_inputs(round_)
    result = compute(inputs)
    rows = [
        {"place": place, "application_ids": list(group)}
        for place, group in enumerate(result.ranking, start=1)
    ]
    key = digest(inputs)
    # The same ballots closed twice (closed, reopened, closed unchanged) keep one snapshot.
    db.session.execute(
        insert(ResultSnapshot)
        .values(
            round_id=round_.id,
            input_digest=key,
            parameters=PARAMETERS,
            inputs=inputs,
            rows=rows,
            jurors=[b["juror_id"] for b in inputs["ballots"]],
            computed_at=now,
            computed_by_id=getattr(actor, "id", None),
        )
        .on_conflict_do_nothing(index_elements=["round_id", "input_digest"])
    )
    snapshot = db.session.scalar(
        select(ResultSnapshot).where(
            ResultSnapshot.round_id == round_.id, ResultSnapshot.input_digest == key
        )
    )
    round_.frozen_snapshot_id = snapshot.id
    round_.frozen_at = now
    round_.result_method = PARAMETERS["method"]
    db.session.flush()
    return snapshot


@dataclass
class FinalResult:
    snapshot: ResultSnapshot
    result: SchulzeResult
    applications: dict[int, Application]

    @property
    def tie_for_first(self) -> bool:
        return len(self.result.winners) > 1

    @property
    def order(self) -> list[int]:
        """The candidates best first (tied ones side by side), for the tables' rows and columns."""
        return [a for group in self.result.ranking for a in group]

    @property
    def voters(self) -> int:
        return len(self.snapshot.inputs["ballots"])


def final_result(round_: Round) -> FinalResult | None:
    """The result of the closed ballot (its newest snapshot), recomputed from its inputs."""
    if round_ is None or round_.status != RoundStatus.CLOSED:
        return None
    # The snapshot closing froze; a round closed before that rule has only its newest one.
    snapshot = (
        db.session.get(ResultSnapshot, round_.frozen_snapshot_id)
        if round_.frozen_snapshot_id
        else db.session.scalar(
            select(ResultSnapshot)
            .where(ResultSnapshot.round_id == round_.id)
            .order_by(ResultSnapshot.computed_at.desc(), ResultSnapshot.id.desc())
            .limit(1)
        )
    )
    if snapshot is None:
        return None
    candidates = snapshot.inputs["candidates"]
    applications = {
        a.id: a
        for a in db.session.scalars(select(Application).where(Application.id.in_(candidates)))
    }
    return FinalResult(snapshot, compute(snapshot.inputs), applications)


def proposed_winner(edition_id: int) -> int | None:
    """The Schulze winner of the closed ballot, or None (no closed ballot, or a tie for first)."""
    result = final_result(final_round(edition_id))
    if result is None or len(result.result.winners) != 1:
        return None
    return result.result.winners[0]
