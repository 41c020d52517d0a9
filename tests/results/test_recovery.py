"""Does the tally recover a known true order? Editions generated from true quality (issue 6).

The generator, fixed before looking at any result:

- 8 jurors, 2 per city in 4 cities; 50 applications; 3 criteria weighted 2, 1, 1 on 0-10.
- Each application has a true quality ~ N(5.5, 1.5) and, per criterion, that quality plus a
  profile ~ N(0, 0.5); the true order is the weighted mean of the criterion qualities.
- Two jurors drawn at random: one harsh (-2 on every score), one lenient (+2); the others 0.
- A score is the criterion quality + the juror's offset + noise ~ N(0, 1), rounded to a whole
  point and kept within 0-10, as on the score form.
- Conflicts: 4 juror/application pairs known before the assignment (no review), and 2 reviews
  declared conflicted after scoring (sent as conflicted reviews).
- Each application gets 4 reviews from at least 2 cities, by ``assign_automatic``.
"""

import random
import statistics
from collections.abc import Iterable

import pytest

from qpmusic.jury.assignment_plan import Juror, assign_all, assign_automatic
from qpmusic.results.tally import CriterionSpec, ReviewInput, TallyInput, compute

WEIGHTS = {1: 2.0, 2: 1.0, 3: 1.0}
CRITERIA = tuple(CriterionSpec(c, w, 0, 10) for c, w in WEIGHTS.items())
JURORS = tuple(Juror(id=j, city_id=(j + 1) // 2) for j in range(1, 9))
APPLICATIONS = tuple(range(101, 151))
SEEDS = range(20)


def edition(seed: int, *, everyone: bool = False) -> tuple[dict[int, float], TallyInput]:
    """(true quality by application, the round's tally input) for one seed.

    ``everyone``: every juror scores every application, without conflicts.
    """
    rng = random.Random(seed)
    quality = {a: rng.gauss(5.5, 1.5) for a in APPLICATIONS}
    criterion_quality = {
        (a, c): quality[a] + rng.gauss(0, 0.5) for a in APPLICATIONS for c in WEIGHTS
    }
    truth = {
        a: sum(w * criterion_quality[a, c] for c, w in WEIGHTS.items()) / sum(WEIGHTS.values())
        for a in APPLICATIONS
    }
    harsh, lenient = rng.sample([j.id for j in JURORS], 2)
    offset = {j.id: 0.0 for j in JURORS} | {harsh: -2.0, lenient: 2.0}
    if everyone:
        pairs, late = assign_all(JURORS, APPLICATIONS, ()).pairs, set()
    else:
        every_pair = [(j.id, a) for j in JURORS for a in APPLICATIONS]
        known = set(rng.sample(every_pair, 4))
        pairs = assign_automatic(
            JURORS, APPLICATIONS, known, reviews_per_application=4, min_cities=2
        ).pairs
        late = set(rng.sample(sorted(pairs), 2))
    city = {j.id: j.city_id for j in JURORS}
    reviews = []
    for j, a in sorted(pairs):
        values = tuple(
            (
                c,
                float(
                    min(10, max(0, round(criterion_quality[a, c] + offset[j] + rng.gauss(0, 1))))
                ),
            )
            for c in WEIGHTS
        )
        reviews.append(ReviewInput(j, city[j], a, values, conflicted=(j, a) in late))
    return truth, TallyInput(CRITERIA, tuple(reviews))


def average_ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rho: Pearson's correlation of the average ranks (ties share their mean rank)."""
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5


def correlation(truth: dict[int, float], result, method: str) -> float:
    score = {r.application_id: getattr(r, method) for r in result.rows}
    apps = sorted(truth)
    return spearman([truth[a] for a in apps], [score[a] for a in apps])


def gains(seeds: Iterable[int] = SEEDS) -> dict[int, float]:
    """Per seed: Spearman of the normalized ranking with the truth minus the raw mean's."""
    result = {}
    for seed in seeds:
        truth, data = edition(seed)
        tally = compute(data)
        result[seed] = correlation(truth, tally, "normalized") - correlation(
            truth, tally, "raw_mean"
        )
    return result


# --- the helpers ----------------------------------------------------------------------------


def test_spearman_by_hand():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    # Ranks of (1, 2, 2, 3): 1, 2.5, 2.5, 4.
    assert average_ranks([1, 2, 2, 3]) == [1.0, 2.5, 2.5, 4.0]
    assert spearman([1, 2, 3, 4], [1, 2, 2, 3]) == pytest.approx(0.9486833, abs=1e-7)


def test_spearman_agrees_with_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(3)
    xs = [rng.randint(0, 9) for _ in range(40)]
    ys = [x + rng.randint(-4, 4) for x in xs]

    assert spearman(xs, ys) == pytest.approx(stats.spearmanr(xs, ys).statistic, abs=1e-12)


def test_generator_gives_each_application_four_reviews_with_a_few_conflicts():
    _, data = edition(0)

    per_app = {a: [r for r in data.reviews if r.application_id == a] for a in APPLICATIONS}
    assert all(len(reviews) == 4 for reviews in per_app.values())
    assert sum(r.conflicted for r in data.reviews) == 2
    assert len({r.juror_id for r in data.reviews}) == 8


# --- recovery -------------------------------------------------------------------------------


# Holds because assign_automatic mixes the teams; with the two fixed teams it gave before, seeds
# 1, 10, 11 and 17 lost. Figures for seeds 0-19 and 0-199: bench/recovery.py.
def test_normalized_ranking_beats_the_raw_mean_in_every_seed():
    lost = {seed: round(g, 4) for seed, g in gains().items() if g <= 0}

    assert lost == {}


def test_normalized_ranking_beats_the_raw_mean_in_most_seeds_and_on_average():
    per_seed = gains()

    assert sum(g > 0 for g in per_seed.values()) > len(per_seed) / 2
    assert statistics.fmean(per_seed.values()) > 0


@pytest.mark.parametrize("seed", range(5))
def test_constant_offset_of_one_juror_leaves_the_raw_ranking_when_everyone_scores_everything(
    seed,
):
    _, data = edition(seed, everyone=True)
    juror = 1 + seed
    shifted = TallyInput(
        CRITERIA,
        tuple(
            ReviewInput(
                r.juror_id, r.city_id, r.application_id, tuple((c, v + 1.5) for c, v in r.values)
            )
            if r.juror_id == juror
            else r
            for r in data.reviews
        ),
    )

    before, after = compute(data), compute(shifted)

    for method in ("raw_mean", "city_balanced"):
        assert {r.application_id: r.ranks[method] for r in after.rows} == {
            r.application_id: r.ranks[method] for r in before.rows
        }
