"""Station flags: one lead for review each, with what was measured, against what, and how
surprising; and the flags that are facts rather than tests (control warnings, corrections)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from saylau.forensics.data import StationData

STUFFING = "turnout-and-share-high"
TURNOUT = "turnout"
SHARE = "leader-share"
ORDER = "reporting-order"
WARNINGS = "warnings"
CORRECTED = "corrected"


@dataclass(frozen=True)
class StationFlag:
    """One lead for review: what was measured (``measured``, ``value``), against what
    (``null``, ``reference``), and how surprising (``score``: the robust z; ``p_value``;
    ``surprise`` in words). ``significant`` is true only for a flag whose test is
    significant at the level; warnings and corrections are facts to review.

    ``numbers`` holds the numbers of the three sentences by name, so that another program
    (the portal, in three languages) can say the same thing in its own words: for
    ``turnout-and-share-high`` the turnout and share with their commission's medians and
    z-scores (``turnout``, ``turnout_median``, ``turnout_z``, ``share``, ``share_median``,
    ``share_z``); for a lead its ``rank`` among the ``ranked`` stations (when ranked) and, for
    the arrival, the commission's ``scale`` in minutes; for warnings the share of the
    protocols with each code (by code); for a correction the ``rate`` of corrected
    protocols."""

    station: str
    commission: str
    kind: str
    measured: str
    null: str
    surprise: str
    value: float
    reference: float
    score: float | None = None
    p_value: float | None = None
    significant: bool = False
    numbers: Mapping[str, float] = field(default_factory=dict)


def warning_flags(data: StationData) -> list[StationFlag]:
    if not data.warnings:
        return []
    rates = Counter(code for codes in data.warnings for code in set(codes))
    flags = []
    for i, codes in enumerate(data.warnings):
        if not codes:
            continue
        unique = sorted(set(codes))
        share = ", ".join(f"{code} on {rates[code] / len(data):.1%}" for code in unique)
        flags.append(
            StationFlag(
                station=data.station_ids[i],
                commission=data.group_ids[data.group[i]],
                kind=WARNINGS,
                measured=f"protocol accepted with control warnings {', '.join(unique)}",
                null="a protocol that passes every control relation",
                surprise=f"{share} of the protocols",
                value=float(len(unique)),
                reference=0.0,
                numbers={code: rates[code] / len(data) for code in unique},
            )
        )
    return flags


def correction_flags(data: StationData) -> list[StationFlag]:
    if not len(data.versions):
        return []
    corrected = np.flatnonzero(data.versions > 1)
    rate = len(corrected) / len(data)
    return [
        StationFlag(
            station=data.station_ids[i],
            commission=data.group_ids[data.group[i]],
            kind=CORRECTED,
            measured=f"protocol in version {int(data.versions[i])}",
            null="a protocol stored once and never changed",
            surprise=f"{rate:.1%} of the protocols were corrected",
            value=float(data.versions[i]),
            reference=1.0,
            numbers={"rate": rate},
        )
        for i in corrected
    ]
