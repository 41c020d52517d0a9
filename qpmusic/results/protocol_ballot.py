"""The final-concert ballot as the protocol prints it: who voted how, and the Schulze result.

Once the ballot is closed, its snapshot holds the ballots as they counted (jurors on the jury,
finalists only, conflicts left out); the protocol shows those and the Schulze tables computed
from them. Before that it lists the ballots cast so far and no result.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.jury.models import JuryMember, Round
from qpmusic.results.ballot_result import final_result
from qpmusic.results.ballot_roll import finalist_ids
from qpmusic.results.models import Ballot


@dataclass
class BallotSummary:
    round: Round
    closed: bool
    references: list[str] = field(default_factory=list)  # the candidates, in table order
    # (juror's name, their ranking as groups of references, best first)
    ballots: list[tuple[str, list[list[str]]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # Row candidate is preferred to column candidate by this many jurors (None: diagonal).
    pairwise: list[tuple[str, list[int | None]]] = field(default_factory=list)
    ranking: list[list[str]] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)


def _cast(round_: Round) -> dict:
    """The ballots submitted so far, in the shape a closed ballot's snapshot stores."""
    ballots = db.session.scalars(
        select(Ballot).where(Ballot.round_id == round_.id, Ballot.submitted_at.is_not(None))
    ).all()
    return {
        "candidates": finalist_ids(round_.edition_id),
        "ballots": [{"juror_id": b.juror_id, "ranking": b.ranking or []} for b in ballots],
    }


def ballot_summary(round_: Round) -> BallotSummary:
    """The ballots of the final round and, once it is closed, the Schulze result."""
    # The snapshot closing froze, not the newest: closing again on ballots counted before
    # reuses that older snapshot, so the newest may hold ballots that no longer count.
    final = final_result(round_)
    counted = final.snapshot.inputs if final is not None else None
    data = counted or _cast(round_)
    ranked = {i for b in data["ballots"] for group in b["ranking"] for i in group}
    ids = set(data["candidates"]) | ranked
    applications = {
        a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(ids)))
    }

    def label(application_id: int) -> str:
        application = applications.get(application_id)
        return (application.reference if application else None) or f"#{application_id}"

    jurors = {
        user_id: name or email
        for user_id, name, email in db.session.execute(
            select(JuryMember.user_id, User.name, User.email)
            .join(User, User.id == JuryMember.user_id)
            .where(JuryMember.edition_id == round_.edition_id, JuryMember.role == Role.JUROR)
        )
    }
    voters = {b["juror_id"] for b in data["ballots"]}
    names = dict(jurors)
    if voters - jurors.keys():
        # Former members keep their counted ballot; their names come from one more query.
        former = select(User).where(User.id.in_(voters - jurors.keys()))
        names |= {u.id: u.display_name for u in db.session.scalars(former)}

    summary = BallotSummary(round=round_, closed=counted is not None)
    summary.ballots = sorted(
        (
            (
                names.get(b["juror_id"], f"#{b['juror_id']}"),
                [[label(i) for i in g] for g in b["ranking"]],
            )
            for b in data["ballots"]
        ),
        key=lambda item: item[0].casefold(),
    )
    summary.missing = sorted((jurors[u] for u in jurors.keys() - voters), key=str.casefold)
    if counted is None:
        summary.references = [label(i) for i in sorted(ids, key=label)]
        return summary
    result = final.result
    order = [a for group in result.ranking for a in group]
    summary.references = [label(a) for a in order]
    summary.pairwise = [
        (label(a), [None if a == b else result.pairwise[a, b] for b in order]) for a in order
    ]
    summary.ranking = [[label(a) for a in group] for group in result.ranking]
    summary.winners = [label(a) for a in result.winners]
    return summary
