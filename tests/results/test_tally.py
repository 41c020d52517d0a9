"""The tally of one round, on small inputs computed by hand (qpmusic.results.tally)."""

import hashlib
import json
import math
from decimal import Decimal

import pytest

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

ONE = (CriterionSpec(id=1, weight=1.0, scale_min=0.0, scale_max=10.0),)


def review(juror, app, total, *, city=None, conflicted=False):
    """A review on the single criterion of ONE, whose weighted total is ``total``."""
    return ReviewInput(juror, city, app, ((1, total),), conflicted)


def tally(*reviews, criteria=ONE, **options):
    return compute(TallyInput(criteria=criteria, reviews=reviews, **options))


def row(result, application_id):
    return next(r for r in result.rows if r.application_id == application_id)


# --- weighted totals, raw mean and median, spread -----------------------------------------------


def test_weighted_total_divides_by_the_weights_of_the_criteria_scored():
    criteria = (CriterionSpec(1, 2.0, 0, 10), CriterionSpec(2, 1.0, 0, 10))
    both = ReviewInput(1, None, 10, ((1, 8.0), (2, 5.0)))
    second_only = ReviewInput(2, None, 10, ((2, 5.0),))

    result = tally(both, second_only, criteria=criteria)

    assert row(result, 10).review_totals == ((1, 7.0, 7.0), (2, 5.0, 5.0))
    assert row(result, 10).raw_mean == 6.0


def test_raw_mean_median_and_spread_over_the_counted_reviews():
    result = tally(review(1, 10, 4.0), review(2, 10, 6.0), review(3, 10, 9.0))

    r = row(result, 10)
    assert (r.reviews, r.raw_mean, r.raw_median) == (3, 6.333333, 6.0)
    assert r.spread == round(math.sqrt(38 / 9), 6) == 2.054805


def test_median_of_an_even_number_of_reviews_is_the_mean_of_the_middle_two():
    result = tally(*(review(j, 10, t) for j, t in enumerate([1.0, 4.0, 5.0, 10.0], 1)))

    assert row(result, 10).raw_median == 4.5


def test_spread_needs_two_reviews():
    assert row(tally(review(1, 10, 7.0)), 10).spread is None


# --- conflicts ----------------------------------------------------------------------------------


def test_conflicted_review_is_counted_in_conflicts_only():
    result = tally(
        review(1, 10, 8.0),
        review(2, 10, 2.0, conflicted=True),
        ReviewInput(3, None, 10, (), conflicted=True),  # declared before scoring: no values
    )

    r = row(result, 10)
    assert (r.reviews, r.conflicts, r.raw_mean) == (1, 2, 8.0)
    assert r.review_totals == ((1, 8.0, 8.0),)
    assert [(j.juror_id, j.reviews) for j in result.jurors] == [(1, 1), (2, 0), (3, 0)]


def test_application_whose_reviewers_are_all_conflicted_has_no_scores_and_comes_last():
    result = tally(review(1, 10, 1.0), review(1, 11, 3.0, conflicted=True))

    empty = row(result, 11)
    assert (empty.reviews, empty.conflicts) == (0, 1)
    assert [getattr(empty, m) for m in METHODS] == [None, None, None, None]
    assert (empty.spread, empty.rank, empty.tie) == (None, 2, False)
    assert empty.ranks == dict.fromkeys(METHODS, 2)
    assert [r.application_id for r in result.rows] == [10, 11]


# --- normalization ------------------------------------------------------------------------------


def test_normalized_totals_are_z_scores_mapped_back_onto_the_overall_scale():
    # Juror 1 uses 2..6, juror 2 only 6..8 on the same three applications.
    reviews = [review(1, a, t) for a, t in [(10, 2.0), (11, 4.0), (12, 6.0)]]
    reviews += [review(2, a, t) for a, t in [(10, 6.0), (11, 7.0), (12, 8.0)]]

    result = tally(*reviews)

    overall_std = math.sqrt(23.5 / 6)
    assert (result.overall_mean, result.overall_std) == (5.5, round(overall_std, 6))
    step = round(math.sqrt(1.5) * overall_std, 6)  # z = ±sqrt(1.5) for both jurors
    assert row(result, 10).normalized == pytest.approx(5.5 - step, abs=2e-6)
    assert row(result, 11).normalized == 5.5
    assert row(result, 12).normalized == pytest.approx(5.5 + step, abs=2e-6)
    assert row(result, 10).review_totals == (
        (1, 2.0, row(result, 10).normalized),
        (2, 6.0, row(result, 10).normalized),
    )
    assert [(j.mean, j.std, j.normalized, j.flags) for j in result.jurors] == [
        (4.0, round(math.sqrt(8 / 3), 6), True, ()),
        (7.0, round(math.sqrt(2 / 3), 6), True, ()),
    ]


def test_normalization_levels_a_harsh_and_a_lenient_juror_on_different_applications():
    # Juror 1 (harsh) reviews 10-12, juror 2 (lenient) 20-22, with the same judgement.
    reviews = [review(1, 10 + i, t, city=1) for i, t in enumerate([3.0, 2.0, 1.0])]
    reviews += [review(2, 20 + i, t, city=2) for i, t in enumerate([9.0, 8.0, 7.0])]

    result = tally(*reviews, tie_break=("normalized",))

    assert row(result, 10).normalized == row(result, 20).normalized
    assert row(result, 12).normalized == row(result, 22).normalized
    assert row(result, 20).ranks == {
        "raw_mean": 1,
        "raw_median": 1,
        "normalized": 1,
        "city_balanced": 1,
    }
    assert row(result, 10).ranks["raw_mean"] == 4
    assert row(result, 10).ranks["normalized"] == 1
    # Nothing left to break the tie: the jury decides, listed by application id.
    assert [(r.application_id, r.rank, r.tie) for r in result.rows] == [
        (10, 1, True),
        (20, 1, True),
        (11, 3, True),
        (21, 3, True),
        (12, 5, True),
        (22, 5, True),
    ]


def test_juror_with_too_few_reviews_is_left_as_is_and_flagged():
    reviews = [review(1, a, t) for a, t in [(10, 2.0), (11, 4.0), (12, 6.0)]]
    reviews += [review(2, 10, 9.0), review(2, 11, 1.0)]

    result = tally(*reviews)

    juror = result.jurors[1]
    assert (juror.juror_id, juror.reviews, juror.normalized) == (2, 2, False)
    assert juror.flags == ("too_few_reviews",)
    assert row(result, 10).review_totals[1] == (2, 9.0, 9.0)


def test_juror_without_spread_is_left_as_is_and_flagged():
    reviews = [review(1, a, 5.0) for a in (10, 11, 12)]
    reviews += [review(2, a, t) for a, t in [(10, 2.0), (11, 4.0), (12, 6.0)]]

    result = tally(*reviews)

    juror = result.jurors[0]
    assert (juror.std, juror.normalized, juror.flags) == (0.0, False, ("no_spread",))
    assert row(result, 10).review_totals[0] == (1, 5.0, 5.0)


def test_min_reviews_is_a_parameter_but_a_z_score_needs_two_reviews():
    reviews = [review(1, 10, 2.0), review(1, 11, 4.0), review(2, 10, 5.0)]

    result = tally(*reviews, min_reviews=1)

    assert [(j.normalized, j.flags) for j in result.jurors] == [
        (True, ()),
        (False, ("too_few_reviews",)),
    ]


# --- city-balanced mean -------------------------------------------------------------------------


def test_city_balanced_is_the_mean_of_city_means_with_jurors_without_city_as_one_group():
    result = tally(
        review(1, 10, 8.0, city=1),
        review(2, 10, 6.0, city=1),
        review(3, 10, 4.0, city=2),
        review(4, 10, 5.0),
    )

    r = row(result, 10)
    assert r.raw_mean == 5.75
    assert r.city_balanced == round((7.0 + 4.0 + 5.0) / 3, 6) == 5.333333


# --- outlier rule -------------------------------------------------------------------------------


def test_outlier_far_from_the_mean_of_the_other_reviews_is_dropped_before_every_method():
    reviews = [review(j, 10, 7.0, city=j) for j in (1, 2, 3)] + [review(4, 10, 2.0, city=4)]
    reviews += [review(4, 11, 6.0, city=4), review(4, 12, 4.0, city=4)]

    result = tally(*reviews, outlier_k=2.0)

    # Totals 7, 7, 7, 2: population std 2.165; 2 lies 5 from the others' mean 7 (> 2 * 2.165).
    r = row(result, 10)
    assert r.outliers == (4,)
    assert (r.reviews, r.raw_mean, r.raw_median, r.city_balanced, r.spread) == (
        3,
        7.0,
        7.0,
        7.0,
        0.0,
    )
    assert r.review_totals[-1] == (4, 2.0, None)
    assert result.jurors[3].reviews == 2  # the dropped review is not among juror 4's counted


def test_outlier_rule_keeps_a_review_within_k_standard_deviations():
    reviews = [review(1, 10, 4.0), review(2, 10, 7.0), review(3, 10, 8.0), review(4, 10, 2.0)]

    assert row(tally(*reviews, outlier_k=2.0), 10).outliers == ()
    assert row(tally(*reviews, outlier_k=1.6), 10).outliers == (4,)
    # At k = 1.5 the 8 goes too (3.67 from the others' mean 4.33, more than 1.5 * 2.38).
    assert row(tally(*reviews, outlier_k=1.5), 10).outliers == (3, 4)


def test_outlier_rule_needs_three_reviews_and_leaves_at_least_two():
    two = tally(review(1, 10, 0.0), review(2, 10, 10.0), outlier_k=0.5)
    # Totals 0, 0, 10, 10: at k = 1 every review would go, so none does.
    four = tally(*(review(j, 10, t) for j, t in enumerate([0.0, 0.0, 10.0, 10.0], 1)), outlier_k=1)

    assert row(two, 10).outliers == ()
    assert row(four, 10).outliers == ()
    assert row(four, 10).reviews == 4


def test_outlier_rule_off_by_default():
    reviews = [review(j, 10, 7.0) for j in (1, 2, 3)] + [review(4, 10, 0.0)]

    assert row(tally(*reviews), 10).outliers == ()


# --- ranks, tie-break, ties ---------------------------------------------------------------------


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    result = tally(review(1, 10, 8.0), review(1, 11, 8.0), review(1, 12, 7.0))

    assert [(r.application_id, r.ranks["raw_mean"]) for r in result.rows] == [
        (10, 1),
        (11, 1),
        (12, 3),
    ]


def test_tie_break_methods_are_compared_in_order():
    # Equal raw means (6); application 11 has the higher median.
    reviews = [review(1, 10, 2.0), review(2, 10, 7.0), review(3, 10, 9.0)]
    reviews += [review(1, 11, 3.0), review(2, 11, 7.5), review(3, 11, 7.5)]

    broken = tally(*reviews, tie_break=("raw_mean", "raw_median"))
    left = tally(*reviews, tie_break=("raw_mean",))

    assert [(r.application_id, r.rank, r.tie) for r in broken.rows] == [
        (11, 1, False),
        (10, 2, False),
    ]
    assert [(r.application_id, r.rank, r.tie) for r in left.rows] == [(10, 1, True), (11, 1, True)]


def test_round_names_for_methods_are_accepted():
    data = TallyInput(ONE, (), tie_break=["normalized", "city_balanced", "median"])

    assert data.tie_break == ("normalized", "city_balanced", "raw_median")


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tie_break": ("normalized", "best")}, "tie_break"),
        ({"tie_break": ("normalized", "normalized")}, "tie_break"),
        ({"tie_break": ()}, "tie_break"),
        ({"outlier_k": 0}, "outlier_k"),
    ],
)
def test_input_rejects_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        TallyInput(ONE, (), **options)


def test_input_rejects_numbers_that_are_not_finite_or_negative_weights():
    with pytest.raises(ValueError, match="finite"):
        ReviewInput(1, None, 10, ((1, float("nan")),))
    with pytest.raises(ValueError, match="negative weight"):
        CriterionSpec(1, -1, 0, 10)


@pytest.mark.parametrize(
    ("reviews", "criteria", "message"),
    [
        ((review(1, 10, 5.0), review(1, 10, 6.0)), ONE, "twice"),
        ((review(1, 10, 5.0, city=1), review(1, 11, 6.0, city=2)), ONE, "two cities"),
        ((ReviewInput(1, None, 10, ((2, 5.0),)),), ONE, "unknown criteria"),
        ((ReviewInput(1, None, 10, ()),), ONE, "no weighted criterion"),
        ((review(1, 10, 5.0),), (CriterionSpec(1, 0, 0, 10),), "no weighted criterion"),
        ((), ONE + ONE, "criterion id"),
    ],
)
def test_compute_rejects_inconsistent_input(reviews, criteria, message):
    with pytest.raises(ValueError, match=message):
        compute(TallyInput(criteria, reviews))


def test_input_accepts_database_decimals_and_sorts_values():
    spec = CriterionSpec(1, Decimal("2.00"), Decimal("0"), Decimal("10.00"))
    r = ReviewInput(1, 3, 10, [(2, Decimal("7.50")), (1, 8)])

    assert spec == CriterionSpec(1, 2.0, 0.0, 10.0)
    assert r.values == ((1, 8.0), (2, 7.5))
    assert TallyInput((spec,), [r], outlier_k=Decimal("2.5")).outlier_k == 2.5


# --- canonical form and digest ------------------------------------------------------------------

EXAMPLE = TallyInput(
    criteria=(CriterionSpec(2, 1.0, 0, 10), CriterionSpec(1, 2.0, 0, 10)),
    reviews=(
        ReviewInput(7, 1, 20, ((1, 8.0), (2, 6.5))),
        ReviewInput(3, None, 20, ((1, 4.0),), conflicted=True),
        ReviewInput(3, None, 10, ((1, 9.0), (2, 0.1))),
    ),
    tie_break=("normalized", "raw_median"),
    outlier_k=2.5,
)


def test_canonical_is_sorted_json_with_exact_number_strings():
    assert canonical(EXAMPLE) == {
        "format": 1,
        "criteria": [
            {"id": 1, "weight": "2.0", "scale_min": "0.0", "scale_max": "10.0"},
            {"id": 2, "weight": "1.0", "scale_min": "0.0", "scale_max": "10.0"},
        ],
        "reviews": [
            {
                "juror_id": 3,
                "city_id": None,
                "application_id": 10,
                "values": [[1, "9.0"], [2, "0.1"]],
                "conflicted": False,
            },
            {
                "juror_id": 3,
                "city_id": None,
                "application_id": 20,
                "values": [[1, "4.0"]],
                "conflicted": True,
            },
            {
                "juror_id": 7,
                "city_id": 1,
                "application_id": 20,
                "values": [[1, "8.0"], [2, "6.5"]],
                "conflicted": False,
            },
        ],
        "tie_break": ["normalized", "raw_median"],
        "outlier_k": "2.5",
        "min_reviews": 3,
    }


def test_digest_is_the_sha256_of_the_compact_sorted_json():
    text = json.dumps(canonical(EXAMPLE), sort_keys=True, separators=(",", ":"))

    assert digest(EXAMPLE) == hashlib.sha256(text.encode()).hexdigest()
    # Pinned: a stored snapshot must keep verifying after code changes.
    assert digest(EXAMPLE) == "fa2108f33962c22d802b4e776f89b3315dfc5129f16c75346df51cff9b16226d"


def test_from_canonical_reads_back_the_input_through_json():
    stored = json.loads(json.dumps(canonical(EXAMPLE)))

    assert from_canonical(stored) == EXAMPLE
    assert compute(from_canonical(stored)) == compute(EXAMPLE)


def test_from_canonical_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="format"):
        from_canonical({**canonical(EXAMPLE), "format": 2})
