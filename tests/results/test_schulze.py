"""The Schulze method for the final-concert ballot (qpmusic.results.schulze)."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qpmusic.results.schulze import RankedBallot, schulze

A, B, C, D, E = 1, 2, 3, 4, 5
LETTER = dict(zip("ABCDE", (A, B, C, D, E), strict=True))

# The example of the Wikipedia article "Schulze method": 45 voters, 5 candidates.
WIKIPEDIA = {
    "ACBED": 5,
    "ADECB": 5,
    "BEDAC": 8,
    "CABED": 3,
    "CAEBD": 7,
    "CBADE": 2,
    "DCEBA": 7,
    "EBADC": 8,
}


def ballot(order: str) -> list[list[int]]:
    return [[LETTER[ch]] for ch in order]


def wikipedia_ballots() -> list[list[list[int]]]:
    return [ballot(order) for order, voters in WIKIPEDIA.items() for _ in range(voters)]


def table(result_table: dict, rows: str) -> list[list[int]]:
    return [[result_table[LETTER[a], LETTER[b]] for b in "ABCDE" if b != a] for a in rows]


def test_schulze_wikipedia_example_ranks_e_a_c_b_d():
    result = schulze([A, B, C, D, E], wikipedia_ballots())

    assert result.ranking == ((E,), (A,), (C,), (B,), (D,))
    assert result.winners == (E,)
    assert result.candidates == (A, B, C, D, E)


def test_schulze_wikipedia_example_pairwise_and_strongest_path_tables():
    result = schulze([E, D, C, B, A], reversed(wikipedia_ballots()))

    # Rows A..E, columns the other candidates in order, as in the article.
    assert table(result.pairwise, "ABCDE") == [
        [20, 26, 30, 22],
        [25, 16, 33, 18],
        [19, 29, 17, 24],
        [15, 12, 28, 14],
        [23, 27, 21, 31],
    ]
    assert table(result.strongest, "ABCDE") == [
        [28, 28, 30, 24],
        [25, 28, 33, 24],
        [25, 29, 29, 24],
        [25, 28, 28, 24],
        [25, 28, 28, 31],
    ]


def test_schulze_condorcet_winner_wins_alone():
    # B beats A 2:1 and C 2:1, although A has the most first places.
    ballots = [[[A], [B], [C]], [[B], [C], [A]], [[C], [B], [A]], [[A], [C], [B]]]
    ballots.append([[B], [A], [C]])

    result = schulze([A, B, C], ballots)

    assert result.pairwise[B, A] == 3
    assert result.pairwise[B, C] == 3
    assert result.winners == (B,)
    assert result.ranking[0] == (B,)


def test_schulze_condorcet_cycle_is_resolved_by_the_strongest_links():
    # A > B 7:2, B > C 5:4, C > A 6:3: the weakest link (B > C) of the cycle gives way.
    ballots = 3 * [[[A], [B], [C]]] + 2 * [[[B], [C], [A]]] + 4 * [[[C], [A], [B]]]

    result = schulze([A, B, C], ballots)

    assert (result.pairwise[A, B], result.pairwise[B, C], result.pairwise[C, A]) == (7, 5, 6)
    assert result.ranking == ((C,), (A,), (B,))
    assert result.strongest[C, B] == 6
    assert result.strongest[B, C] == 5


def test_schulze_opposite_ballots_tie_everyone():
    result = schulze([A, B], [[[A], [B]], [[B], [A]]])

    assert result.pairwise == {(A, B): 1, (B, A): 1}
    assert result.strongest == {(A, B): 0, (B, A): 0}
    assert result.ranking == ((A, B),)
    assert result.winners == (A, B)


def test_schulze_tied_group_on_a_ballot_prefers_neither():
    result = schulze([A, B, C], [[[A, B], [C]]])

    assert result.pairwise == {
        (A, B): 0,
        (B, A): 0,
        (A, C): 1,
        (C, A): 0,
        (B, C): 1,
        (C, B): 0,
    }
    assert result.ranking == ((A, B), (C,))
    assert result.winners == (A, B)


def test_schulze_candidates_left_off_a_ballot_share_its_last_place():
    result = schulze([A, B, C], [[[C]]])

    assert result.pairwise[C, A] == 1
    assert result.pairwise[C, B] == 1
    assert result.pairwise[A, B] == result.pairwise[B, A] == 0
    assert result.ranking == ((C,), (A, B))


def test_schulze_ignores_ids_that_are_not_candidates():
    with_withdrawn = schulze([A, B], [[[C], [B], [A]], [[A], [C], [B]], [[B], [A]]])
    without = schulze([A, B], [[[B], [A]], [[A], [B]], [[B], [A]]])

    assert with_withdrawn == without
    assert with_withdrawn.ranking == ((B,), (A,))


def test_schulze_rejects_a_candidate_twice_on_one_ballot():
    with pytest.raises(ValueError, match="twice"):
        schulze([A, B], [[[A], [B, A]]])


def test_schulze_a_conflicted_juror_does_not_decide_between_x_and_y():
    # Three jurors; the first is conflicted with X and ranks only Y, the others split.
    x, y = A, B
    ballots = [RankedBallot([[y]], excluded=frozenset({x})), [[x], [y]], [[y], [x]]]

    result = schulze([x, y], ballots)

    assert result.pairwise == {(x, y): 1, (y, x): 1}
    assert result.ranking == ((x, y),)
    assert result.winners == (x, y)


def test_schulze_an_excluded_candidate_is_in_no_comparison_of_that_ballot_even_if_ranked():
    result = schulze([A, B, C], [RankedBallot([[A], [B], [C]], excluded=frozenset({B}))])

    assert result.pairwise == {
        (A, B): 0,
        (B, A): 0,
        (A, C): 1,
        (C, A): 0,
        (B, C): 0,
        (C, B): 0,
    }
    assert result.ranking == ((A, B), (C,))


def test_schulze_others_left_off_a_ballot_with_exclusions_still_share_its_last_place():
    result = schulze([A, B, C], [RankedBallot([[C]], excluded=frozenset({A}))])

    assert result.pairwise[C, B] == 1
    assert result.pairwise[C, A] == result.pairwise[A, C] == 0
    assert result.pairwise[A, B] == result.pairwise[B, A] == 0


def test_schulze_a_ballot_without_exclusions_is_the_plain_ranking():
    plain = [[[A], [B, C]], [[C]]]

    assert schulze([A, B, C], [RankedBallot(r) for r in plain]) == schulze([A, B, C], plain)


def test_schulze_without_ballots_ties_everyone_and_without_candidates_is_empty():
    assert schulze([B, A], []).ranking == ((A, B),)
    empty = schulze([], [[[A]]])
    assert (empty.ranking, empty.winners, empty.pairwise) == ((), (), {})


# --- properties -------------------------------------------------------------------------------

CANDIDATES = list(range(1, 6))


@st.composite
def ranking(draw):
    """A ranking over candidates 1-5 with ties and left-out candidates."""
    ranked = draw(st.permutations(CANDIDATES))[: draw(st.integers(0, 5))]
    groups, i = [], 0
    while i < len(ranked):
        size = draw(st.integers(1, len(ranked) - i))
        groups.append(list(ranked[i : i + size]))
        i += size
    return groups


@st.composite
def one_ballot(draw):
    """A plain ranking, or a RankedBallot excluding candidates (left off it, as conflicts are)."""
    groups = draw(ranking())
    if not draw(st.booleans()):
        return groups
    excluded = draw(st.frozensets(st.sampled_from(CANDIDATES), max_size=3))
    kept = [[c for c in g if c not in excluded] for g in groups]
    return RankedBallot([g for g in kept if g], excluded)


def ballots():
    """Up to 9 ballots, some of them with exclusions."""
    return st.lists(one_ballot(), max_size=9)


def beats(result, a, b) -> bool:
    return a != b and result.strongest[a, b] > result.strongest[b, a]


@given(ballots(), st.randoms(use_true_random=False))
def test_schulze_result_does_not_depend_on_the_order_of_ballots_or_candidates(ballots, rnd):
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    candidates = list(CANDIDATES)
    rnd.shuffle(candidates)

    assert schulze(candidates, shuffled) == schulze(CANDIDATES, ballots)


@given(ballots())
def test_schulze_ranking_partitions_the_candidates_consistently_with_the_relation(ballots):
    result = schulze(CANDIDATES, ballots)

    assert sorted(itertools.chain.from_iterable(result.ranking)) == CANDIDATES
    assert result.winners == result.ranking[0]
    for i, group in enumerate(result.ranking):
        assert list(group) == sorted(group)
        for a in group:
            # Nobody in the same or a later group beats a; someone in the group before does.
            assert not any(beats(result, b, a) for g in result.ranking[i:] for b in g)
            if i:
                assert any(beats(result, b, a) for b in result.ranking[i - 1])


@given(ballots())
def test_schulze_relation_is_transitive(ballots):
    result = schulze(CANDIDATES, ballots)

    for a, b, c in itertools.permutations(CANDIDATES, 3):
        if beats(result, a, b) and beats(result, b, c):
            assert beats(result, a, c)


@given(ballots())
def test_schulze_condorcet_winner_is_the_only_winner(ballots):
    result = schulze(CANDIDATES, ballots)
    condorcet = [
        a
        for a in CANDIDATES
        if all(result.pairwise[a, b] > result.pairwise[b, a] for b in CANDIDATES if b != a)
    ]

    if condorcet:
        assert result.winners == tuple(condorcet)


@given(st.permutations(CANDIDATES), st.integers(1, 5))
def test_schulze_unanimous_ballots_give_their_ranking(order, voters):
    result = schulze(CANDIDATES, voters * [[[c] for c in order]])

    assert result.ranking == tuple((c,) for c in order)


@given(ballots(), ranking(), st.frozensets(st.sampled_from(CANDIDATES), max_size=3))
def test_schulze_an_exclusion_removes_exactly_the_ballots_pairs_with_that_candidate(
    others, groups, excluded
):
    before = schulze(CANDIDATES, others).pairwise
    alone = schulze(CANDIDATES, [groups]).pairwise

    after = schulze(CANDIDATES, [*others, RankedBallot(groups, excluded)]).pairwise

    for (a, b), count in after.items():
        added = 0 if a in excluded or b in excluded else alone[a, b]
        assert count == before[a, b] + added
