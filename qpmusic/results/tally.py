"""The tally of one round: weighted review totals ranked by several methods side by side.

Pure logic (no Flask, no database). Rules, as printed with every result (DESIGN "Tally"):

- A review's weighted total is sum(weight * value) / sum(weight) over the criteria it scored.
- Conflicted reviews never count; they are only counted in each row's ``conflicts``.
- Outlier rule (optional, ``outlier_k``), applied before every method: in an application with at
  least 3 counted reviews, a review is dropped when its total lies more than ``k`` standard
  deviations (population, over all the application's counted totals) from the mean of the
  application's *other* reviews. All reviews are judged against the same set at once, so the
  order never matters; when that would leave fewer than 2 reviews, none is dropped.
- ``raw_mean`` and ``raw_median`` over the application's reviews.
- ``normalized``: each juror's totals become z-scores over that juror's own counted reviews in
  the round and are mapped back as overall mean + z * overall standard deviation (over all counted
  totals). A juror with fewer than ``min_reviews`` reviews or no spread keeps their totals and is
  flagged (a z-score needs at least 2 reviews whatever ``min_reviews`` says). An application's
  score is the mean of its reviews' normalized totals.
- ``city_balanced``: the mean of per-city means of the totals (jurors without a city: one group).
- ``spread``: population standard deviation of the counted totals (None below 2 reviews).
- Every method ranks in competition style (1, 1, 3); the final order compares the ``tie_break``
  methods in turn, and rows still equal after all of them share a rank with ``tie=True`` ("jury
  decides"). They are listed by application id for display only; nothing is ever drawn at random.
  An application without counted reviews has no scores and ranks below every scored one.

Rows: every application named by a review (conflicted ones too). ``review_totals`` lists its
non-conflicted reviews by juror: (juror, weighted total, normalized total), where the normalized
total is the raw one for a juror left as is and None for a review the outlier rule dropped.
Jurors: everyone named by a review, with ``reviews`` = their counted reviews.

Sums use ``math.fsum`` (exactly rounded, so independent of order) and every reported number is
rounded to 6 decimals; ranks compare the rounded numbers, so equal scores are equal.
"""

import math
import operator
from collections import Counter, defaultdict

from qpmusic.results.tally_canonical import CANONICAL_FORMAT, canonical, digest, from_canonical
from qpmusic.results.tally_stats import (
    DIGITS,
    competition_ranks,
    mean,
    median,
    outliers,
    pstdev,
    rounded,
)
from qpmusic.results.tally_types import (
    ALIASES,
    FLAG_NO_SPREAD,
    FLAG_TOO_FEW_REVIEWS,
    METHODS,
    ApplicationResult,
    CriterionSpec,
    JurorResult,
    ReviewInput,
    TallyInput,
    TallyResult,
)

__all__ = [
    "ALIASES",
    "CANONICAL_FORMAT",
    "DIGITS",
    "FLAG_NO_SPREAD",
    "FLAG_TOO_FEW_REVIEWS",
    "METHODS",
    "ApplicationResult",
    "CriterionSpec",
    "JurorResult",
    "ReviewInput",
    "TallyInput",
    "TallyResult",
    "canonical",
    "compute",
    "digest",
    "from_canonical",
]


def compute(data: TallyInput) -> TallyResult:
    """The result of one round; the same input in any order gives an equal result.

    Raises ValueError for inconsistent input: a criterion id twice, a juror with two cities, two
    reviews of one application by one juror, or a counted review without a weighted criterion.
    """
    weigh = _Weigher(_weights(data.criteria))
    city: dict[int, int | None] = {}
    seen: set[tuple[int, int]] = set()
    conflicts: Counter[int] = Counter()
    totals: dict[int, list[tuple[int, float]]] = {}  # application -> [(juror, total)]
    for r in data.reviews:  # in canonical order (TallyInput sorts them)
        j, a = r.juror_id, r.application_id
        if city.setdefault(j, r.city_id) != r.city_id:
            raise ValueError(f"juror {j} is given with two cities")
        if (j, a) in seen:
            raise ValueError(f"juror {j} reviews application {a} twice")
        seen.add((j, a))
        counted = totals.setdefault(a, [])
        if r.conflicted:
            conflicts[a] += 1
        else:
            counted.append((j, weigh(r)))

    if data.outlier_k is None:  # the usual case: nothing dropped, nothing to copy
        dropped = dict.fromkeys(totals, frozenset())
        kept = totals
    else:
        dropped = {a: outliers(ts, data.outlier_k) for a, ts in totals.items()}
        kept = {a: [(j, t) for j, t in ts if j not in dropped[a]] for a, ts in totals.items()}
    by_juror: dict[int, list[float]] = defaultdict(list)
    for ts in kept.values():
        for j, t in ts:
            by_juror[j].append(t)
    everything = [t for ts in kept.values() for _, t in ts]
    overall_mean, overall_std = mean(everything), pstdev(everything)

    jurors = tuple(_juror(j, city[j], by_juror.get(j, []), data.min_reviews) for j in sorted(city))
    scale = {
        jr.juror_id: (mean(by_juror[jr.juror_id]), pstdev(by_juror[jr.juror_id]))
        for jr in jurors
        if jr.normalized
    }

    # Each kept review's normalized total, computed once for the score and the row: mean +
    # z * std of the whole jury; a juror left as is (flagged) keeps the raw total.
    normalized: dict[int, list[float]] = {}
    scores = {}
    for a, ts in kept.items():
        values = [t for _, t in ts]
        shown = []
        per_city: dict[int | None, list[float]] = {}
        for j, t in ts:
            js = scale.get(j)
            shown.append(t if js is None else overall_mean + (t - js[0]) / js[1] * overall_std)
            per_city.setdefault(city[j], []).append(t)
        normalized[a] = shown
        scores[a] = {
            "raw_mean": mean(values),
            "raw_median": median(values),
            "normalized": mean(shown),
            # Sorted so the order of the means, and so their sum, never depends on the input.
            "city_balanced": mean(sorted(mean(v) for v in per_city.values())) if ts else None,
        }
    return TallyResult(
        rows=_rows(data, totals, kept, dropped, conflicts, scores, normalized),
        jurors=jurors,
        overall_mean=rounded(overall_mean),
        overall_std=rounded(overall_std),
    )


def _weights(criteria: tuple[CriterionSpec, ...]) -> dict[int, float]:
    weights = {c.id: c.weight for c in criteria}
    if len(weights) != len(criteria):
        raise ValueError("a criterion id is given twice")
    return weights


class _Weigher:
    """A review's weighted total; the weights of each set of scored criteria are looked up once.

    Most reviews score the same criteria, so per review only the exact sum of the products
    is left: sum(weight * value) / sum(weight), both sums by ``math.fsum``.
    """

    def __init__(self, weights: dict[int, float]):
        self.weights = weights
        self.known: dict[tuple[int, ...], tuple[tuple[float, ...], float]] = {}

    def __call__(self, r: ReviewInput) -> float:
        criteria, values = zip(*r.values, strict=True) if r.values else ((), ())
        known = self.known.get(criteria)
        if known is None:
            unknown = [c for c in criteria if c not in self.weights]
            if unknown:
                raise ValueError(f"review by juror {r.juror_id}: unknown criteria {unknown}")
            ws = tuple(self.weights[c] for c in criteria)
            known = self.known[criteria] = (ws, math.fsum(ws))
        ws, total_weight = known
        if total_weight <= 0:
            raise ValueError(
                f"juror {r.juror_id} on application {r.application_id}: "
                "no weighted criterion scored"
            )
        return math.fsum(map(operator.mul, ws, values)) / total_weight


def _juror(juror_id: int, city_id: int | None, totals: list[float], min_reviews: int):
    n = len(totals)
    std = pstdev(totals)
    flags = []
    # A z-score needs two reviews at the very least, whatever the round asks.
    if n < max(min_reviews, 2):
        flags.append(FLAG_TOO_FEW_REVIEWS)
    if n >= 2 and not rounded(std):
        flags.append(FLAG_NO_SPREAD)
    return JurorResult(
        juror_id=juror_id,
        city_id=city_id,
        reviews=n,
        mean=rounded(mean(totals)),
        std=rounded(std),
        normalized=not flags,
        flags=tuple(flags),
    )


def _rows(data, totals, kept, dropped, conflicts, scores, normalized):
    # Every score rounded once; ranks compare the rounded numbers (see score_key).
    shown = {a: {m: rounded(s[m]) for m in METHODS} for a, s in scores.items()}
    ranks = {m: competition_ranks({a: _key(s, (m,)) for a, s in shown.items()}) for m in METHODS}
    final_keys = {a: _key(s, data.tie_break) for a, s in shown.items()}
    final = competition_ranks(final_keys)
    tied = Counter(final_keys.values())
    memo: dict[float, float] = {}  # review totals repeat a lot (integer scores, few weights)

    def round_total(t: float) -> float:
        r = memo.get(t)
        if r is None:
            r = memo[t] = rounded(t)
        return r

    rows = []
    for a in sorted(scores, key=lambda a: (final[a], a)):
        values = [t for _, t in kept[a]]
        out = dropped[a]
        if out:
            kept_normalized = iter(normalized[a])
            review_totals = tuple(
                (j, round_total(t), None if j in out else rounded(next(kept_normalized)))
                for j, t in totals[a]
            )
        else:  # the usual case: every review kept, in the same order as its normalized total
            review_totals = tuple(
                [
                    (j, memo[t] if t in memo else round_total(t), round(n, DIGITS) + 0.0)
                    for (j, t), n in zip(totals[a], normalized[a], strict=True)
                ]
            )
        rows.append(
            ApplicationResult(
                application_id=a,
                reviews=len(values),
                conflicts=conflicts[a],
                **shown[a],
                spread=_spread(values, scores[a]["raw_mean"]) if len(values) >= 2 else None,
                ranks={m: ranks[m][a] for m in METHODS},
                rank=final[a],
                tie=tied[final_keys[a]] > 1,
                outliers=tuple(sorted(out)),
                review_totals=review_totals,
            )
        )
    return tuple(rows)


def _key(shown: dict[str, float | None], methods: tuple[str, ...]) -> tuple:
    """score_key of already rounded scores: higher better, a missing score below every number."""
    return tuple((0, 0.0) if shown[m] is None else (1, shown[m]) for m in methods)


def _spread(values: list[float], m: float) -> float:
    """rounded(pstdev(values)) with the values' mean already at hand."""
    return rounded(math.sqrt(math.fsum((x - m) ** 2 for x in values) / len(values)))
