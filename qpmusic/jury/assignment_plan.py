"""Which juror reviews which application: everyone on everything, or an automatic balanced plan.

Pure logic: jurors, application ids and conflicts in, a :class:`Plan` out. The same input in any
order gives the same plan (everything is sorted by id; no randomness).

Problem codes (stable; the view layer translates them, ``needed`` and ``got`` are counts):

- ``too_few_reviewers`` (per application): fewer reviewers than ``needed`` because too few jurors
  are free of conflict with it. ``assign_all`` reports it with ``needed=1, got=0`` for an
  application every juror is conflicted with.
- ``too_few_cities`` (per application): its reviewers come from ``got`` distinct cities, fewer
  than ``needed``; the conflict-free jurors (or the reviews per application, or the pairs kept by
  hand) do not allow more.
- ``load_unbalanced`` (``application_id`` None): the busiest and the least busy juror differ by
  ``got`` reviews, more than ``needed`` (1); conflicts or pairs kept by hand force it.

Kept pairs that are conflicted, or that name a juror or an application not given, are dropped.
A juror whose ``city_id`` is None counts towards no city.
"""

from collections import Counter, deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass

TOO_FEW_REVIEWERS = "too_few_reviewers"
TOO_FEW_CITIES = "too_few_cities"
LOAD_UNBALANCED = "load_unbalanced"


@dataclass(frozen=True)
class Juror:
    id: int
    city_id: int | None


@dataclass(frozen=True)
class Problem:
    """A constraint the plan could not meet: ``got`` where ``needed`` was asked."""

    code: str
    application_id: int | None
    needed: int
    got: int


@dataclass(frozen=True)
class Plan:
    pairs: frozenset[tuple[int, int]]  # (juror_id, application_id)
    problems: tuple[Problem, ...]


def assign_all(
    jurors: Iterable[Juror],
    application_ids: Iterable[int],
    conflicts: Collection[tuple[int, int]],
) -> Plan:
    """Every juror on every application they have no conflict with (the default mode)."""
    juror_ids = sorted(_cities(jurors))
    apps = sorted(set(application_ids))
    blocked = frozenset(conflicts)
    pairs = frozenset((j, a) for a in apps for j in juror_ids if (j, a) not in blocked)
    reviewed = {a for _, a in pairs}
    problems = tuple(Problem(TOO_FEW_REVIEWERS, a, 1, 0) for a in apps if a not in reviewed)
    return Plan(pairs, problems)


def assign_automatic(
    jurors: Iterable[Juror],
    application_ids: Iterable[int],
    conflicts: Collection[tuple[int, int]],
    *,
    reviews_per_application: int,
    min_cities: int,
    keep: Collection[tuple[int, int]] = frozenset(),
) -> Plan:
    """A plan giving each application its reviews from enough cities, with balanced loads.

    Priorities, highest first: conflicts, kept pairs, the number of reviews, the number of
    cities, juror loads within one, then mixed teams. A greedy pass fills the most constrained
    applications first, covering new cities first, the least loaded juror next and, among
    those, the one who has reviewed least often with the jurors already on the team (for the
    first juror of a team: the one with the fewest equally loaded colleagues not met yet); a
    repair pass then moves reviews along chains from busy to idle jurors without losing any
    city an application needs (it does not look at the mixing).

    Mixing matters for the tally: per-juror normalization compares jurors only through the
    applications they share, and fixed teams would split the jury into groups that never meet.
    """
    if reviews_per_application < 0 or min_cities < 0:
        raise ValueError("reviews_per_application and min_cities must not be negative")
    city = _cities(jurors)
    apps = sorted(set(application_ids))
    blocked = frozenset(conflicts)
    eligible = {a: [j for j in sorted(city) if (j, a) not in blocked] for a in apps}
    kept: dict[int, set[int]] = {a: set() for a in apps}
    for j, a in keep:
        if j in city and a in kept and (j, a) not in blocked:
            kept[a].add(j)

    plan = _Builder(city, eligible, min_cities)
    # Applications with the fewest possible reviewers first: the others can still go anywhere.
    for a in sorted(apps, key=lambda a: (len(eligible[a]), a)):
        plan.fill(a, kept[a], reviews_per_application)
    plan.rebalance()

    problems = []
    for a in apps:
        got = len(plan.reviewers[a])
        if got < reviews_per_application:
            problems.append(Problem(TOO_FEW_REVIEWERS, a, reviews_per_application, got))
        cities = len(plan.city_counts[a])
        if cities < min_cities:
            problems.append(Problem(TOO_FEW_CITIES, a, min_cities, cities))
    if city:
        spread = max(plan.load.values()) - min(plan.load.values())
        if spread > 1:
            problems.append(Problem(LOAD_UNBALANCED, None, 1, spread))
    pairs = frozenset((j, a) for a, team in plan.reviewers.items() for j in team)
    return Plan(pairs, tuple(problems))


def _cities(jurors: Iterable[Juror]) -> dict[int, int | None]:
    city: dict[int, int | None] = {}
    for juror in jurors:
        if city.get(juror.id, juror.city_id) != juror.city_id:
            raise ValueError(f"juror {juror.id} is given with two cities")
        city[juror.id] = juror.city_id
    return city


class _Builder:
    """The plan under construction, with the counts the greedy and the repair pass consult."""

    def __init__(
        self, city: dict[int, int | None], eligible: dict[int, list[int]], min_cities: int
    ) -> None:
        self.city = city
        self.eligible = eligible
        self.min_cities = min_cities
        self.reviewers: dict[int, set[int]] = {}
        self.city_counts: dict[int, Counter[int]] = {}
        self.load = dict.fromkeys(city, 0)
        # Applications each juror could hand over (kept pairs stay where the admin put them).
        self.movable: dict[int, set[int]] = {j: set() for j in city}
        # How many applications each two jurors review together; a pair that shares none has no key.
        self.together: dict[int, Counter[int]] = {j: Counter() for j in city}

    def _add(self, j: int, a: int) -> None:
        for k in self.reviewers[a]:
            self.together[j][k] += 1
            self.together[k][j] += 1
        self.reviewers[a].add(j)
        self.load[j] += 1
        if self.city[j] is not None:
            self.city_counts[a][self.city[j]] += 1

    def _remove(self, j: int, a: int) -> None:
        self.reviewers[a].discard(j)
        for k in self.reviewers[a]:
            for x, y in ((j, k), (k, j)):
                self.together[x][y] -= 1
                if not self.together[x][y]:
                    del self.together[x][y]
        self.load[j] -= 1
        c = self.city[j]
        if c is not None:
            self.city_counts[a][c] -= 1
            if not self.city_counts[a][c]:
                del self.city_counts[a][c]

    def fill(self, a: int, kept: set[int], reviews: int) -> None:
        self.reviewers[a] = set()
        self.city_counts[a] = Counter()
        for j in sorted(kept):
            self._add(j, a)
        target = max(len(kept), min(reviews, len(self.eligible[a])))
        candidates = [j for j in self.eligible[a] if j not in kept]
        while len(self.reviewers[a]) < target:
            covered = self.city_counts[a]
            fresh = []
            if len(covered) < self.min_cities:
                fresh = [
                    j
                    for j in candidates
                    if self.city[j] is not None and self.city[j] not in covered
                ]
            j = self._pick(self.reviewers[a], fresh or candidates)
            candidates.remove(j)
            self._add(j, a)
            self.movable[j].add(a)

    def _pick(self, team: set[int], pool: list[int]) -> int:
        """The least loaded juror of ``pool``, the one who has met ``team`` least among those.

        A team's first juror is the one with the fewest equally loaded colleagues not met yet:
        taking the lowest id every time would leave the last ones of a cycle to pair up with
        colleagues they have already met (with two reviews per application, often the same two).
        """
        low = min(self.load[j] for j in pool)
        pool = [j for j in pool if self.load[j] == low]
        if team:
            return min(pool, key=lambda j: (sum(self.together[j][k] for k in team), j))
        idle = set(pool)
        return min(pool, key=lambda j: (len(idle.difference(self.together[j])), j))

    def _team_after(self, a: int, moves: list[tuple[int, int, int]]) -> set[int]:
        team = set(self.reviewers[a])
        for giver, b, taker in moves:
            if b == a:
                team.discard(giver)
                team.add(taker)
        return team

    def _chain(
        self, start: int, settled: set[int]
    ) -> tuple[list[tuple[int, int, int]] | None, set[int]]:
        """Moves (giver, application, taker) from ``start`` to a juror with two reviews fewer.

        A breadth-first search over jurors; each move is checked against the teams as the moves
        before it on the chain leave them, so the chain can be applied in order. Without a chain,
        gives the jurors it reached instead.
        """
        parent: dict[int, tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            giver = queue.popleft()
            moves = _path(parent, giver)
            held = self.movable[giver] | {a for _, a, taker in moves if taker == giver}
            touched = {a for _, a, _ in moves}
            for a in sorted(held):
                team, counts = self.reviewers[a], self.city_counts[a]
                if a in touched:
                    team = self._team_after(a, moves)
                    counts = Counter(self.city[j] for j in team if self.city[j] is not None)
                floor = min(self.min_cities, len(counts))
                for taker in self.eligible[a]:
                    if taker in parent or taker in team or taker in settled:
                        continue
                    if _cities_after(counts, self.city[giver], self.city[taker]) < floor:
                        continue
                    parent[taker] = (giver, a)
                    if self.load[taker] <= self.load[start] - 2:
                        return _path(parent, taker), set()
                    queue.append(taker)
        return None, set(parent)

    def rebalance(self) -> None:
        """Move reviews along chains from the busiest juror to idler ones while that helps.

        When the busiest juror has no chain, neither has anyone it can reach (they are all as
        busy, give or take one), and no later move opens a way out of that group (exactly so
        when cities restrict no move; the property tests find no case where they matter): the
        group is settled and left alone, so each search either moves reviews or settles jurors.
        """
        settled: set[int] = set()
        while True:
            open_loads = {j: load for j, load in self.load.items() if j not in settled}
            if not open_loads:
                return
            giver = min(open_loads, key=lambda j: (-open_loads[j], j))
            if open_loads[giver] - min(open_loads.values()) < 2:
                return
            chain, reached = self._chain(giver, settled)
            if chain is None:
                settled |= reached
                continue
            for from_, a, to in chain:
                self._remove(from_, a)
                self.movable[from_].discard(a)
                self._add(to, a)
                self.movable[to].add(a)


def _path(parent: dict[int, tuple[int, int] | None], end: int) -> list[tuple[int, int, int]]:
    moves = []
    node = end
    while (step := parent[node]) is not None:
        giver, a = step
        moves.append((giver, a, node))
        node = giver
    return moves[::-1]


def _cities_after(counts: Counter, lost: int | None, won: int | None) -> int:
    """Distinct cities of a team after a juror from ``lost`` hands over to one from ``won``."""
    if lost == won:
        return len(counts)
    return (
        len(counts)
        - (lost is not None and counts[lost] == 1)
        + (won is not None and won not in counts)
    )
