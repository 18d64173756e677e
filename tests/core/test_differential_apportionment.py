"""saylau against an independent implementation: the ``apportionment`` package (version 1.0).

Random contests without a threshold are allocated by both; examples where saylau reports a tie
at the cut are skipped, since the two break ties differently (or not at all)."""

from __future__ import annotations

import string

import pytest
from apportionment import methods
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from saylau.core.allocation import allocate_list
from saylau.core.rules import ListRule, Method, Quota, RemainderRule
from saylau.core.ties import TiePolicy
from saylau.core.votes import Choice, ContestVotes

# saylau method -> name in apportionment.methods.compute
EQUIVALENTS = {
    Method.LARGEST_REMAINDER: "largest_remainder",
    Method.DHONDT: "dhondt",
    Method.SAINTE_LAGUE: "saintelague",
    Method.MODIFIED_SAINTE_LAGUE: "modified_saintelague",
}
NONE = TiePolicy.parse("none")

vote_lists = st.lists(
    st.one_of(st.integers(0, 50), st.integers(0, 2_000_000)), min_size=1, max_size=12
).filter(lambda votes: sum(votes) > 0)


def saylau_seats(method: Method, votes: list[int], seats: int) -> list[int] | None:
    """Seats per party in input order, or None when saylau met a tie."""
    names = string.ascii_letters[: len(votes)]
    contest = ContestVotes.of(Choice(name, n) for name, n in zip(names, votes, strict=True))
    rule = ListRule(method=method, quota=Quota.HARE, remainders=RemainderRule.LARGEST_REMAINDER)
    result = allocate_list(contest, rule, seats, ties=NONE, label="differential")
    if result.ties:
        return None
    assert result.unfilled == 0
    return [result.seats[name] for name in names]


def reference_seats(method: Method, votes: list[int], seats: int) -> list[int]:
    return [int(n) for n in methods.compute(EQUIVALENTS[method], votes, seats, fractions=True)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(EQUIVALENTS)), vote_lists, st.integers(1, 120))
@example(Method.LARGEST_REMAINDER, [3_431_510, 693_938, 547_154, 535_139, 432_920, 331_058], 69)
@example(Method.DHONDT, [3_431_510, 693_938, 547_154, 535_139, 432_920, 331_058], 69)
@example(Method.SAINTE_LAGUE, [100, 80, 30, 20], 8)
@example(Method.MODIFIED_SAINTE_LAGUE, [1000, 300, 150], 6)
@example(Method.MODIFIED_SAINTE_LAGUE, [200, 30], 5)
@example(Method.MODIFIED_SAINTE_LAGUE, [300, 40], 6)
def test_same_seats_as_the_apportionment_package(
    method: Method, votes: list[int], seats: int
) -> None:
    mine = saylau_seats(method, votes, seats)
    assume(mine is not None)
    assert mine == reference_seats(method, votes, seats)


def test_the_mazhilis_2023_example_is_not_a_tie() -> None:
    votes = [3_431_510, 693_938, 547_154, 535_139, 432_920, 331_058]
    assert saylau_seats(Method.LARGEST_REMAINDER, votes, 69) == [40, 8, 6, 6, 5, 4]
    assert reference_seats(Method.LARGEST_REMAINDER, votes, 69) == [40, 8, 6, 6, 5, 4]


def test_methods_differ_where_they_should() -> None:
    # Worked by hand: Sainte-Lague gives the small party a seat, the first divisor 1.4 of the
    # modified method takes it back, and D'Hondt agrees with the modified method here.
    votes = [1000, 300, 150]
    expected = {
        Method.DHONDT: [5, 1, 0],
        Method.SAINTE_LAGUE: [4, 1, 1],
        Method.MODIFIED_SAINTE_LAGUE: [5, 1, 0],
        Method.LARGEST_REMAINDER: [4, 1, 1],
    }
    for method, seats in expected.items():
        assert saylau_seats(method, votes, 6) == seats, method
        assert reference_seats(method, votes, 6) == seats, method


@pytest.mark.parametrize(
    ("votes", "seats", "expected"),
    [
        # 30/1.4 < 200/9: a first divisor of 1.3 would give B a seat.
        ([200, 30], 5, [5, 0]),
        # 40/1.4 > 300/11: a first divisor of 1.5 would not give B a seat.
        ([300, 40], 6, [5, 1]),
    ],
)
def test_the_first_modified_divisor_is_exactly_1_4(
    votes: list[int], seats: int, expected: list[int]
) -> None:
    assert saylau_seats(Method.MODIFIED_SAINTE_LAGUE, votes, seats) == expected
    assert reference_seats(Method.MODIFIED_SAINTE_LAGUE, votes, seats) == expected


def test_a_tie_is_detected_and_skipped() -> None:
    assert saylau_seats(Method.DHONDT, [10, 10], 1) is None
    assert saylau_seats(Method.LARGEST_REMAINDER, [1, 1, 1], 2) is None
