"""Time of the tally (qpmusic/results/tally.py) against NumPy computing the same normalized scores.

Run: .venv/bin/python bench/tally.py [--repeat 5] [--sizes 1000x8x5,10000x20x5]

Each size is applications x jurors x criteria; every juror reviews every application (the
rounds' default assignment mode "all"), jurors sit two or more per city in four cities, about 1%
of the reviews are conflicted, values are points of a 0-10 scale in steps of 0.5 (the review form
allows only the criterion's scale points) with a harsh and a lenient juror, and
the outlier rule is off (the default). The input is made once per size, as a ``TallyInput``
(what a snapshot reads from the database); no database is involved.

Measured in the same run, the median of ``--repeat`` runs each, taking turns, as CPU time of
this process (``time.process_time``; both sides run on one thread), so other work on a busy
machine does not count:
- ``tally.compute`` (the pure function behind every snapshot: weighted totals, outlier rule,
  per-juror z-scores, four methods, ranks and tie-breaks, rounded rows);
- the baseline: vectorized NumPy computing the weighted totals, the per-juror normalization and
  each application's normalized score from the same ``TallyInput`` (arrays made from it inside
  the timing, as the tally reads it too). Before timing, both must agree to 1e-9 on every
  review's total and normalized total, every juror's mean and deviation, the overall mean and
  deviation, and every application's normalized score (as the tally reports them, rounded to 6
  decimals);
- for reference only, the rest of a snapshot's pure work: digest, canonical input, rows as dicts.

Targets: the tally takes at most 3x NumPy's time at every size; its time per review at the
largest size is at most 1.5x that at the smallest (growth no worse than linear, with room for
noise). The exit status is 1 when a target is missed.
"""

import argparse
import itertools
import random
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qpmusic.results import tally

TARGET_RATIO = 3.0
TARGET_GROWTH = 1.5
CITIES = 4


def make_input(applications: int, jurors: int, criteria: int, seed: int = 8) -> tally.TallyInput:
    rng = random.Random(seed)  # noqa: S311 - a fixed sample, not a secret
    specs = tuple(
        tally.CriterionSpec(id=c + 1, weight=2.0 if c == 0 else 1.0, scale_min=0, scale_max=10)
        for c in range(criteria)
    )
    # Juror 1 is harsh, juror 2 lenient, the others in between.
    bias = {
        j: -1.5 if j == 1 else 1.5 if j == 2 else rng.uniform(-0.5, 0.5)
        for j in range(1, 1 + jurors)
    }
    quality = [rng.uniform(2, 8) for _ in range(applications)]
    reviews = []
    for a in range(applications):
        for j in range(1, 1 + jurors):
            values = tuple(
                (c.id, round(2 * min(10.0, max(0.0, quality[a] + bias[j] + rng.gauss(0, 1)))) / 2)
                for c in specs
            )
            reviews.append(
                tally.ReviewInput(
                    juror_id=j,
                    city_id=1 + (j - 1) % CITIES,
                    application_id=1000 + a,
                    values=values,
                    conflicted=rng.random() < 0.01,
                )
            )
    return tally.TallyInput(criteria=specs, reviews=tuple(reviews))


def numpy_normalized(data: tally.TallyInput) -> dict:
    """The tally's weighted totals and normalized scores, vectorized (outlier rule off)."""
    assert data.outlier_k is None, "the NumPy baseline has no outlier rule"
    counted = [r for r in data.reviews if not r.conflicted]
    n = len(counted)
    juror = np.fromiter((r.juror_id for r in counted), np.int64, n)
    application = np.fromiter((r.application_id for r in counted), np.int64, n)
    lengths = np.fromiter((len(r.values) for r in counted), np.int64, n)
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(r.values) for r in counted),
        np.float64,
        2 * int(lengths.sum()),
    ).reshape(-1, 2)
    review = np.repeat(np.arange(n), lengths)
    weight_of = {c.id: c.weight for c in data.criteria}
    ids = np.array(sorted(weight_of), dtype=np.float64)
    weights = np.array([weight_of[i] for i in sorted(weight_of)])
    w = weights[np.searchsorted(ids, flat[:, 0])]
    totals = np.bincount(review, w * flat[:, 1], n) / np.bincount(review, w, n)

    jurors, j = np.unique(juror, return_inverse=True)
    count = np.bincount(j)
    j_mean = np.bincount(j, totals) / count
    j_std = np.sqrt(np.bincount(j, (totals - j_mean[j]) ** 2) / count)
    overall_mean = totals.mean()
    overall_std = totals.std()
    ok = (count >= max(data.min_reviews, 2)) & (np.round(j_std, tally.DIGITS) != 0)
    safe_std = np.where(ok, j_std, 1.0)
    normalized = np.where(
        ok[j], overall_mean + (totals - j_mean[j]) / safe_std[j] * overall_std, totals
    )
    apps, a = np.unique(application, return_inverse=True)
    per_app = np.bincount(a, normalized) / np.bincount(a)
    return {
        "review": (juror, application, totals, normalized),
        "jurors": (jurors, j_mean, j_std),
        "overall": (overall_mean, overall_std),
        "applications": (apps, per_app),
    }


def check_same(result: tally.TallyResult, baseline: dict) -> int:
    """Assert both agree to 1e-9 on every number they share; returns how many were compared."""

    def same(expected: float, got: float, what: str) -> None:
        if abs(round(float(got), tally.DIGITS) - expected) > 1e-9:
            raise AssertionError(f"{what}: tally {expected!r}, NumPy {float(got)!r}")

    compared = 0
    reviews = {
        (j, row.application_id): (t, z) for row in result.rows for j, t, z in row.review_totals
    }
    juror, application, totals, normalized = baseline["review"]
    if len(reviews) != len(totals):
        raise AssertionError(f"{len(reviews)} counted reviews in the tally, {len(totals)} in NumPy")
    for j, a, t, z in zip(juror.tolist(), application.tolist(), totals, normalized, strict=True):
        total, norm = reviews[(j, a)]
        same(total, t, f"total of juror {j} on {a}")
        same(norm, z, f"normalized total of juror {j} on {a}")
        compared += 2
    by_juror = {jr.juror_id: jr for jr in result.jurors}
    for j, m, s in zip(*baseline["jurors"], strict=True):
        same(by_juror[int(j)].mean, m, f"mean of juror {j}")
        same(by_juror[int(j)].std, s, f"deviation of juror {j}")
        compared += 2
    same(result.overall_mean, baseline["overall"][0], "overall mean")
    same(result.overall_std, baseline["overall"][1], "overall deviation")
    by_app = {row.application_id: row for row in result.rows}
    for a, score in zip(*baseline["applications"], strict=True):
        same(by_app[int(a)].normalized, score, f"normalized score of {a}")
        compared += 1
    return compared + 2


def rest_of_snapshot(data: tally.TallyInput, result: tally.TallyResult) -> None:
    tally.digest(data)
    tally.canonical(data)
    [asdict(row) for row in result.rows]
    [asdict(juror) for juror in result.jurors]


def median_seconds(functions, repeat: int) -> list[float]:
    """The median time of each function; they take turns, so a busy minute slows all alike."""
    times = [[] for _ in functions]
    for _ in range(repeat):
        for function, taken in zip(functions, times, strict=True):
            start = time.process_time()
            function()
            taken.append(time.process_time() - start)
    return [statistics.median(taken) for taken in times]


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    try:
        sizes = [tuple(int(x) for x in size.split("x")) for size in text.split(",")]
    except ValueError:
        sizes = []
    if not sizes or any(len(s) != 3 or min(s) < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"not sizes like 1000x8x5,10000x20x5: {text!r}")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1000x8x5,10000x20x5"))
    args = parser.parse_args()

    missed = []
    per_review = []
    for applications, jurors, criteria in args.sizes:
        data = make_input(applications, jurors, criteria)
        reviews = len(data.reviews)
        result = tally.compute(data)
        compared = check_same(result, numpy_normalized(data))
        python, vectorized, rest = median_seconds(
            [
                lambda data=data: tally.compute(data),
                lambda data=data: numpy_normalized(data),
                lambda data=data, result=result: rest_of_snapshot(data, result),
            ],
            args.repeat,
        )
        ratio = python / vectorized
        per_review.append(python / reviews)
        print(
            f"{applications} applications x {jurors} jurors x {criteria} criteria "
            f"({reviews} reviews, {compared} numbers agree to 1e-9):"
        )
        for name, seconds in (("tally.compute", python), ("NumPy", vectorized)):
            per = seconds / reviews * 1e6
            print(f"  {name:14} {seconds * 1e3:9.1f} ms  ({per:6.2f} µs per review)")
        print(f"  ratio          {ratio:9.2f}x  (target at most {TARGET_RATIO:g}x)")
        print(f"  rest of a snapshot (digest, canonical input, rows as dicts): {rest * 1e3:.1f} ms")
        if ratio > TARGET_RATIO:
            missed.append(f"ratio {ratio:.2f}x at {applications}x{jurors}x{criteria}")
    if len(per_review) > 1:
        growth = per_review[-1] / per_review[0]
        print(
            f"growth: time per review at the largest size is {growth:.2f}x that at the smallest "
            f"(target at most {TARGET_GROWTH:g}x)"
        )
        if growth > TARGET_GROWTH:
            missed.append(f"growth {growth:.2f}x")
    if missed:
        print("MISSED: " + "; ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
