"""The second-digit Benford test: its law, its digits, and what it flags."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.forensics.benford import (
    NONCONFORMITY,
    SECOND_DIGIT,
    second_digit_test,
    second_digits,
)


def test_second_digit_probabilities_sum_to_one_and_fall() -> None:
    assert abs(math.fsum(SECOND_DIGIT) - 1.0) < 1e-12
    assert all(a > b for a, b in itertools.pairwise(SECOND_DIGIT))
    assert round(SECOND_DIGIT[0], 4) == 0.1197
    assert round(SECOND_DIGIT[9], 4) == 0.0850


@settings(deadline=None)
@given(st.lists(st.integers(0, 10**12), max_size=50))
def test_second_digits_are_the_second_character(counts: list[int]) -> None:
    found = second_digits(np.array(counts, dtype=np.int64))
    expected = [int(str(n)[1]) for n in counts if n >= 10]
    assert found.tolist() == expected


def test_exact_powers_of_ten() -> None:
    counts = np.array([10, 100, 1000, 10**6, 99, 999, 9, 0], dtype=np.int64)
    assert second_digits(counts).tolist() == [0, 0, 0, 0, 9, 9]


def test_benford_counts_pass_and_a_forced_digit_is_flagged() -> None:
    rng = np.random.default_rng(5)
    # Log-uniform over five decades follows Benford's law closely.
    counts = np.floor(10 ** rng.uniform(1, 6, 20_000)).astype(np.int64)
    clean = second_digit_test("clean", counts)
    assert clean is not None
    assert clean.p_value > 0.001
    assert not clean.flagged(0.01)
    assert sum(clean.observed) == clean.counts == 20_000
    # Invented counts: every second digit a 5 at a third of the stations.
    forced = counts.copy()
    third = forced[: len(forced) // 3]
    magnitude = 10 ** np.floor(np.log10(third)).astype(np.int64)
    first = third // magnitude
    forced[: len(forced) // 3] = first * magnitude + 5 * magnitude // 10
    invented = second_digit_test("invented", forced)
    assert invented is not None
    assert invented.mad > NONCONFORMITY
    assert invented.flagged(0.01)


def test_too_few_counts_are_not_tested() -> None:
    assert second_digit_test("few", np.array([5, 12, 40], dtype=np.int64)) is None
