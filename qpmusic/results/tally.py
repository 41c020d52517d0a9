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
  flagged. An application's score is the mean of its reviews' normalized totals.
- ``city_balanced``: the mean of per-city means of the totals (jurors without a city: one group).
- ``spread``: population standard deviation of the counted totals (None below 2 reviews).
- Every method ranks in competition style (1, 1, 3); the final order compares the ``tie_break``
  methods in turn, and rows still equal after all of them share a rank with ``tie=True`` ("jury
  decides"). They are listed by application id for display only; nothing is ever drawn at random.

Sums use ``math.fsum`` (exactly rounded, so independent of order) and every reported number is
rounded to 6 decimals; ranks compare the rounded numbers, so equal scores are equal.
"""

import hashlib
import json
import math
from dataclasses import dataclass

METHODS = ("raw_mean", "raw_median", "normalized", "city_balanced")
# Names the round model uses for the same methods.
ALIASES = {"mean": "raw_mean", "median": "raw_median"}
FLAG_TOO_FEW_REVIEWS = "too_few_reviews"
FLAG_NO_SPREAD = "no_spread"
CANONICAL_FORMAT = 1
DIGITS = 6


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    weight: float
    scale_min: float
    scale_max: float

    def __post_init__(self) -> None:
        # Accept Decimal columns as they come from the database.
        object.__setattr__(self, "id", int(self.id))
        for name in ("weight", "scale_min", "scale_max"):
            object.__setattr__(self, name, _finite(getattr(self, name), name))
        if self.weight < 0:
            raise ValueError(f"criterion {self.id}: negative weight")


@dataclass(frozen=True)
class ReviewInput:
    juror_id: int
    city_id: int | None
    application_id: int
    values: tuple[tuple[int, float], ...]  # (criterion_id, value), sorted by criterion
    conflicted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "juror_id", int(self.juror_id))
        object.__setattr__(self, "application_id", int(self.application_id))
        if self.city_id is not None:
            object.__setattr__(self, "city_id", int(self.city_id))
        values = tuple(sorted((int(c), _finite(v, "value")) for c, v in self.values))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "conflicted", bool(self.conflicted))


@dataclass(frozen=True)
class TallyInput:
    criteria: tuple[CriterionSpec, ...]
    reviews: tuple[ReviewInput, ...]
    tie_break: tuple[str, ...] = ("normalized", "city_balanced", "raw_median")
    outlier_k: float | None = None
    min_reviews: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "reviews", tuple(self.reviews))
        tie_break = tuple(ALIASES.get(m, m) for m in self.tie_break)
        unknown = [m for m in tie_break if m not in METHODS]
        if unknown or not tie_break or len(set(tie_break)) != len(tie_break):
            raise ValueError(f"tie_break must name distinct methods of {METHODS}: {tie_break}")
        object.__setattr__(self, "tie_break", tie_break)
        if self.outlier_k is not None:
            k = _finite(self.outlier_k, "outlier_k")
            if k <= 0:
                raise ValueError("outlier_k must be positive")
            object.__setattr__(self, "outlier_k", k)
        object.__setattr__(self, "min_reviews", int(self.min_reviews))


@dataclass(frozen=True)
class ApplicationResult:
    application_id: int
    reviews: int  # counted reviews (after conflicts and the outlier rule)
    conflicts: int
    raw_mean: float | None
    raw_median: float | None
    normalized: float | None
    city_balanced: float | None
    spread: float | None
    ranks: dict[str, int]  # method -> rank (1 = best; equal values share a rank)
    rank: int
    tie: bool  # True: still tied after every tie-break method, the jury decides
    outliers: tuple[int, ...]  # juror ids whose review the outlier rule dropped
    # (juror_id, weighted total, normalized total); None for a review the outlier rule dropped.
    review_totals: tuple[tuple[int, float, float | None], ...]


@dataclass(frozen=True)
class JurorResult:
    juror_id: int
    city_id: int | None
    reviews: int
    mean: float | None
    std: float | None
    normalized: bool
    flags: tuple[str, ...]  # FLAG_TOO_FEW_REVIEWS, FLAG_NO_SPREAD


@dataclass(frozen=True)
class TallyResult:
    rows: tuple[ApplicationResult, ...]  # by final rank, then application id
    jurors: tuple[JurorResult, ...]  # by juror id
    overall_mean: float | None
    overall_std: float | None


def canonical(data: TallyInput) -> dict:
    """The input as JSON-able data in one order; numbers as exact ``repr`` strings."""
    criteria = sorted(data.criteria, key=lambda c: c.id)
    reviews = sorted(data.reviews, key=_review_key)
    return {
        "format": CANONICAL_FORMAT,
        "criteria": [
            {
                "id": c.id,
                "weight": _num(c.weight),
                "scale_min": _num(c.scale_min),
                "scale_max": _num(c.scale_max),
            }
            for c in criteria
        ],
        "reviews": [
            {
                "juror_id": r.juror_id,
                "city_id": r.city_id,
                "application_id": r.application_id,
                "values": [[c, _num(v)] for c, v in r.values],
                "conflicted": r.conflicted,
            }
            for r in reviews
        ],
        "tie_break": list(data.tie_break),  # an order of precedence: not sorted
        "outlier_k": None if data.outlier_k is None else _num(data.outlier_k),
        "min_reviews": data.min_reviews,
    }


def from_canonical(d: dict) -> TallyInput:
    """The input :func:`canonical` describes (what a snapshot recomputes from)."""
    if d.get("format") != CANONICAL_FORMAT:
        raise ValueError(f"unknown canonical format {d.get('format')!r}")
    return TallyInput(
        criteria=tuple(
            CriterionSpec(
                id=c["id"],
                weight=float(c["weight"]),
                scale_min=float(c["scale_min"]),
                scale_max=float(c["scale_max"]),
            )
            for c in d["criteria"]
        ),
        reviews=tuple(
            ReviewInput(
                juror_id=r["juror_id"],
                city_id=r["city_id"],
                application_id=r["application_id"],
                values=tuple((c, float(v)) for c, v in r["values"]),
                conflicted=r["conflicted"],
            )
            for r in d["reviews"]
        ),
        tie_break=tuple(d["tie_break"]),
        outlier_k=None if d["outlier_k"] is None else float(d["outlier_k"]),
        min_reviews=d["min_reviews"],
    )


def digest(data: TallyInput) -> str:
    text = json.dumps(canonical(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def compute(data: TallyInput) -> TallyResult:
    raise NotImplementedError


def _review_key(r: ReviewInput) -> tuple:
    return (r.application_id, r.juror_id, r.conflicted, r.city_id is None, r.city_id or 0, r.values)


def _num(x: float) -> str:
    # repr gives the shortest string that reads back as the same float; -0.0 becomes 0.0.
    return repr(float(x) + 0.0)


def _finite(x, name: str) -> float:
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return value
