"""Robust centre and scale of station measures within their commissions.

The median and 1.4826 times the median absolute deviation (the standard deviation for normal
data, which a few extreme stations cannot inflate), per commission, vectorised: one sort of
all the stations by commission and value."""

from __future__ import annotations

import math

import numpy as np

from saylau.forensics.data import FloatArray, IntArray

MIN_PEERS = 8
"""A commission with fewer stations is compared with all the stations."""
MAD_TO_SD = 1.4826


def logit(count: IntArray | FloatArray, size: IntArray | FloatArray) -> FloatArray:
    """``log(x / (1 - x))`` of ``x = (count + 1/2) / (size + 1)``, the count capped at size."""
    n = np.asarray(size, dtype=np.float64)
    k = np.minimum(np.asarray(count, dtype=np.float64), n)
    x = (k + 0.5) / (n + 1.0)
    result: FloatArray = np.log(x) - np.log1p(-x)
    return result


def expit(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def group_median(values: FloatArray, group: IntArray, groups: int) -> tuple[FloatArray, IntArray]:
    """The median of ``values`` in each group (NaN values left out) and the group sizes."""
    known = ~np.isnan(values)
    v, g = values[known], group[known]
    order = np.lexsort((v, g))
    v, g = v[order], g[order]
    sizes = np.bincount(g, minlength=groups)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    median = np.full(groups, np.nan)
    filled = sizes > 0
    low = starts[filled] + (sizes[filled] - 1) // 2
    high = starts[filled] + sizes[filled] // 2
    median[filled] = (v[low] + v[high]) / 2
    return median, sizes


def robust(
    values: FloatArray, group: IntArray, groups: int, floor: float
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Per group: median, scale (1.4826 MAD, at least ``floor``) and size; groups with fewer
    than MIN_PEERS values get the median and scale of all the values."""
    center, sizes = group_median(values, group, groups)
    spread, _ = group_median(np.abs(values - center[group]), group, groups)
    scale = np.maximum(MAD_TO_SD * spread, floor)
    known = values[~np.isnan(values)]
    if known.size:
        everyone = float(np.median(known))
        everyone_scale = max(MAD_TO_SD * float(np.median(np.abs(known - everyone))), floor)
        few = sizes < MIN_PEERS
        center[few] = everyone
        scale[few] = everyone_scale
    return center, scale, sizes
