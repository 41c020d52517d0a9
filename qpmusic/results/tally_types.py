"""The tally's input and result types (see :mod:`qpmusic.results.tally` for the rules)."""

import math
from dataclasses import dataclass

METHODS = ("raw_mean", "raw_median", "normalized", "city_balanced")
# Names the round model uses for the same methods.
ALIASES = {"mean": "raw_mean", "median": "raw_median"}
FLAG_TOO_FEW_REVIEWS = "too_few_reviews"
FLAG_NO_SPREAD = "no_spread"


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
    # (criterion_id, value) of the criteria scored (leave out unscored ones), kept sorted.
    values: tuple[tuple[int, float], ...]
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
        # Kept in the canonical order, so inputs listed differently are equal.
        criteria = sorted(self.criteria, key=lambda c: (c.id, c.weight, c.scale_min, c.scale_max))
        object.__setattr__(self, "criteria", tuple(criteria))
        object.__setattr__(self, "reviews", tuple(sorted(self.reviews, key=review_key)))
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


def review_key(r: ReviewInput) -> tuple:
    """The canonical order of reviews (every field, so even invalid duplicates sort alike)."""
    return (r.application_id, r.juror_id, r.conflicted, r.city_id is None, r.city_id or 0, r.values)


def _finite(x, name: str) -> float:
    value = float(x) + 0.0  # -0.0 becomes 0.0
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return value
