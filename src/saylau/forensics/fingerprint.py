"""The election fingerprint of Klimek, Yegorov, Hanel and Thurner (PNAS, 2012): the 2-D
histogram of stations by turnout and the leader's share.

In a clean count the stations form one compact cloud (or a few, for distinct regions); a
smear towards the top right corner, where both turnout and the leader's share approach
100 %, is what ballot stuffing and invented results leave behind. The numbers next to the
picture say how much mass sits there and how strongly share rises with turnout."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.forensics.data import FloatArray, IntArray, StationData

BINS = 100
CORNER = 0.8
"""The corner: turnout and the leader's share both at least 80 %."""


@dataclass(frozen=True)
class Fingerprint:
    """``counts[i, j]``: stations with the leader's share in bin ``i`` and turnout in bin
    ``j`` (``bins`` equal bins over 0..100 %, turnouts above 100 % in the last one);
    ``stations`` plotted; ``corner_stations`` and ``corner_votes`` the share of the
    stations and of the leader's votes in the corner; ``correlation`` the voter-weighted
    Pearson correlation of turnout and share; the voter-weighted mean turnout and share;
    the stations by turnout and by share to the nearest 0.1 point (see :func:`peaks`)."""

    bins: int
    counts: IntArray
    stations: int
    corner: float
    corner_stations: float
    corner_votes: float
    correlation: float
    mean_turnout: float
    mean_share: float
    turnout_peaks: IntArray
    share_peaks: IntArray


PEAK_BINS = 1001
"""Stations by turnout and by share rounded to the nearest 0.1 point (0.0 to 100.0 %):
whole percentages added by hand show as spikes at every whole number."""


def peaks(count: IntArray, size: IntArray) -> IntArray:
    """Stations per value of ``100 count / size`` rounded to the nearest 0.1 point (halves
    up), in exact integer arithmetic; stations with ``size`` 0 or ``count`` above ``size``
    are left out."""
    usable = (size > 0) & (count <= size)
    n = size[usable]
    tenths = (2000 * count[usable] + n) // (2 * n)
    histogram: IntArray = np.bincount(tenths, minlength=PEAK_BINS)
    return histogram.astype(np.int64)


def _bin(values: FloatArray, bins: int) -> IntArray:
    index: IntArray = np.clip(np.floor(values * bins), 0, bins - 1).astype(np.int64)
    return index


def fingerprint(data: StationData, *, bins: int = BINS, corner: float = CORNER) -> Fingerprint:
    turnout = data.turnout()
    share = data.leader_share()
    known = ~np.isnan(turnout) & ~np.isnan(share)
    t, s = turnout[known], share[known]
    weights = data.voters[known].astype(np.float64)
    leader = data.leader_votes[known]
    flat = _bin(s, bins) * bins + _bin(t, bins)
    counts = np.bincount(flat, minlength=bins * bins).reshape(bins, bins)
    in_corner = (t >= corner) & (s >= corner)
    total = float(weights.sum())
    correlation = 0.0
    mean_t = mean_s = 0.0
    if total > 0:
        mean_t = float((weights * t).sum() / total)
        mean_s = float((weights * s).sum() / total)
        cov = float((weights * (t - mean_t) * (s - mean_s)).sum())
        var_t = float((weights * (t - mean_t) ** 2).sum())
        var_s = float((weights * (s - mean_s) ** 2).sum())
        if var_t > 0 and var_s > 0:
            correlation = cov / math.sqrt(var_t * var_s)
    stations = int(known.sum())
    votes = int(leader.sum())
    return Fingerprint(
        bins=bins,
        counts=counts.astype(np.int64),
        stations=stations,
        corner=corner,
        corner_stations=float(in_corner.sum() / stations) if stations else 0.0,
        corner_votes=float(leader[in_corner].sum() / votes) if votes else 0.0,
        correlation=correlation,
        mean_turnout=mean_t,
        mean_share=mean_s,
        turnout_peaks=peaks(data.ballots, data.voters),
        share_peaks=peaks(data.leader_votes, data.found),
    )
