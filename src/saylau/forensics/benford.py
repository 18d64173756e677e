"""The second-digit Benford test (2BL) on station vote counts (Mebane).

Under Benford's law the second significant digit ``d`` of a count has the probability
``sum over f = 1..9 of log10(1 + 1 / (10 f + d))`` (12.0 % for 0 down to 8.5 % for 9). The
test takes the counts of one choice at every station that has at least 10 votes for it (a
second digit exists), compares the frequencies of their second digits with these by
Pearson's chi-square (9 degrees of freedom) and gives its p-value. Mebane proposed it for
precinct vote counts; it is a screening statistic with known false alarms and misses (see
the method's page), never proof by itself."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.forensics.data import FloatArray, IntArray
from saylau.forensics.stats import chi2_sf

SECOND_DIGIT: tuple[float, ...] = tuple(
    sum(math.log10(1 + 1 / (10 * first + digit)) for first in range(1, 10)) for digit in range(10)
)
"""Benford's probabilities of the second significant digit 0..9."""

MIN_COUNTS = 50
"""A choice is tested only with at least this many counts of 10 or more."""
NONCONFORMITY = 0.012
"""Nigrini's (2012) bound on the mean absolute deviation of second-digit proportions above
which data do not conform to Benford's law. With tens of thousands of counts the
chi-square rejects deviations far too small to matter, so a choice is flagged only when
both the p-value is below the level and the deviation is above this bound."""


def second_digits(counts: IntArray) -> IntArray:
    """The second significant digit of every count of at least 10 (smaller ones dropped)."""
    usable = counts[counts >= 10].astype(np.int64)
    if usable.size == 0:
        return usable
    digits = np.floor(np.log10(usable)).astype(np.int64)
    # Correct float rounding at exact powers of ten (log10(1000) may be 2.9999...).
    digits -= (10**digits > usable).astype(np.int64)
    digits += (10 ** (digits + 1) <= usable).astype(np.int64)
    second: IntArray = (usable // 10 ** (digits - 1)) % 10
    return second


@dataclass(frozen=True)
class BenfordTest:
    """One choice: ``counts`` used, the frequencies of second digits 0..9 observed and
    expected, Pearson's chi-square with 9 degrees of freedom and its p-value, and the mean
    absolute deviation of the observed proportions from Benford's."""

    choice: str
    counts: int
    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi2: float
    p_value: float
    mad: float

    def flagged(self, level: float) -> bool:
        return self.p_value < level and self.mad > NONCONFORMITY


def second_digit_test(choice: str, counts: IntArray) -> BenfordTest | None:
    """The 2BL test of one choice's station counts; ``None`` with too few usable counts."""
    digits = second_digits(counts)
    if len(digits) < MIN_COUNTS:
        return None
    observed = np.bincount(digits, minlength=10)
    expected: FloatArray = len(digits) * np.array(SECOND_DIGIT)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return BenfordTest(
        choice=choice,
        counts=len(digits),
        observed=tuple(int(n) for n in observed),
        expected=tuple(float(e) for e in expected),
        chi2=chi2,
        p_value=chi2_sf(chi2, 9),
        mad=float(np.abs(observed / len(digits) - np.array(SECOND_DIGIT)).mean()),
    )
