"""Integer percentages: more stations than chance would give whose turnout or leader's
result is a whole percent (Kobak, Shpilkin and Pshenichnikov, Annals of Applied Statistics,
2016).

A count ``k`` of ``n`` is **at a whole percent** when it is the count nearest to one:
``|100 k - p n| <= 50`` for some whole ``p`` (so ``100 k / n`` is within ``50 / n`` points
of ``p``). That is exactly the number someone aiming at ``p`` % would write down.

**The null** keeps every station's size and rate: the count is drawn again from
Binomial(n, k / n), independently for turnout (``n`` voters) and for the leader's result
(``n`` ballots found). Under it station ``i`` lands at a whole percent with a probability
``q_i`` that is computed exactly from the binomial distribution; each Monte Carlo replicate
then draws every station's outcome with its ``q_i`` (the same distribution as drawing the
binomial counts themselves, at a fraction of the cost). The observed count is compared with
the replicates: the excess, the replicates' standard deviation and a one-sided Monte Carlo
p-value ``(1 + #{replicate >= observed}) / (1 + replicates)``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.forensics.data import BoolArray, FloatArray, IntArray, StationData

MIN_SIZE = 100
"""Stations with fewer voters (or ballots found) are left out: below 100 every count is at a
whole percent or next to one, and the test has nothing to see."""

_PERCENTS = np.arange(101, dtype=np.int64)
_CHUNK = 4_096
_BLOCK = 16


def at_whole_percent(count: IntArray, size: IntArray) -> BoolArray:
    """Whether each ``count`` of ``size`` is the count nearest to a whole percent."""
    remainder = (100 * count) % np.maximum(size, 1)
    near: BoolArray = (np.minimum(remainder, size - remainder) <= 50) & (size > 0)
    return near


def _log_factorials(largest: int) -> FloatArray:
    table: FloatArray = np.array([math.lgamma(i + 1.0) for i in range(largest + 1)])
    return table


def whole_percent_probability(size: IntArray, rate: FloatArray) -> FloatArray:
    """P(Binomial(size, rate) is at a whole percent), exactly, for each station.

    For each whole ``p`` the counts at ``p`` % are the integers in
    ``[(p n - 50) / 100, (p n + 50) / 100]``: one, or two when both ends are whole (for
    ``n >= 100`` the ranges of neighbouring ``p`` never share a count)."""
    result = np.zeros(len(size))
    if len(size) == 0:
        return result
    log_factorial = _log_factorials(int(size.max()))
    degenerate = (rate <= 0.0) | (rate >= 1.0)
    result[degenerate] = 1.0  # the count is 0 or n: 0 % or 100 %
    todo = np.flatnonzero(~degenerate)
    for start in range(0, len(todo), _CHUNK):
        rows = todo[start : start + _CHUNK]
        n = size[rows][:, None]
        p = rate[rows][:, None]
        low = -((50 - _PERCENTS[None, :] * n) // 100)  # ceil((p n - 50) / 100)
        high = (_PERCENTS[None, :] * n + 50) // 100
        total = np.zeros(len(rows))
        for shift in (0, 1):
            k = low + shift
            valid = (k <= high) & (k >= 0) & (k <= n)
            k = np.clip(k, 0, n)
            log_pmf = (
                log_factorial[n]
                - log_factorial[k]
                - log_factorial[n - k]
                + k * np.log(p)
                + (n - k) * np.log1p(-p)
            )
            total += np.where(valid, np.exp(log_pmf), 0.0).sum(axis=1)
        result[rows] = np.minimum(total, 1.0)
    return result


@dataclass(frozen=True)
class IntegerTest:
    """One quantity (``turnout``, ``leader share`` or ``either``): how many of the stations
    examined report it at a whole percent, how many the null expects (exactly, and the mean
    and standard deviation of the Monte Carlo replicates), the excess over the replicates'
    mean, its z-score and the Monte Carlo p-value; ``counts`` holds the replicates."""

    quantity: str
    stations: int
    observed: int
    expected: float
    mc_mean: float
    mc_sd: float
    p_value: float
    replicates: int
    seed: int
    counts: IntArray

    @property
    def excess(self) -> float:
        return self.observed - self.mc_mean

    @property
    def z(self) -> float:
        return self.excess / self.mc_sd if self.mc_sd > 0 else 0.0


def poisson_binomial_sf(observed: int, probabilities: FloatArray) -> float:
    """P(X >= observed) for X the number of successes of independent trials with the given
    probabilities, exactly (the distribution built one trial at a time)."""
    if observed <= 0:
        return 1.0
    pmf = np.zeros(len(probabilities) + 1)
    pmf[0] = 1.0
    for i, q in enumerate(probabilities, start=1):
        pmf[1 : i + 1] = pmf[1 : i + 1] * (1 - q) + pmf[:i] * q
        pmf[0] *= 1 - q
    return float(min(1.0, pmf[observed:].sum()))


@dataclass(frozen=True)
class GroupExcess:
    """Stations at a whole percent (turnout or leader's result) under one commission: the
    observed and expected numbers, the z-score with the exact null variance, and the exact
    one-sided p-value of the null (a sum of independent trials, one per station)."""

    group: str
    stations: int
    observed: int
    expected: float
    z: float
    p_value: float


@dataclass(frozen=True)
class IntegerScreen:
    turnout: IntegerTest
    share: IntegerTest
    either: IntegerTest
    groups: tuple[GroupExcess, ...]
    min_size: int
    observed_turnout: BoolArray
    observed_share: BoolArray

    @property
    def tests(self) -> tuple[IntegerTest, IntegerTest, IntegerTest]:
        return (self.turnout, self.share, self.either)


def _test(
    quantity: str, observed: int, q: FloatArray, counts: IntArray, *, seed: int, stations: int
) -> IntegerTest:
    beyond = int(np.count_nonzero(counts >= observed))
    return IntegerTest(
        quantity=quantity,
        stations=stations,
        observed=observed,
        expected=float(q.sum()),
        mc_mean=float(counts.mean()),
        mc_sd=float(counts.std(ddof=1)) if len(counts) > 1 else 0.0,
        p_value=(1 + beyond) / (1 + len(counts)),
        replicates=len(counts),
        seed=seed,
        counts=counts,
    )


def integer_screen(
    data: StationData, *, replicates: int = 1000, seed: int = 0, min_size: int = MIN_SIZE
) -> IntegerScreen:
    """Integer percentages of turnout and of the leader's result, against the Monte Carlo
    null (see the module's documentation)."""
    if replicates < 2:
        raise ValueError(f"replicates must be at least 2, found {replicates}")
    if min_size < MIN_SIZE:
        raise ValueError(f"min_size must be at least {MIN_SIZE}, found {min_size}")
    leader = data.leader_votes
    use_t = (data.voters >= min_size) & (data.ballots <= data.voters)
    use_s = (data.found >= min_size) & (leader <= data.found)
    rate_t = np.where(use_t, data.ballots / np.maximum(data.voters, 1), 0.0)
    rate_s = np.where(use_s, leader / np.maximum(data.found, 1), 0.0)
    q_t = np.where(use_t, whole_percent_probability(data.voters, rate_t), 0.0)
    q_s = np.where(use_s, whole_percent_probability(data.found, rate_s), 0.0)
    q_e = 1.0 - (1.0 - q_t) * (1.0 - q_s)
    seen_t = use_t & at_whole_percent(data.ballots, data.voters)
    seen_s = use_s & at_whole_percent(leader, data.found)
    seen_e = seen_t | seen_s

    rng = np.random.default_rng(seed)
    counts = np.zeros((3, replicates), dtype=np.int64)
    for start in range(0, replicates, _BLOCK):
        block = min(_BLOCK, replicates - start)
        hit_t = rng.random((block, len(data))) < q_t
        hit_s = rng.random((block, len(data))) < q_s
        counts[0, start : start + block] = hit_t.sum(axis=1)
        counts[1, start : start + block] = hit_s.sum(axis=1)
        counts[2, start : start + block] = (hit_t | hit_s).sum(axis=1)

    examined = use_t | use_s
    groups = len(data.group_ids)
    size = np.bincount(data.group[examined], minlength=groups)
    seen = np.bincount(data.group, weights=seen_e, minlength=groups)
    mean = np.bincount(data.group, weights=q_e, minlength=groups)
    variance = np.bincount(data.group, weights=q_e * (1 - q_e), minlength=groups)
    order = np.argsort(data.group, kind="stable")
    bounds = np.searchsorted(data.group[order], np.arange(groups + 1))
    by_group = []
    for g in np.flatnonzero(size):
        z = (seen[g] - mean[g]) / math.sqrt(variance[g]) if variance[g] > 0 else 0.0
        members = order[bounds[g] : bounds[g + 1]]
        by_group.append(
            GroupExcess(
                group=data.group_ids[g],
                stations=int(size[g]),
                observed=int(seen[g]),
                expected=float(mean[g]),
                z=float(z),
                p_value=poisson_binomial_sf(int(seen[g]), q_e[members]),
            )
        )
    by_group.sort(key=lambda e: (e.p_value, -e.z, e.group))
    return IntegerScreen(
        turnout=_test(
            "turnout", int(seen_t.sum()), q_t, counts[0], seed=seed, stations=int(use_t.sum())
        ),
        share=_test(
            "leader share", int(seen_s.sum()), q_s, counts[1], seed=seed, stations=int(use_s.sum())
        ),
        either=_test(
            "either", int(seen_e.sum()), q_e, counts[2], seed=seed, stations=int(examined.sum())
        ),
        groups=tuple(by_group),
        min_size=min_size,
        observed_turnout=seen_t,
        observed_share=seen_s,
    )
