"""Order-independent statistics and competition ranks for the tally (pure, floats)."""

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

DIGITS = 6  # every reported number is rounded to this; ranks compare the rounded numbers

K = TypeVar("K")


def rounded(x: float | None) -> float | None:
    return None if x is None else round(x, DIGITS) + 0.0  # + 0.0: no -0.0


def mean(xs: Sequence[float]) -> float | None:
    # fsum is exactly rounded, so the result does not depend on the order of xs.
    return math.fsum(xs) / len(xs) if xs else None


def pstdev(xs: Sequence[float]) -> float | None:
    """Population standard deviation (None for no values)."""
    m = mean(xs)
    if m is None:
        return None
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def median(xs: Sequence[float]) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def competition_ranks(keys: Mapping[K, tuple]) -> dict[K, int]:
    """1 + the number of entries with a strictly greater key ("1, 1, 3"); greater is better."""
    ordered = sorted(keys.values(), reverse=True)
    first: dict[tuple, int] = {}
    for i, key in enumerate(ordered):
        first.setdefault(key, i + 1)
    return {k: first[key] for k, key in keys.items()}


def score_key(values: Iterable[float | None]) -> tuple:
    """A sort key over rounded scores, higher better, a missing score below every number."""
    return tuple((0, 0.0) if v is None else (1, rounded(v)) for v in values)


def outliers(totals: Sequence[tuple[int, float]], k: float | None) -> set[int]:
    """Juror ids whose review the outlier rule drops from one application's counted reviews.

    A review goes when it lies more than k population standard deviations (of all these totals)
    from the mean of the other reviews; only with at least 3 reviews, judged all at once, and
    never down to fewer than 2 reviews.
    """
    n = len(totals)
    if k is None or n < 3:
        return set()
    values = [t for _, t in totals]
    unit = rounded(k * pstdev(values))
    if not unit:
        return set()
    dropped = set()
    for i, (juror, t) in enumerate(totals):
        others = mean(values[:i] + values[i + 1 :])
        if rounded(abs(t - others)) > unit:
            dropped.add(juror)
    return dropped if n - len(dropped) >= 2 else set()
