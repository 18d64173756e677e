"""Tail probabilities: known values and exact sums."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.forensics.stats import (
    chi2_sf,
    gamma_upper,
    hypergeometric_sf,
    normal_sf,
    normal_two_sided,
)


@pytest.mark.parametrize(
    ("statistic", "df", "p"),
    [(16.919, 9, 0.05), (21.666, 9, 0.01), (3.841, 1, 0.05), (9.210, 2, 0.01), (0.0, 9, 1.0)],
)
def test_chi_square_tail_matches_the_tables(statistic: float, df: int, p: float) -> None:
    assert chi2_sf(statistic, df) == pytest.approx(p, abs=2e-4)


def test_normal_tails() -> None:
    assert normal_sf(0.0) == pytest.approx(0.5)
    assert normal_two_sided(1.959964) == pytest.approx(0.05, abs=1e-6)
    assert normal_two_sided(-1.959964) == pytest.approx(0.05, abs=1e-6)


@settings(deadline=None)
@given(st.floats(min_value=0.0, max_value=200.0))
def test_upper_gamma_of_shape_one_is_the_exponential_tail(x: float) -> None:
    assert gamma_upper(1.0, x) == pytest.approx(math.exp(-x), rel=1e-9, abs=1e-300)


@settings(deadline=None)
@given(st.integers(1, 30), st.floats(min_value=0.0, max_value=100.0))
def test_chi_square_with_two_df_is_exponential(df_half: int, x: float) -> None:
    """Q(k, x) for whole k is e^-x times the first k terms of the exponential series."""
    series = sum(x**j / math.factorial(j) for j in range(df_half))
    assert chi2_sf(2 * x, 2 * df_half) == pytest.approx(math.exp(-x) * series, rel=1e-8, abs=1e-290)


@settings(deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.just(n), st.integers(0, n), st.integers(0, n), st.integers(-1, n + 1)
        )
    )
)
def test_hypergeometric_tail_is_the_exact_sum(case: tuple[int, int, int, int]) -> None:
    population, marked, drawn, observed = case
    total = math.comb(population, drawn)
    exact = sum(
        math.comb(marked, x) * math.comb(population - marked, drawn - x)
        for x in range(max(observed, 0), min(marked, drawn) + 1)
    )
    assert hypergeometric_sf(observed, population, marked, drawn) == pytest.approx(
        exact / total, rel=1e-9, abs=1e-15
    )
