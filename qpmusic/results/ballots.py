"""The final-concert ballot: its round opened and closed by the office, each juror's ranking.

A juror ranks every finalist they have no conflict with (ties allowed). A finalist a juror is
conflicted with is left off that juror's ballot, and the ballot is left out of every comparison
with that finalist (conflicted reviews never count, not even as "ranked last"). Closing the
round stores the counted ballots and the result as an immutable snapshot. Callers own the
transaction: nothing here commits.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import EditionPhase, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.results.ballot_result import store_result
from qpmusic.results.ballot_roll import (
    conflicted_ids,
    final_round,
    finalist_ids,
    jurors,
    missing_voters,
)
from qpmusic.results.models import Award, Ballot, ResultSnapshot


class BallotError(Exception):
    """A ballot step the rules do not allow; ``code`` for programs, the message for people.

    Codes: ``state`` (wrong round status), ``closed``, ``stale``, ``invalid``, ``conflict``.
    """

    def __init__(self, message, *, code: str = "state"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _lock(round_: Round, *, read: bool = False) -> None:
    # A vote takes the round FOR SHARE and a close FOR UPDATE: a vote never commits after
    # the ballot was closed elsewhere, and two clicks on "open" act once.
    db.session.execute(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update(read=read)
        .execution_options(populate_existing=True)
    ).scalar_one()


def open_problems(round_: Round | None, edition: Edition) -> list:
    """Why the final ballot cannot open now, as translated messages; [] if it can."""
    problems = []
    if edition.phase != EditionPhase.FINAL:
        problems.append(
            _l(
                "The edition is not in the final phase. Move it to “Final” on the edition's "
                "page first (that needs the finalists to be chosen)."
            )
        )
    if len(finalist_ids(edition.id)) < 2:
        problems.append(_l("The ballot needs at least two finalists."))
    if not jurors(edition.id):
        problems.append(_l("The edition has no juror."))
    if db.session.scalar(select(func.count()).select_from(Award).filter_by(edition_id=edition.id)):
        problems.append(_l("The prize has already been recorded."))
    return problems


def create_final_round(*, edition: Edition, actor) -> Round:
    """Prepare the edition's final ballot (a draft round); there is one per edition."""
    created = db.session.execute(
        insert(Round)
        .values(edition_id=edition.id, kind=RoundKind.FINAL, status=RoundStatus.DRAFT)
        .on_conflict_do_nothing(index_elements=["edition_id", "kind"])
        .returning(Round.id)
    ).scalar()
    round_ = final_round(edition.id)
    if created is not None:
        record_event(actor=actor, action="round.created", target=round_, after={"kind": "final"})
    return round_


def open_final(*, round_: Round, actor, now: datetime) -> Round:
    """Open the ballot: every juror of the edition may now rank the finalists."""
    _lock(round_)
    if round_.status != RoundStatus.DRAFT:
        raise BallotError(_l("The ballot is already open or closed."))
    problems = open_problems(round_, round_.edition)
    if problems:
        raise BallotError(problems[0])
    round_.status = RoundStatus.OPEN
    round_.opened_at = now
    db.session.flush()
    record_event(
        actor=actor,
        action="round.opened",
        target=round_,
        before={"status": "draft"},
        after={"status": "open", "finalists": sorted(finalist_ids(round_.edition_id))},
    )
    return round_


def reopen_final(*, round_: Round, actor, reason: str) -> Round:
    """Reopen a closed ballot with a reason, as long as no prize has been recorded."""
    reason = (reason or "").strip()
    _lock(round_)
    if round_.status != RoundStatus.CLOSED:
        raise BallotError(_l("Only a closed ballot can be reopened."))
    if not reason:
        raise BallotError(_l("Please give a reason for reopening the ballot."), code="invalid")
    if open_problems(round_, round_.edition):
        raise BallotError(open_problems(round_, round_.edition)[0])
    round_.status = RoundStatus.OPEN
    round_.closed_at = None
    # The result counted at closing is kept as a snapshot, but no longer the one in force.
    round_.frozen_snapshot_id = None
    round_.frozen_at = None
    db.session.flush()
    record_event(
        actor=actor,
        action="round.reopened",
        target=round_,
        before={"status": "closed"},
        after={"status": "open", "reason": reason},
    )
    return round_


def close_final(*, round_: Round, actor, now: datetime, anyway: bool = False) -> ResultSnapshot:
    """Close the ballot and store its result; with jurors yet to vote only if told so."""
    _lock(round_)
    if round_.status != RoundStatus.OPEN:
        raise BallotError(_l("Only an open ballot can be closed."))
    missing = len(missing_voters(round_))
    if missing and not anyway:
        raise BallotError(
            _ln(
                "%(num)d juror has not voted yet. Tick “Close anyway” to close the ballot all "
                "the same.",
                "%(num)d jurors have not voted yet. Tick “Close anyway” to close the ballot all "
                "the same.",
                missing,
            ),
            code="missing",
        )
    round_.status = RoundStatus.CLOSED
    round_.closed_at = now
    db.session.flush()
    snapshot = store_result(round_, actor=actor, now=now)
    record_event(
        actor=actor,
        action="round.closed",
        target=round_,
        before={"status": "open"},
        after={
            "status": "closed",
            "not_voted": missing,
            "snapshot_id": snapshot.id,
            "winners": snapshot.rows[0]["application_ids"] if snapshot.rows else [],
        },
    )
    return snapshot


def save_ballot(*, round_: Round, juror, ranks: dict[int, int], version: int, now) -> Ballot:
    """Save the juror's ranks (application id → 1 = best; equal numbers tie) as their ballot.

    ``version`` is the ballot's version the page was built from (0: none yet); an older one
    means another tab or device saved in between, and nothing is overwritten.
    """
    _lock(round_, read=True)
    if round_.status != RoundStatus.OPEN:
        raise BallotError(
            _l("The ballot is closed; your vote can no longer change."), code="closed"
        )
    candidates = set(finalist_ids(round_.edition_id))
    conflicted = conflicted_ids(round_.edition_id, juror.id) & candidates
    if conflicted & ranks.keys():
        raise BallotError(
            _l("You do not rank a finalist you have a conflict with."), code="conflict"
        )
    expected = candidates - conflicted
    if ranks.keys() != expected or not all(1 <= r <= len(expected) for r in ranks.values()):
        raise BallotError(_l("Please give every finalist a rank."), code="invalid")
    db.session.execute(
        insert(Ballot)
        .values(round_id=round_.id, juror_id=juror.id, ranking=[], version=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["round_id", "juror_id"])
    )
    ballot = db.session.execute(
        select(Ballot)
        .where(Ballot.round_id == round_.id, Ballot.juror_id == juror.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if ballot.version != version:
        raise BallotError(
            _l(
                "Your ballot was changed in another tab or on another device. The page now shows "
                "the saved ballot; your choices are listed below."
            ),
            code="stale",
        )
    before = {"ranking": ballot.ranking} if ballot.submitted_at else None
    ballot.ranking = ranking_from_ranks(ranks)
    ballot.version += 1
    ballot.submitted_at = now
    db.session.flush()
    record_event(
        actor=juror,
        action="ballot.saved",
        target=ballot,
        before=before,
        after={"ranking": ballot.ranking, "version": ballot.version},
    )
    return ballot


def ranking_from_ranks(ranks: dict[int, int]) -> list[list[int]]:
    """{application: rank} → groups best first; equal ranks form one group (a tie)."""
    groups: dict[int, list[int]] = {}
    for application_id, rank in ranks.items():
        groups.setdefault(rank, []).append(application_id)
    return [sorted(groups[rank]) for rank in sorted(groups)]


def ranks_from_ranking(ranking: list[list[int]]) -> dict[int, int]:
    """Groups best first → {application: 1, 2, …}; a tie shares one number."""
    return {a: place for place, group in enumerate(ranking, start=1) for a in group}
