"""The whole screening of one contest (or of the stations under one commission): the
fingerprint, the integer-percentage tests, the second-digit tests, the joint-tail test and
the station flags, as one :class:`ForensicsReport`; :func:`report_data` gives it as plain
JSON-ready data.

**Levels.** Every test is judged at ``level`` (default 1 %) with a Bonferroni correction
inside its family: the three integer-percentage tests share it, the second-digit tests share
it over the choices tested, the commissions' integer excesses over the commissions. The
joint-tail test stands alone."""

from __future__ import annotations

from dataclasses import dataclass

from saylau.forensics.benford import NONCONFORMITY, BenfordTest, second_digit_test
from saylau.forensics.data import StationData
from saylau.forensics.fingerprint import Fingerprint, fingerprint
from saylau.forensics.integers import IntegerScreen, integer_screen
from saylau.forensics.outliers import LEVEL, JointTest, StationFlag, station_flags

REPLICATES = 1000
COMMISSION_TEST = "integer percentages under "
"""The name of a commission's integer test starts so."""

Plain = None | bool | int | float | str | list["Plain"] | dict[str, "Plain"]
"""JSON-ready data (floats included: these are statistics, not votes)."""


@dataclass(frozen=True)
class ScreenResult:
    """One test, in words and numbers: what was measured, against what null, the
    statistic, its p-value and the level it was judged at; significant when the p-value is
    below the level (and, for the second digits, the deviation above Nigrini's bound)."""

    name: str
    measured: str
    null: str
    statistic: str
    p_value: float
    level: float
    significant: bool


@dataclass(frozen=True)
class ForensicsReport:
    label: str
    stations: int
    leader: str
    level: float
    seed: int
    replicates: int
    fingerprint: Fingerprint
    integers: IntegerScreen
    benford: tuple[BenfordTest, ...]
    joint: JointTest
    flags: tuple[StationFlag, ...]
    tests: tuple[ScreenResult, ...]

    @property
    def significant(self) -> tuple[ScreenResult, ...]:
        return tuple(t for t in self.tests if t.significant)


def analyse(
    data: StationData,
    *,
    label: str = "",
    seed: int = 0,
    replicates: int = REPLICATES,
    level: float = LEVEL,
) -> ForensicsReport:
    """Screen the stations of ``data``; seeded, so the same input gives the same report."""
    if not 0 < level < 1:
        raise ValueError(f"the level must be between 0 and 1, found {level}")
    integers = integer_screen(data, replicates=replicates, seed=seed)
    benford = tuple(
        test
        for j, choice in enumerate(data.choice_ids)
        if (test := second_digit_test(choice, data.votes[:, j])) is not None
    )
    joint, flags = station_flags(data, level=level)
    leader = data.choice_ids[data.leader]
    tests = [
        ScreenResult(
            name=f"integer percentages: {test.quantity}",
            measured=(
                f"{test.observed:,} of {test.stations:,} stations with "
                + (
                    "turnout or the leader's result"
                    if test.quantity == "either"
                    else "turnout"
                    if test.quantity == "turnout"
                    else "the leader's result"
                )
                + " at a whole percent"
            ),
            null=(
                "each station's count drawn again from a binomial with its own size and rate "
                f"({test.replicates:,} Monte Carlo replicates, seed {test.seed})"
            ),
            statistic=(
                f"excess {test.excess:+,.1f} over {test.mc_mean:,.1f} ± {test.mc_sd:,.1f} "
                f"(z = {test.z:.1f})"
            ),
            p_value=test.p_value,
            level=level / 3,
            significant=test.p_value < level / 3,
        )
        for test in integers.tests
    ]
    tests.append(
        ScreenResult(
            name="turnout and leader's share both high",
            measured=(
                f"{joint.observed:,} station{'' if joint.observed == 1 else 's'} in the top "
                f"{joint.tail:.0%} of {joint.stations:,} "
                "for both turnout and leader's share, each against its commission"
            ),
            null="the two rankings independent (hypergeometric)",
            statistic=f"{joint.observed:,} where {joint.expected:.1f} expected",
            p_value=joint.p_value,
            level=level,
            significant=joint.p_value < level,
        )
    )
    tests.extend(
        ScreenResult(
            name=f"second digits (2BL): {test.choice}",
            measured=f"second digits of {test.counts:,} station counts of {test.choice}",
            null=(
                "Benford's law (flagged only with a mean absolute deviation above "
                f"{NONCONFORMITY} as well)"
            ),
            statistic=f"chi-square {test.chi2:.1f} (9 df), MAD {test.mad:.4f}",
            p_value=test.p_value,
            level=level / len(benford),
            significant=test.flagged(level / len(benford)),
        )
        for test in benford
    )
    groups = integers.groups
    tests.extend(
        ScreenResult(
            name=f"{COMMISSION_TEST}{group.group}",
            measured=(
                f"{group.observed:,} of {group.stations:,} stations with turnout or the "
                "leader's result at a whole percent"
            ),
            null="the same binomial null, its exact mean and variance",
            statistic=f"{group.expected:.1f} expected, z = {group.z:.1f}",
            p_value=group.p_value,
            level=level / len(groups),
            significant=True,
        )
        for group in groups
        if group.p_value < level / len(groups)
    )
    return ForensicsReport(
        label=label,
        stations=len(data),
        leader=leader,
        level=level,
        seed=seed,
        replicates=replicates,
        fingerprint=fingerprint(data),
        integers=integers,
        benford=benford,
        joint=joint,
        flags=tuple(flags),
        tests=tuple(tests),
    )


def report_data(report: ForensicsReport, *, flags: int | None = None) -> dict[str, Plain]:
    """The report as plain data (numbers, strings, lists); at most ``flags`` station flags."""
    fp = report.fingerprint
    shown = report.flags if flags is None else report.flags[:flags]
    return {
        "label": report.label,
        "stations": report.stations,
        "leader": report.leader,
        "level": report.level,
        "seed": report.seed,
        "replicates": report.replicates,
        "significant": [t.name for t in report.significant],
        "tests": [
            {
                "name": t.name,
                "measured": t.measured,
                "null": t.null,
                "statistic": t.statistic,
                "p_value": t.p_value,
                "level": t.level,
                "significant": t.significant,
            }
            for t in report.tests
        ],
        "fingerprint": {
            "bins": fp.bins,
            "stations": fp.stations,
            "counts": [[int(n) for n in row] for row in fp.counts],
            "corner": fp.corner,
            "corner_stations": fp.corner_stations,
            "corner_votes": fp.corner_votes,
            "correlation": fp.correlation,
            "mean_turnout": fp.mean_turnout,
            "mean_share": fp.mean_share,
            "turnout_peaks": [int(n) for n in fp.turnout_peaks],
            "share_peaks": [int(n) for n in fp.share_peaks],
        },
        "integers": {
            test.quantity: {
                "stations": test.stations,
                "observed": test.observed,
                "expected": test.expected,
                "mc_mean": test.mc_mean,
                "mc_sd": test.mc_sd,
                "excess": test.excess,
                "z": test.z,
                "p_value": test.p_value,
            }
            for test in report.integers.tests
        },
        "benford": [
            {
                "choice": b.choice,
                "counts": b.counts,
                "observed": list(b.observed),
                "expected": list(b.expected),
                "chi2": b.chi2,
                "p_value": b.p_value,
                "mad": b.mad,
            }
            for b in report.benford
        ],
        "flags_total": len(report.flags),
        "flags": [
            {
                "station": f.station,
                "commission": f.commission,
                "kind": f.kind,
                "measured": f.measured,
                "null": f.null,
                "surprise": f.surprise,
                "score": f.score,
                "p_value": f.p_value,
                "significant": f.significant,
            }
            for f in shown
        ],
    }
