"""Integer percentages: the definition, the exact probability under the binomial null, and
the Monte Carlo null against clean binomial data."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from forensics_helpers import binomial_stations
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.forensics.integers import (
    at_whole_percent,
    integer_screen,
    poisson_binomial_sf,
    whole_percent_probability,
)


def nearest_to_a_whole_percent(k: int, n: int) -> bool:
    """The definition, exactly: k is within half a count of p n / 100 for a whole p."""
    return any(abs(Fraction(k) - Fraction(p * n, 100)) <= Fraction(1, 2) for p in range(101))


@settings(deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_whole_percent_is_the_count_nearest_to_one(case: tuple[int, int]) -> None:
    k, n = case
    found = at_whole_percent(np.array([k]), np.array([n]))[0]
    assert bool(found) == nearest_to_a_whole_percent(k, n)


def test_examples_of_whole_percents() -> None:
    counts = np.array([850, 851, 1658, 1619, 263])
    sizes = np.array([1000, 1000, 1950, 1905, 309])
    # 85.0 %; 85.1 %; 85.03 % (1657.5 is 85 %); 84.99 % (1619.25); 85.11 % (262.65 is 85 %)
    assert at_whole_percent(counts, sizes).tolist() == [True, False, True, True, True]


@settings(max_examples=40, deadline=None)
@given(st.integers(100, 400), st.floats(min_value=0.01, max_value=0.99))
def test_probability_is_the_exact_binomial_sum(n: int, p: float) -> None:
    exact = math.fsum(
        math.comb(n, k) * p**k * (1 - p) ** (n - k)
        for k in range(n + 1)
        if nearest_to_a_whole_percent(k, n)
    )
    found = whole_percent_probability(np.array([n]), np.array([p]))[0]
    assert found == pytest.approx(exact, abs=1e-9)


def test_degenerate_rates_always_land_on_a_whole_percent() -> None:
    found = whole_percent_probability(np.array([500, 500]), np.array([0.0, 1.0]))
    assert found.tolist() == [1.0, 1.0]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_the_null_reproduces_the_rate_of_clean_binomial_data(seed: int) -> None:
    """The law: for unmanipulated binomial counts the observed number of whole percents is
    what the Monte Carlo null expects, within its spread."""
    data = binomial_stations(4000, seed)
    screen = integer_screen(data, replicates=200, seed=seed)
    for test in screen.tests:
        assert abs(test.observed - test.mc_mean) < 4.5 * test.mc_sd, test
        # The replicates estimate the exact mean: within 5 standard errors.
        assert abs(test.mc_mean - test.expected) < 5 * test.mc_sd / math.sqrt(200) + 1e-9


def test_the_screen_is_reproducible_and_needs_replicates() -> None:
    data = binomial_stations(500, 1)
    first = integer_screen(data, replicates=50, seed=9)
    again = integer_screen(data, replicates=50, seed=9)
    other = integer_screen(data, replicates=50, seed=10)
    assert np.array_equal(first.either.counts, again.either.counts)
    assert not np.array_equal(first.either.counts, other.either.counts)
    with pytest.raises(ValueError, match="replicates must be at least 2"):
        integer_screen(data, replicates=1)
    with pytest.raises(ValueError, match="min_size must be at least 100"):
        integer_screen(data, min_size=50)


def test_small_stations_are_left_out() -> None:
    data = binomial_stations(400, 3)
    screen = integer_screen(data, replicates=20)
    assert screen.turnout.stations == int((data.voters >= 100).sum())
    assert screen.share.stations == int((data.found >= 100).sum())
    assert screen.either.stations <= len(data)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=8),
    st.integers(-1, 9),
)
def test_commission_tail_is_the_exact_sum(probabilities: list[float], observed: int) -> None:
    exact = 0.0
    for outcome in product((0, 1), repeat=len(probabilities)):
        if sum(outcome) >= observed:
            exact += math.prod(
                q if hit else 1 - q for q, hit in zip(probabilities, outcome, strict=True)
            )
    found = poisson_binomial_sf(observed, np.array(probabilities))
    assert found == pytest.approx(min(exact, 1.0), abs=1e-12)
