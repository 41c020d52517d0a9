"""The Schulze method for the final-concert ballot, with the tables that explain its result.

Pure logic. A ballot is a ranking: a list of groups of candidate ids, best first; candidates in
one group are tied, candidates a ballot leaves out share its last place. Ids that are not
candidates (say, a finalist withdrawn after the vote) are ignored, which is the same as removing
that candidate from every ballot; an id twice in one ballot is an error.

A ballot may also be a ``RankedBallot`` naming the candidates it excludes (the juror's
conflicts of interest): it then says nothing about any pair with an excluded candidate, instead
of putting that candidate last, where the conflicted juror would still vote against them.

- ``pairwise[a, b]``: how many voters strictly prefer a to b.
- ``strongest[a, b]``: the strength of the strongest path from a to b (widest path,
  Floyd-Warshall), where a link a → b has strength ``pairwise[a, b]`` if a beats b, else none (0).
- a beats b in the Schulze relation when ``strongest[a, b] > strongest[b, a]``. The ranking
  takes, again and again, the remaining candidates no remaining candidate beats; the first
  group are the potential ``winners`` (one unless the jury has to decide between several).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RankedBallot:
    ranking: Sequence[Iterable[int]]
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SchulzeResult:
    candidates: tuple[int, ...]  # sorted
    pairwise: dict[tuple[int, int], int]  # every ordered pair of distinct candidates
    strongest: dict[tuple[int, int], int]
    ranking: tuple[tuple[int, ...], ...]  # groups, best first; ids sorted within a group
    winners: tuple[int, ...]


def schulze(
    candidates: Iterable[int], ballots: Iterable[RankedBallot | Sequence[Iterable[int]]]
) -> SchulzeResult:
    """``ballots``: rankings, or ``RankedBallot``s where a ballot excludes candidates."""
    cands = tuple(sorted(set(candidates)))
    pairwise = {(a, b): 0 for a in cands for b in cands if a != b}
    for ballot in ballots:
        if not isinstance(ballot, RankedBallot):
            ballot = RankedBallot(ballot)
        position = _positions(cands, ballot.ranking)
        excluded = set(ballot.excluded)
        for a, b in pairwise:
            if position[a] < position[b] and a not in excluded and b not in excluded:
                pairwise[a, b] += 1

    strongest = {(a, b): (d if d > pairwise[b, a] else 0) for (a, b), d in pairwise.items()}
    for via in cands:
        for a in cands:
            if a == via:
                continue
            for b in cands:
                if b in (a, via):
                    continue
                through = min(strongest[a, via], strongest[via, b])
                if through > strongest[a, b]:
                    strongest[a, b] = through

    ranking = []
    remaining = list(cands)
    while remaining:
        top = tuple(
            a
            for a in remaining
            if not any(strongest[b, a] > strongest[a, b] for b in remaining if b != a)
        )
        # The relation is a strict partial order (Schulze 2011), so some candidate is unbeaten.
        ranking.append(top)
        remaining = [a for a in remaining if a not in top]
    return SchulzeResult(
        candidates=cands,
        pairwise=pairwise,
        strongest=strongest,
        ranking=tuple(ranking),
        winners=ranking[0] if ranking else (),
    )


def _positions(cands: tuple[int, ...], ballot: Sequence[Iterable[int]]) -> dict[int, int]:
    """Each candidate's place on one ballot (0 = best); the unranked share the last place."""
    known = set(cands)
    position: dict[int, int] = {}
    seen: set[int] = set()
    for place, group in enumerate(ballot):
        for c in group:
            if c in seen:
                raise ValueError(f"candidate {c} appears twice on one ballot")
            seen.add(c)
            if c in known:
                position[c] = place
    last = len(ballot)
    return {c: position.get(c, last) for c in cands}
