"""Everyone-on-everything and automatic juror assignment (qpmusic.jury.assignment)."""

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qpmusic.jury.assignment_plan import (
    LOAD_UNBALANCED,
    TOO_FEW_CITIES,
    TOO_FEW_REVIEWERS,
    Juror,
    Plan,
    Problem,
    assign_all,
    assign_automatic,
)

# --- what a plan looks like from the outside -------------------------------------------------


def reviewers_of(plan: Plan, application_ids) -> dict[int, set[int]]:
    team = {a: set() for a in application_ids}
    for j, a in plan.pairs:
        team[a].add(j)
    return team


def loads_of(plan: Plan, jurors) -> Counter:
    loads = Counter({juror.id: 0 for juror in jurors})
    loads.update(j for j, _ in plan.pairs)
    return loads


def spread(loads: Counter) -> int:
    return max(loads.values()) - min(loads.values()) if loads else 0


def free_jurors(jurors, application_id, conflicts) -> list[Juror]:
    return [juror for juror in jurors if (juror.id, application_id) not in conflicts]


def kept_of(instance, application_id) -> set[int]:
    ids = {juror.id for juror in instance["jurors"]}
    return {
        j
        for j, a in instance["keep"]
        if a == application_id and j in ids and (j, a) not in instance["conflicts"]
    }


def reviews_target(instance, application_id) -> int:
    free = free_jurors(instance["jurors"], application_id, instance["conflicts"])
    kept = kept_of(instance, application_id)
    return max(len(kept), min(instance["reviews"], len(free)))


def best_cities(instance, application_id) -> int:
    """The most distinct cities (up to the minimum asked) any valid team could have."""
    city = {juror.id: juror.city_id for juror in instance["jurors"]}
    kept = kept_of(instance, application_id)
    covered = {city[j] for j in kept}
    free = free_jurors(instance["jurors"], application_id, instance["conflicts"])
    others = {juror.city_id for juror in free} - covered
    room = reviews_target(instance, application_id) - len(kept)
    return min(instance["min_cities"], len(covered) + min(room, len(others)))


def plan_for(instance, **changes) -> Plan:
    args = {**instance, **changes}
    return assign_automatic(
        args["jurors"],
        args["applications"],
        args["conflicts"],
        reviews_per_application=args["reviews"],
        min_cities=args["min_cities"],
        keep=args["keep"],
    )


# --- random inputs ----------------------------------------------------------------------------


@st.composite
def juries(draw, *, max_cities=5, max_per_city=4, even=False):
    sizes = draw(st.lists(st.integers(1, max_per_city), min_size=1, max_size=max_cities))
    if even:
        sizes = [sizes[0]] * len(sizes)
    ids = draw(
        st.lists(st.integers(1, 10_000), min_size=sum(sizes), max_size=sum(sizes), unique=True)
    )
    city_ids = draw(
        st.lists(st.integers(1, 500), min_size=len(sizes), max_size=len(sizes), unique=True)
    )
    jurors = []
    for city_id, size in zip(city_ids, sizes, strict=True):
        jurors += [Juror(ids.pop(), city_id) for _ in range(size)]
    return jurors


def pairs_among(jurors, applications, *, max_size):
    if not applications:
        return st.just(frozenset())
    pair = st.tuples(st.sampled_from([juror.id for juror in jurors]), st.sampled_from(applications))
    return st.frozensets(pair, max_size=max_size)


@st.composite
def instances(
    draw, *, max_apps=30, with_conflicts=True, with_keep=True, even=False, max_cities=5, **jury
):
    jurors = draw(juries(even=even, max_cities=max_cities, **jury))
    applications = draw(st.lists(st.integers(1, 100_000), max_size=max_apps, unique=True))
    size = len(jurors) * len(applications)
    conflicts = frozenset()
    if with_conflicts:
        conflicts = draw(pairs_among(jurors, applications, max_size=size // 2))
    keep = draw(pairs_among(jurors, applications, max_size=size // 4)) if with_keep else frozenset()
    return {
        "jurors": jurors,
        "applications": applications,
        "conflicts": conflicts,
        "keep": keep,
        "reviews": draw(st.integers(0, 6)),
        "min_cities": draw(st.integers(0, max_cities + 1)),
    }


# --- properties -------------------------------------------------------------------------------


@given(instances())
def test_automatic_never_assigns_a_conflict(instance):
    assert not plan_for(instance).pairs & instance["conflicts"]


@given(instances())
def test_automatic_keeps_every_kept_pair_without_conflict(instance):
    plan = plan_for(instance)
    assert instance["keep"] - instance["conflicts"] <= plan.pairs


@given(instances())
def test_automatic_gives_each_application_its_target_of_reviews(instance):
    team = reviewers_of(plan_for(instance), instance["applications"])
    for a in instance["applications"]:
        assert len(team[a]) == reviews_target(instance, a)
        free = free_jurors(instance["jurors"], a, instance["conflicts"])
        if len(free) >= instance["reviews"] and len(kept_of(instance, a)) <= instance["reviews"]:
            assert len(team[a]) == instance["reviews"]


@given(instances(with_keep=False), st.data())
def test_automatic_meets_the_city_minimum_when_free_jurors_cover_enough_cities(instance, data):
    jurors = instance["jurors"]
    cities = sorted({juror.city_id for juror in jurors})
    min_cities = data.draw(st.integers(0, len(cities)))
    reviews = data.draw(st.integers(min_cities, len(jurors)))
    # Free one juror of each of `min_cities` cities from every conflict with each application.
    spared = set()
    for a in instance["applications"]:
        for city_id in data.draw(st.permutations(cities))[:min_cities]:
            local = [juror.id for juror in jurors if juror.city_id == city_id]
            spared.add((data.draw(st.sampled_from(local)), a))
    conflicts = instance["conflicts"] - spared
    plan = plan_for(instance, conflicts=conflicts, reviews=reviews, min_cities=min_cities)

    city = {juror.id: juror.city_id for juror in jurors}
    for team in reviewers_of(plan, instance["applications"]).values():
        assert len({city[j] for j in team}) >= min_cities
    assert not [p for p in plan.problems if p.code == TOO_FEW_CITIES]


@given(instances())
def test_automatic_reaches_the_most_cities_its_jurors_allow(instance):
    plan = plan_for(instance)
    city = {juror.id: juror.city_id for juror in instance["jurors"]}
    for a, team in reviewers_of(plan, instance["applications"]).items():
        assert len({city[j] for j in team}) >= best_cities(instance, a)


@given(instances(with_conflicts=False, with_keep=False, even=True))
def test_automatic_balances_loads_within_one_without_conflicts(instance):
    plan = plan_for(instance)
    assert spread(loads_of(plan, instance["jurors"])) <= 1
    assert not [p for p in plan.problems if p.code == LOAD_UNBALANCED]


@given(instances(with_conflicts=False, with_keep=False), st.integers(0, 1))
def test_automatic_balances_loads_within_one_for_uneven_cities_without_city_minimum(
    instance, min_cities
):
    plan = plan_for(instance, min_cities=min_cities)
    assert spread(loads_of(plan, instance["jurors"])) <= 1


def balanced_plan_exists(instance) -> bool:
    """Tries every team for every application that has its reviews and cities."""
    city = {juror.id: juror.city_id for juror in instance["jurors"]}
    choices = []
    for a in instance["applications"]:
        kept = kept_of(instance, a)
        free = [j.id for j in free_jurors(instance["jurors"], a, instance["conflicts"])]
        target, cities = reviews_target(instance, a), best_cities(instance, a)
        choices.append(
            [
                team
                for team in itertools.combinations(sorted(free), target)
                if kept <= set(team) and len({city[j] for j in team}) >= cities
            ]
        )
    for teams in itertools.product(*choices):
        loads = Counter({juror.id: 0 for juror in instance["jurors"]})
        loads.update(itertools.chain.from_iterable(teams))
        if spread(loads) <= 1:
            return True
    return False


@settings(max_examples=300)
@given(instances(max_apps=4, max_cities=3, max_per_city=2))
def test_automatic_balances_loads_whenever_a_balanced_plan_exists(instance):
    plan = plan_for(instance)
    unbalanced = spread(loads_of(plan, instance["jurors"])) > 1
    assert unbalanced == (not balanced_plan_exists(instance))


@given(instances(), st.randoms(use_true_random=False))
def test_automatic_plan_is_the_same_for_any_input_order(instance, random):
    shuffled = {
        "jurors": random.sample(instance["jurors"], len(instance["jurors"])),
        "applications": random.sample(instance["applications"], len(instance["applications"])),
        "conflicts": random.sample(sorted(instance["conflicts"]), len(instance["conflicts"])),
        "keep": set(random.sample(sorted(instance["keep"]), len(instance["keep"]))),
    }
    assert plan_for(instance, **shuffled) == plan_for(instance)


@given(instances())
def test_automatic_reports_exactly_the_unmet_constraints(instance):
    plan = plan_for(instance)
    city = {juror.id: juror.city_id for juror in instance["jurors"]}
    expected = []
    for a, team in sorted(reviewers_of(plan, instance["applications"]).items()):
        if len(team) < instance["reviews"]:
            free = free_jurors(instance["jurors"], a, instance["conflicts"])
            assert len(team) == len(free)
            expected.append(Problem(TOO_FEW_REVIEWERS, a, instance["reviews"], len(team)))
        cities = len({city[j] for j in team})
        if cities < instance["min_cities"]:
            expected.append(Problem(TOO_FEW_CITIES, a, instance["min_cities"], cities))
    gap = spread(loads_of(plan, instance["jurors"]))
    if gap > 1:
        expected.append(Problem(LOAD_UNBALANCED, None, 1, gap))
    assert plan.problems == tuple(expected)


@given(instances(with_keep=False))
def test_all_puts_every_juror_on_every_application_without_conflict(instance):
    plan = assign_all(instance["jurors"], instance["applications"], instance["conflicts"])
    everything = {(j.id, a) for j in instance["jurors"] for a in instance["applications"]}
    assert plan.pairs == everything - instance["conflicts"]
    unreviewed = [
        a
        for a in sorted(instance["applications"])
        if not free_jurors(instance["jurors"], a, instance["conflicts"])
    ]
    assert plan.problems == tuple(Problem(TOO_FEW_REVIEWERS, a, 1, 0) for a in unreviewed)


def groups_of(plan: Plan, jurors) -> int:
    """How many groups the jurors fall into, two jurors being linked by a shared application."""
    group = {juror.id: {juror.id} for juror in jurors}
    for team in reviewers_of(plan, {a for _, a in plan.pairs}).values():
        merged = set().union(*(group[j] for j in team))
        for j in merged:
            group[j] = merged
    return len({id(members) for members in group.values()})


@given(juries(), st.integers(3, 6), st.integers(0, 6), st.data())
def test_automatic_links_every_juror_to_every_other_through_shared_applications(
    jurors, reviews, min_cities, data
):
    # Per-juror normalization compares jurors only through applications they share: two teams
    # that never meet leave the jury in two groups that cannot be compared.
    applications = data.draw(
        st.lists(
            st.integers(1, 100_000),
            min_size=len(jurors),
            max_size=len(jurors) + 20,
            unique=True,
        )
    )
    plan = assign_automatic(
        jurors, applications, set(), reviews_per_application=reviews, min_cities=min_cities
    )
    assert groups_of(plan, jurors) == 1


# --- examples ---------------------------------------------------------------------------------

# Two jurors in each of four cities, as in a real edition.
JURY = [Juror(id=10 + i, city_id=100 + i // 2) for i in range(8)]


def test_automatic_three_applications_one_conflict_get_three_cities_each():
    conflicts = {(10, 1)}
    plan = assign_automatic(JURY, [1, 2, 3], conflicts, reviews_per_application=3, min_cities=3)

    city = {juror.id: juror.city_id for juror in JURY}
    team = reviewers_of(plan, [1, 2, 3])
    assert [len(team[a]) for a in (1, 2, 3)] == [3, 3, 3]
    assert [len({city[j] for j in team[a]}) for a in (1, 2, 3)] == [3, 3, 3]
    assert 10 not in team[1]
    assert sorted(Counter(loads_of(plan, JURY).values()).items()) == [(1, 7), (2, 1)]
    assert plan.problems == ()


def test_automatic_with_too_few_free_jurors_says_how_many_review():
    plan = assign_automatic(
        JURY[:3], [7], {(12, 7)}, reviews_per_application=3, min_cities=2, keep={(12, 7)}
    )
    assert plan.pairs == {(10, 7), (11, 7)}
    assert plan.problems == (
        Problem(TOO_FEW_REVIEWERS, 7, 3, 2),
        Problem(TOO_FEW_CITIES, 7, 2, 1),
    )


def test_automatic_with_fewer_reviews_than_cities_reports_the_cities():
    plan = assign_automatic(JURY, [5], set(), reviews_per_application=2, min_cities=3)
    assert plan.problems == (Problem(TOO_FEW_CITIES, 5, 3, 2),)


def test_automatic_with_a_juror_conflicted_everywhere_reports_the_load_gap():
    applications = [1, 2, 3, 4]
    conflicts = {(17, a) for a in applications}
    plan = assign_automatic(JURY, applications, conflicts, reviews_per_application=4, min_cities=2)
    assert plan.problems == (Problem(LOAD_UNBALANCED, None, 1, 3),)


def test_automatic_counts_a_juror_without_city_towards_no_city():
    jurors = [Juror(1, None), Juror(2, None), Juror(3, 5)]
    plan = assign_automatic(jurors, [4], set(), reviews_per_application=2, min_cities=2)
    assert len(plan.pairs) == 2
    assert (3, 4) in plan.pairs
    assert plan.problems == (Problem(TOO_FEW_CITIES, 4, 2, 1),)


def test_automatic_keeps_pairs_fixed_by_hand_beyond_the_target():
    keep = {(10, 1), (11, 1), (12, 1)}
    plan = assign_automatic(JURY, [1], set(), reviews_per_application=2, min_cities=1, keep=keep)
    assert reviewers_of(plan, [1])[1] == {10, 11, 12}


def test_automatic_refuses_a_negative_target():
    with pytest.raises(ValueError, match="must not be negative"):
        assign_automatic(JURY, [1], set(), reviews_per_application=-1, min_cities=1)


def test_automatic_refuses_a_juror_given_with_two_cities():
    with pytest.raises(ValueError, match="juror 10 is given with two cities"):
        assign_automatic(
            [*JURY, Juror(10, 999)], [1], set(), reviews_per_application=1, min_cities=1
        )


def test_automatic_plans_500_applications_for_20_jurors():
    jurors = [Juror(id=i, city_id=i // 2) for i in range(20)]
    applications = list(range(1000, 1500))
    conflicts = {(i % 20, a) for i, a in enumerate(applications) if i % 3 == 0}

    plan = assign_automatic(
        jurors, applications, conflicts, reviews_per_application=4, min_cities=3
    )

    assert len(plan.pairs) == 2000
    assert plan.problems == ()


def test_automatic_mixes_the_teams_of_two_jurors_in_each_of_four_cities():
    plan = assign_automatic(JURY, range(1, 49), set(), reviews_per_application=4, min_cities=2)

    teams = reviewers_of(plan, range(1, 49)).values()
    together = Counter(pair for team in teams for pair in itertools.combinations(sorted(team), 2))
    # 48 teams of 4 make 288 pairings, 10.3 for each of the 28 pairs of jurors.
    assert len(together) == 28
    assert min(together.values()) >= 10
    assert max(together.values()) <= 12
    assert len({frozenset(team) for team in teams}) > 2
    assert plan.problems == ()
