"""Tail probabilities of the normal and chi-square distributions, standard library only.

The chi-square survival function is the regularized upper incomplete gamma function
Q(k/2, x/2), evaluated by its power series below a + 1 and by its continued fraction above
(both converge fast there); accurate to about 1e-12, which is more than a screening needs."""

from __future__ import annotations

import math

_EPSILON = 1e-15
_ITERATIONS = 500
_TINY = 1e-300


def normal_sf(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def normal_two_sided(z: float) -> float:
    """P(|Z| >= |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def _lower_series(a: float, x: float) -> float:
    """The regularized lower incomplete gamma P(a, x) by its series (for x < a + 1)."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_ITERATIONS):
        denominator += 1.0
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPSILON:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_fraction(a: float, x: float) -> float:
    """The regularized upper incomplete gamma Q(a, x) by its continued fraction (modified
    Lentz), for x >= a + 1."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _ITERATIONS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def gamma_upper(a: float, x: float) -> float:
    """Q(a, x) = Gamma(a, x) / Gamma(a), for a > 0 and x >= 0."""
    if a <= 0:
        raise ValueError(f"the shape must be positive, found {a}")
    if x <= 0:
        return 1.0
    if x < a + 1.0:
        return max(0.0, 1.0 - _lower_series(a, x))
    return _upper_fraction(a, x)


def chi2_sf(statistic: float, df: int) -> float:
    """P(X >= statistic) for X chi-square with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, found {df}")
    return gamma_upper(df / 2.0, statistic / 2.0)


def hypergeometric_sf(observed: int, population: int, marked: int, drawn: int) -> float:
    """P(X >= observed) for X the marked items among ``drawn`` taken without replacement
    from ``population`` items of which ``marked`` are marked (summed exactly in logs)."""
    low = max(observed, 0, drawn - (population - marked))
    high = min(marked, drawn)
    if low > high:
        return 0.0

    def log_choose(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    base = log_choose(population, drawn)
    terms = [
        log_choose(marked, x) + log_choose(population - marked, drawn - x) - base
        for x in range(low, high + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))
