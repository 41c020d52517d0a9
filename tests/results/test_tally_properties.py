"""Properties of the tally that must hold for any round (qpmusic.results.tally, hypothesis)."""

import dataclasses
import json
from collections import defaultdict

from hypothesis import assume, given
from hypothesis import strategies as st

from qpmusic.results.tally import (
    METHODS,
    CriterionSpec,
    ReviewInput,
    TallyInput,
    canonical,
    compute,
    digest,
    from_canonical,
)

SCORES = st.integers(0, 20).map(lambda n: n / 2)  # 0, 0.5, ..., 10
CITIES = st.sampled_from([None, 1, 2, 3])


@st.composite
def rounds(draw, *, outliers=True, conflicts=True, min_reviews=None, dense=False):
    """A round: 1-3 criteria, 2-6 jurors with cities, 1-8 applications, some reviews.

    ``dense``: at least 3 applications, and every juror reviews at least 3 of them.
    """
    criteria = tuple(
        CriterionSpec(c, draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])), 0, 10)
        for c in range(1, draw(st.integers(1, 3)) + 1)
    )
    jurors = draw(st.lists(st.integers(1, 99), min_size=2, max_size=6, unique=True))
    city = {j: draw(CITIES) for j in jurors}
    apps = draw(
        st.lists(st.integers(100, 199), min_size=3 if dense else 1, max_size=8, unique=True)
    )
    reviews = []
    for j in jurors:
        for i, a in enumerate(apps):
            wanted = reviews == [] or (dense and i < 3) or draw(st.booleans())
            if not wanted:
                continue
            scored = draw(st.lists(st.sampled_from(criteria), min_size=1, unique=True))
            values = tuple((c.id, draw(SCORES)) for c in scored)
            conflicted = conflicts and draw(st.integers(0, 9)) == 0
            reviews.append(ReviewInput(j, city[j], a, values, conflicted))
    methods = draw(st.permutations(METHODS))
    return TallyInput(
        criteria=criteria,
        reviews=tuple(reviews),
        tie_break=tuple(methods[: draw(st.integers(1, 4))]),
        outlier_k=draw(st.sampled_from([None, 1.0, 1.5, 2.0])) if outliers else None,
        min_reviews=draw(st.integers(1, 4)) if min_reviews is None else min_reviews,
    )


def renamed_rows(result, rename):
    """The rows as they read once every juror id is renamed."""
    return tuple(
        dataclasses.replace(
            r,
            outliers=tuple(sorted(rename[j] for j in r.outliers)),
            review_totals=tuple(sorted((rename[j], t, n) for j, t, n in r.review_totals)),
        )
        for r in result.rows
    )


def normalized_ranks(result) -> dict[int, int]:
    return {r.application_id: r.ranks["normalized"] for r in result.rows}


# --- order ----------------------------------------------------------------------------------


@given(rounds(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_reviews_and_criteria_are_listed_in(data, rnd):
    reviews, criteria = list(data.reviews), list(data.criteria)
    rnd.shuffle(reviews)
    rnd.shuffle(criteria)
    shuffled = TallyInput(tuple(criteria), tuple(reviews), **options(data))

    assert compute(shuffled) == compute(data)
    assert digest(shuffled) == digest(data)


@given(rounds(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_which_ids_the_jurors_have(data, rnd):
    old = sorted({r.juror_id for r in data.reviews})
    new = rnd.sample(range(1000, 2000), len(old))
    rename = dict(zip(old, new, strict=True))
    renamed = TallyInput(
        data.criteria,
        tuple(dataclasses.replace(r, juror_id=rename[r.juror_id]) for r in data.reviews),
        **options(data),
    )

    before, after = compute(data), compute(renamed)

    assert after.rows == renamed_rows(before, rename)
    assert (after.overall_mean, after.overall_std) == (before.overall_mean, before.overall_std)
    assert list(after.jurors) == sorted(
        (dataclasses.replace(j, juror_id=rename[j.juror_id]) for j in before.jurors),
        key=lambda j: j.juror_id,
    )


def options(data: TallyInput) -> dict:
    return {
        "tie_break": data.tie_break,
        "outlier_k": data.outlier_k,
        "min_reviews": data.min_reviews,
    }


# --- normalization is blind to a juror's offset and scale -----------------------------------


@given(
    rounds(outliers=False, conflicts=False, min_reviews=3, dense=True),
    st.data(),
    st.sampled_from([0.5, 0.8, 1.25, 2.0, 3.0]),
    st.integers(-6, 6).map(lambda n: n / 2),
)
def test_affine_change_of_one_jurors_scores_leaves_the_normalized_ranking(
    data, pick, factor, shift
):
    result = compute(data)
    # Only jurors who are normalized at all: the others keep their raw totals on purpose.
    assume(result.jurors and all(j.normalized for j in result.jurors))
    juror = pick.draw(st.sampled_from([j.juror_id for j in result.jurors]))
    changed = TallyInput(
        data.criteria,
        tuple(
            dataclasses.replace(r, values=tuple((c, factor * v + shift) for c, v in r.values))
            if r.juror_id == juror
            else r
            for r in data.reviews
        ),
        **options(data),
    )

    assert normalized_ranks(compute(changed)) == normalized_ranks(result)


# --- conflicts ------------------------------------------------------------------------------


@given(rounds(), st.data())
def test_conflicted_reviews_never_change_any_result_but_the_conflict_counts(data, pick):
    jurors = sorted({r.juror_id: r.city_id for r in data.reviews}.items())
    apps = sorted({r.application_id for r in data.reviews})
    taken = {(r.juror_id, r.application_id) for r in data.reviews}
    free = [(j, c, a) for j, c in jurors for a in apps if (j, a) not in taken]
    assume(free)
    added = pick.draw(st.lists(st.sampled_from(free), min_size=1, unique=True))
    extra = [
        ReviewInput(j, c, a, pick.draw(st.sampled_from([(), ((1, 0.0),), ((1, 10.0),)])), True)
        for j, c, a in added
    ]
    with_conflicts = TallyInput(data.criteria, data.reviews + tuple(extra), **options(data))

    before, after = compute(data), compute(with_conflicts)

    more = defaultdict(int)
    for _, _, a in added:
        more[a] += 1
    assert after.rows == tuple(
        dataclasses.replace(r, conflicts=r.conflicts + more[r.application_id]) for r in before.rows
    )
    assert (after.jurors, after.overall_mean, after.overall_std) == (
        before.jurors,
        before.overall_mean,
        before.overall_std,
    )


@given(rounds())
def test_the_scores_of_a_conflicted_review_do_not_matter(data):
    blank = tuple(dataclasses.replace(r, values=()) if r.conflicted else r for r in data.reviews)

    assert compute(TallyInput(data.criteria, blank, **options(data))) == compute(data)


# --- cities weigh the same ------------------------------------------------------------------


@given(rounds(outliers=False), st.data(), st.integers(1, 3))
def test_a_city_with_more_jurors_scoring_alike_weighs_no_more_in_the_city_balanced_mean(
    data, pick, copies
):
    cities = sorted({r.city_id for r in data.reviews}, key=lambda c: (c is None, c or 0))
    city = pick.draw(st.sampled_from(cities))
    # Every juror of that city gets `copies` twins who score exactly as they do.
    twins = tuple(
        dataclasses.replace(r, juror_id=r.juror_id + 1000 * k)
        for r in data.reviews
        if r.city_id == city
        for k in range(1, copies + 1)
    )

    before = compute(data)
    after = compute(TallyInput(data.criteria, data.reviews + twins, **options(data)))

    assert {r.application_id: r.city_balanced for r in after.rows} == {
        r.application_id: r.city_balanced for r in before.rows
    }


@given(rounds())
def test_city_balanced_is_the_mean_of_the_city_means_of_the_counted_reviews(data):
    result = compute(data)
    city_of = {r.juror_id: r.city_id for r in data.reviews}

    for row in result.rows:
        by_city = defaultdict(list)
        for juror, total, normalized in row.review_totals:
            if normalized is not None:  # None: dropped by the outlier rule
                by_city[city_of[juror]].append(total)
        if not by_city:
            assert row.city_balanced is None
            continue
        means = [sum(ts) / len(ts) for ts in by_city.values()]
        assert abs(row.city_balanced - sum(means) / len(means)) < 2e-6


# --- ranks and ties -------------------------------------------------------------------------


@given(rounds())
def test_ranks_are_competition_ranks_and_ties_are_exactly_the_shared_final_ranks(data):
    result = compute(data)
    rows = result.rows

    for method in METHODS:
        for r in rows:
            mine = getattr(r, method)
            better = [
                o
                for o in rows
                if getattr(o, method) is not None and (mine is None or getattr(o, method) > mine)
            ]
            assert r.ranks[method] == 1 + len(better)
    assert [(r.rank, r.application_id) for r in rows] == sorted(
        (r.rank, r.application_id) for r in rows
    )
    for r in rows:
        keys = {m: getattr(r, m) for m in data.tie_break}
        same = [o for o in rows if {m: getattr(o, m) for m in data.tie_break} == keys]
        assert r.tie == (len(same) > 1)
        assert all(o.rank == r.rank for o in same)


@given(rounds())
def test_counted_reviews_and_outliers_add_up(data):
    result = compute(data)

    for row in result.rows:
        listed = [r for r in data.reviews if r.application_id == row.application_id]
        assert row.conflicts == sum(r.conflicted for r in listed)
        assert (
            row.reviews + len(row.outliers) == len(row.review_totals) == len(listed) - row.conflicts
        )
        assert row.reviews >= 2 or not row.outliers
    assert sum(j.reviews for j in result.jurors) == sum(r.reviews for r in result.rows)


# --- canonical form and digest --------------------------------------------------------------


@given(rounds())
def test_from_canonical_reads_back_the_same_input_through_json(data):
    stored = json.loads(json.dumps(canonical(data)))

    assert from_canonical(stored) == data
    assert digest(from_canonical(stored)) == digest(data)


@given(rounds(), st.data())
def test_digest_changes_when_a_value_changes(data, pick):
    scored = [r for r in data.reviews if r.values]
    target = pick.draw(st.sampled_from(scored))
    (criterion, value), *rest = target.values
    other = pick.draw(SCORES.filter(lambda v: v != value))
    changed = dataclasses.replace(target, values=((criterion, other), *rest))
    reviews = tuple(changed if r is target else r for r in data.reviews)

    assert digest(TallyInput(data.criteria, reviews, **options(data))) != digest(data)


@given(rounds())
def test_digest_changes_when_a_conflict_or_the_rules_change(data):
    flipped = (dataclasses.replace(data.reviews[0], conflicted=not data.reviews[0].conflicted),)
    base = options(data)

    assert digest(TallyInput(data.criteria, flipped + data.reviews[1:], **base)) != digest(data)
    assert digest(TallyInput(data.criteria, data.reviews, **{**base, "min_reviews": 9})) != digest(
        data
    )
    assert (
        digest(
            TallyInput(data.criteria, data.reviews, **{**base, "tie_break": data.tie_break[::-1]})
        )
        != digest(data)
        or len(data.tie_break) == 1
    )
