"""Stations that deserve a second look: turnout and leader's share far above their
commission's together (the mark of ballot stuffing), turnout or share far from it alone,
protocols that arrived far outside their commission's usual time, protocols with control
warnings and protocols corrected after they were first stored.

**Far from the commission.** Turnout and the leader's share are compared on the logit scale
(``log(x / (1 - x))`` with ``x = (k + 1/2) / (n + 1)``) with the other stations of the
station's own commission: the robust z-score is the distance to their median over 1.4826
times their median absolute deviation, with a floor so that a very uniform commission does
not turn small differences into large scores. A commission with fewer than
:data:`MIN_PEERS` stations is compared with all the stations.

**How surprising.** Station results have heavier tails than a normal distribution (small
rural stations, mixed commissions), so a normal p-value for one station would cry wolf in a
clean count. The screen therefore tests what stuffing changes together: it counts the
stations in the top :data:`TAIL` of the contest for both turnout and share z-scores and
compares the count with the hypergeometric distribution it has if the two rankings are
independent (whatever the shape of each). That test is significant or not at the level;
the stations in that corner are its leads. Single-variable and arrival outliers
(``|z| >= LEAD_Z``) are listed with their rank as leads, never as significant findings.

:func:`check_protocol` screens one incoming protocol against a :class:`Reference` made from
the stations counted so far, for advisory flags at data entry."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.forensics.data import FloatArray, IntArray, StationData
from saylau.forensics.flags import (
    CORRECTED,
    ORDER,
    SHARE,
    STUFFING,
    TURNOUT,
    WARNINGS,
    StationFlag,
    correction_flags,
    warning_flags,
)
from saylau.forensics.robust import MIN_PEERS, expit, logit, robust
from saylau.forensics.stats import hypergeometric_sf

__all__ = [
    "CORRECTED",
    "MIN_PEERS",
    "ORDER",
    "SHARE",
    "STUFFING",
    "TURNOUT",
    "WARNINGS",
    "Baseline",
    "JointTest",
    "Reference",
    "StationFlag",
    "check_protocol",
    "joint_test",
    "logit",
    "reference",
    "station_flags",
]

LEVEL = 0.01
LOGIT_FLOOR = 0.05
"""The smallest scale on the logit scale (about 1.2 points of turnout near 50 %)."""
MINUTES_FLOOR = 15.0
"""The smallest scale of arrival times, in minutes."""
TAIL = 0.01
LEAD_Z = 5.0


@dataclass(frozen=True)
class Baseline:
    """A commission's stations: robust centre and scale of turnout and of the leader's share
    on the logit scale, and of arrival times in minutes (NaN when unknown)."""

    commission: str
    stations: int
    turnout_center: float
    turnout_scale: float
    share_center: float
    share_scale: float
    arrival_center: float = math.nan
    arrival_scale: float = math.nan


@dataclass(frozen=True)
class Reference:
    """What a protocol is compared with: its commission's baseline, and the z-scores that
    put a station in the contest's top :data:`TAIL` for turnout and for share."""

    baselines: dict[str, Baseline]
    turnout_tail: float
    share_tail: float


@dataclass(frozen=True)
class JointTest:
    """Stations in the top ``tail`` for both turnout and share z-scores: ``observed`` of
    ``stations``, ``expected`` if the rankings were independent, the hypergeometric
    p-value."""

    stations: int
    tail: float
    turnout_top: int
    share_top: int
    observed: int
    expected: float
    p_value: float


def _measures(data: StationData) -> dict[str, FloatArray]:
    arrival = data.arrival if len(data.arrival) else np.full(len(data), np.nan)
    return {
        TURNOUT: np.where(data.voters > 0, logit(data.ballots, data.voters), np.nan),
        SHARE: np.where(data.found > 0, logit(data.leader_votes, data.found), np.nan),
        ORDER: np.asarray(arrival, dtype=np.float64),
    }


def _scores(data: StationData) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """The measures and their robust z-scores within each commission."""
    groups = len(data.group_ids)
    measures = _measures(data)
    scores = {}
    for kind, values in measures.items():
        floor = MINUTES_FLOOR if kind == ORDER else LOGIT_FLOOR
        center, scale, _ = robust(values, data.group, groups, floor)
        scores[kind] = (values - center[data.group]) / scale[data.group]
    return measures, scores


def _tail_threshold(z: FloatArray, tail: float) -> float:
    known = z[~np.isnan(z)]
    return float(np.quantile(known, 1.0 - tail)) if known.size else math.inf


def reference(data: StationData, *, tail: float = TAIL) -> Reference:
    """Every commission's baseline and the contest's tail thresholds, from ``data``."""
    groups = len(data.group_ids)
    measures = _measures(data)
    spread = {
        kind: robust(values, data.group, groups, MINUTES_FLOOR if kind == ORDER else LOGIT_FLOOR)
        for kind, values in measures.items()
    }
    (tc, ts, sizes), (sc, ss, _), (ac, as_, _) = spread[TURNOUT], spread[SHARE], spread[ORDER]
    _, scores = _scores(data)
    return Reference(
        baselines={
            gid: Baseline(
                commission=gid,
                stations=int(sizes[g]),
                turnout_center=float(tc[g]),
                turnout_scale=float(ts[g]),
                share_center=float(sc[g]),
                share_scale=float(ss[g]),
                arrival_center=float(ac[g]),
                arrival_scale=float(as_[g]),
            )
            for g, gid in enumerate(data.group_ids)
        },
        turnout_tail=_tail_threshold(scores[TURNOUT], tail),
        share_tail=_tail_threshold(scores[SHARE], tail),
    )


def joint_test(data: StationData, *, tail: float = TAIL) -> tuple[JointTest, IntArray]:
    """The joint-tail test and the indices of the stations in the corner."""
    _, scores = _scores(data)
    zt, zs = scores[TURNOUT], scores[SHARE]
    both = ~np.isnan(zt) & ~np.isnan(zs)
    top_t = both & (zt >= _tail_threshold(zt[both], tail))
    top_s = both & (zs >= _tail_threshold(zs[both], tail))
    n, kt, ks = int(both.sum()), int(top_t.sum()), int(top_s.sum())
    corner = np.flatnonzero(top_t & top_s)
    test = JointTest(
        stations=n,
        tail=tail,
        turnout_top=kt,
        share_top=ks,
        observed=len(corner),
        expected=kt * ks / n if n else 0.0,
        p_value=hypergeometric_sf(len(corner), n, kt, ks) if n else 1.0,
    )
    return test, corner


def _describe(kind: str, baseline: Baseline, value: float) -> tuple[str, str, float, float]:
    """What was measured, against what, and the two values shown (value, reference)."""
    if kind == ORDER:
        center = baseline.arrival_center
        return (
            f"arrived at minute {value:,.0f}",
            f"arrival like the other stations of {baseline.commission} "
            f"(median minute {center:,.0f}, robust scale {baseline.arrival_scale:,.0f} min)",
            value,
            center,
        )
    center = baseline.turnout_center if kind == TURNOUT else baseline.share_center
    what = "turnout" if kind == TURNOUT else "leader's share"
    shown, reference_value = expit(value), expit(center)
    return (
        f"{what} {shown:.1%}",
        f"{what} like the other stations of {baseline.commission} (median "
        f"{reference_value:.1%}; robust z on the logit scale)",
        shown,
        reference_value,
    )


def _lead(
    kind: str,
    station: str,
    baseline: Baseline,
    *,
    value: float,
    z: float,
    ranked: tuple[int, int] | None = None,
) -> StationFlag:
    measured, null, shown, reference_value = _describe(kind, baseline, value)
    side = "above" if z > 0 else "below"
    numbers = {"rank": float(ranked[0]), "ranked": float(ranked[1])} if ranked else {}
    if kind == ORDER:
        numbers["scale"] = baseline.arrival_scale
    where = f"; the {_ordinal(ranked[0])} farthest of {ranked[1]:,} stations" if ranked else ""
    return StationFlag(
        station=station,
        commission=baseline.commission,
        kind=kind,
        measured=measured,
        null=null,
        surprise=f"{abs(z):.1f} robust SD {side} the median{where}; a lead, not a test",
        value=shown,
        reference=reference_value,
        score=z,
        numbers=numbers,
    )


def _z(kind: str, baseline: Baseline, value: float) -> float:
    if kind == ORDER:
        return (value - baseline.arrival_center) / baseline.arrival_scale
    if kind == TURNOUT:
        return (value - baseline.turnout_center) / baseline.turnout_scale
    return (value - baseline.share_center) / baseline.share_scale


def check_protocol(
    station: str,
    commission: str,
    ref: Reference,
    *,
    voters: int,
    ballots: int,
    found: int,
    leader_votes: int,
    arrival: float = math.nan,
) -> list[StationFlag]:
    """Advisory leads for one protocol of ``commission`` against ``ref``: turnout and share
    both in the contest's top tail, or one of them (or the arrival) ``LEAD_Z`` robust SD
    or more from the commission's median. Never significant on their own."""
    baseline = ref.baselines[commission]
    values = {
        TURNOUT: float(logit(np.array([ballots]), np.array([voters]))[0]) if voters else math.nan,
        SHARE: float(logit(np.array([leader_votes]), np.array([found]))[0]) if found else math.nan,
        ORDER: arrival,
    }
    z = {kind: _z(kind, baseline, value) for kind, value in values.items()}
    flags = []
    if z[TURNOUT] >= ref.turnout_tail and z[SHARE] >= ref.share_tail:
        flags.append(_stuffing(station, baseline, values=values, z=z, test=None, significant=False))
    for kind in (TURNOUT, SHARE, ORDER):
        if not math.isnan(z[kind]) and abs(z[kind]) >= LEAD_Z:
            flags.append(_lead(kind, station, baseline, value=values[kind], z=z[kind]))
    return flags


def _stuffing(
    station: str,
    baseline: Baseline,
    *,
    values: dict[str, float],
    z: dict[str, float],
    test: JointTest | None,
    significant: bool,
) -> StationFlag:
    turnout, share = expit(values[TURNOUT]), expit(values[SHARE])
    if test is None:
        surprise = "both in the contest's top 1 % so far; a lead, not a test"
    else:
        surprise = (
            f"{_one_of(test.observed)} in the top {test.tail:.0%} for both, where "
            f"{test.expected:.1f} were expected if the two were independent "
            f"(p = {test.p_value:.2g})"
        )
    return StationFlag(
        station=station,
        commission=baseline.commission,
        kind=STUFFING,
        measured=(
            f"turnout {turnout:.1%} ({z[TURNOUT]:.1f} robust SD above the commission's "
            f"median {expit(baseline.turnout_center):.1%}) and leader's share {share:.1%} "
            f"({z[SHARE]:.1f} above {expit(baseline.share_center):.1%})"
        ),
        null=(
            f"turnout and leader's share vary independently around the medians of "
            f"{baseline.commission}"
        ),
        surprise=surprise,
        value=turnout,
        reference=expit(baseline.turnout_center),
        score=min(z[TURNOUT], z[SHARE]),
        p_value=None if test is None else test.p_value,
        significant=significant,
        numbers={
            "turnout": turnout,
            "turnout_median": expit(baseline.turnout_center),
            "turnout_z": z[TURNOUT],
            "share": share,
            "share_median": expit(baseline.share_center),
            "share_z": z[SHARE],
        },
    )


def station_flags(
    data: StationData, *, level: float = LEVEL, tail: float = TAIL
) -> tuple[JointTest, list[StationFlag]]:
    """The joint-tail test and every station's flags: the corner stations first (strongest
    first), then single-variable and arrival leads by |z|, warnings and corrections."""
    ref = reference(data, tail=tail)
    measures, scores = _scores(data)
    test, corner = joint_test(data, tail=tail)
    significant = test.p_value < level
    flags: list[StationFlag] = []
    for i in sorted(corner, key=lambda i: -min(scores[TURNOUT][i], scores[SHARE][i])):
        baseline = ref.baselines[data.group_ids[data.group[i]]]
        values = {kind: float(measures[kind][i]) for kind in measures}
        z = {kind: float(scores[kind][i]) for kind in scores}
        flags.append(
            _stuffing(
                data.station_ids[i],
                baseline,
                values=values,
                z=z,
                test=test,
                significant=significant,
            )
        )
    leads = []
    for kind in (TURNOUT, SHARE, ORDER):
        kind_z = scores[kind]
        known = int(np.count_nonzero(~np.isnan(kind_z)))
        order = np.argsort(-np.abs(np.nan_to_num(kind_z, nan=0.0)), kind="stable")
        for rank, i in enumerate(order, start=1):
            if not abs(kind_z[i]) >= LEAD_Z:
                break
            baseline = ref.baselines[data.group_ids[data.group[i]]]
            value = float(measures[kind][i])
            leads.append(
                _lead(
                    kind,
                    data.station_ids[i],
                    baseline,
                    value=value,
                    z=float(kind_z[i]),
                    ranked=(rank, known),
                )
            )
    leads.sort(key=lambda f: -abs(f.score or 0.0))
    flags.extend(leads)
    flags.extend(warning_flags(data))
    flags.extend(correction_flags(data))
    return test, flags


def _one_of(count: int) -> str:
    return "the only station" if count == 1 else f"one of {count:,} stations"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"
