"""Election forensics of 100,000 polling stations: the whole screening (fingerprint,
integer percentages with a 1,000-replicate Monte Carlo null, second digits of every choice,
the joint-tail test and the station flags) and its figures, next to the obvious way of
drawing the Monte Carlo null (the binomial counts themselves, with NumPy).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/forensics.py
    .venv/bin/python benchmarks/forensics.py path/to/russia-duma-2016.csv.zip

The 100,000 stations are synthetic and seeded (2,500 commissions of 40, 8 choices, binomial
counts). With the Russian precinct file (the argument or ``SAYLAU_RUSSIA_ZIP``; never part of
saylau, see the project's reference data) the file is also imported into a temporary SQLite
store and ``contest_forensics`` runs on it end to end, printing the figures written in
docs/methods/forensics.md. Target: the whole screening of 100,000 stations under 30 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from saylau.forensics import StationData, analyse, report_data, report_figures
from saylau.forensics.integers import at_whole_percent
from saylau.services.forensics import contest_forensics
from saylau.services.imports import import_file
from saylau.store.db import open_store

MAPPING = Path(__file__).parents[1] / "examples" / "mappings" / "russia-duma-2016.toml"
ENVIRONMENT = "SAYLAU_RUSSIA_ZIP"
STATIONS = 100_000
REPLICATES = 1000
SEED = 2016


def synthetic(count: int, seed: int) -> StationData:
    rng = np.random.default_rng(seed)
    groups = np.arange(count) // 40
    g = int(groups.max()) + 1
    voters = rng.integers(150, 3000, count)

    def expit(x: np.ndarray) -> np.ndarray:
        result: np.ndarray = 1 / (1 + np.exp(-x))
        return result

    turnout = expit(rng.normal(0.2, 0.4, g)[groups] + rng.normal(0, 0.25, count))
    ballots = rng.binomial(voters, turnout)
    shares = rng.dirichlet(np.array([8.0, 4, 3, 2, 1, 1, 0.5, 0.5]), count)
    votes = np.array([rng.multinomial(b, p) for b, p in zip(ballots, shares, strict=True)])
    return StationData(
        station_ids=tuple(f"s{i:06d}" for i in range(count)),
        group_ids=tuple(f"c{j:04d}" for j in range(g)),
        group=groups.astype(np.int64),
        voters=voters.astype(np.int64),
        ballots=ballots.astype(np.int64),
        found=ballots.astype(np.int64),
        votes=votes.astype(np.int64),
        choice_ids=tuple(f"party-{k}" for k in range(8)),
    )


def binomial_null(data: StationData, replicates: int, seed: int) -> tuple[float, float]:
    """The obvious Monte Carlo: draw every station's turnout count from its binomial and
    count whole percents; returns the seconds and the mean count."""
    rng = np.random.default_rng(seed)
    use = data.voters >= 100
    n, p = data.voters[use], data.ballots[use] / data.voters[use]
    start = time.perf_counter()
    counts = [int(at_whole_percent(rng.binomial(n, p), n).sum()) for _ in range(replicates)]
    return time.perf_counter() - start, float(np.mean(counts))


def russia(archive: Path) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="saylau-bench-") as directory,
        open_store(f"sqlite:///{Path(directory) / 'saylau.db'}") as store,
    ):
        store.migrate()
        import_file(store, archive, MAPPING)
        start = time.perf_counter()
        page = contest_forensics(store, seed=SEED, replicates=REPLICATES)
        seconds = time.perf_counter() - start
    report = page.report
    print(f"\nRussia 2016, duma-list: {report.stations:,} stations, leader {report.leader}")
    print(f"contest_forensics (read from the store, screen, figures): {seconds:.2f} s")
    for test in report.integers.tests:
        print(
            f"  whole percents, {test.quantity}: {test.observed:,} of {test.stations:,}; "
            f"null {test.mc_mean:,.1f} ± {test.mc_sd:,.1f} (exact mean {test.expected:,.1f}); "
            f"excess {test.excess:+,.1f} (z {test.z:.1f}); p {test.p_value:.4f}"
        )
    fp = report.fingerprint
    print(
        f"  fingerprint: corner (both >= {fp.corner:.0%}) {fp.corner_stations:.2%} of stations, "
        f"{fp.corner_votes:.2%} of the leader's votes; correlation {fp.correlation:.3f}; "
        f"mean turnout {fp.mean_turnout:.2%}, mean share {fp.mean_share:.2%}"
    )
    joint = report.joint
    print(
        f"  turnout and share both in the top {joint.tail:.0%}: {joint.observed:,} stations, "
        f"{joint.expected:.1f} expected; p {joint.p_value:.3g}"
    )
    commissions = [t for t in report.tests if t.name.startswith("integer percentages under")]
    print(f"  commissions with significant whole-percent excess: {len(commissions):,}")
    for test in report.benford:
        print(
            f"  2BL {test.choice}: chi2 {test.chi2:.1f}, p {test.p_value:.3g}, MAD {test.mad:.4f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zip", nargs="?", default=os.environ.get(ENVIRONMENT))
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}"
    )
    data = synthetic(STATIONS, SEED)
    times = []
    for _ in range(arguments.runs):
        start = time.perf_counter()
        report = analyse(data, seed=SEED, replicates=REPLICATES)
        report_data(report)
        report_figures(report)
        times.append(time.perf_counter() - start)
    print(
        f"whole screening of {STATIONS:,} stations with {REPLICATES:,} replicates: "
        f"best {min(times):.2f} s, runs {', '.join(f'{t:.2f}' for t in times)} "
        "(target: under 30 s)"
    )
    test = report.integers.turnout
    print(
        f"  turnout at a whole percent: {test.observed:,}; null {test.mc_mean:,.1f} ± "
        f"{test.mc_sd:,.1f}; p {test.p_value:.3f}; significant tests: {len(report.significant)}"
    )
    sample = 100
    seconds, mean = binomial_null(data, sample, SEED)
    print(
        f"obvious null (binomial counts drawn, turnout only): {seconds:.2f} s for {sample} "
        f"replicates, so about {seconds * REPLICATES / sample:.0f} s for {REPLICATES:,}; "
        f"its mean {mean:,.1f} against saylau's {test.mc_mean:,.1f}"
    )
    if arguments.zip:
        russia(Path(arguments.zip))
    else:
        print(f"(Give the Russian precinct file as the argument or in ${ENVIRONMENT} for more.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
