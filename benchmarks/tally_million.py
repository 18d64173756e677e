"""Tally 1,000,000 synthetic station protocols of one contest with 15 choices.

Tree: CEC -> 20 regions -> 200 territories -> 1,000,000 stations. saylau's tally (NumPy:
one grouped sum of the stations into their commissions, then the tree rolled up, with
progress counts) is timed next to DuckDB over the same in-memory data: one SQL
GROUP BY ROLLUP (region, territory) summing the same 15 vote columns and 9 protocol lines.
Both results are compared cell by cell. Peak memory of the process is reported.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/tally_million.py
"""

from __future__ import annotations

import platform
import resource
import time

import duckdb
import numpy as np
import pyarrow as pa

from saylau.core.election import parse_election
from saylau.core.protocol import Line
from saylau.tally import TreeIndex, tally_contest

STATIONS = 1_000_000
CHOICES = 15
REGIONS = 20
TERRITORIES = 200


def build_tree() -> TreeIndex:
    commissions: list[dict[str, object]] = [{"id": "cec", "level": "cec", "name": "CEC"}]
    commissions += [
        {"id": f"r{r}", "level": "region", "name": f"R{r}", "parent": "cec"} for r in range(REGIONS)
    ]
    commissions += [
        {"id": f"t{t}", "level": "territory", "name": f"T{t}", "parent": f"r{t % REGIONS}"}
        for t in range(TERRITORIES)
    ]
    rng = np.random.default_rng(1)
    voters = rng.integers(100, 3000, STATIONS)
    stations = [
        {"id": f"s{i}", "commission": f"t{i % TERRITORIES}", "voters": int(voters[i])}
        for i in range(STATIONS)
    ]
    document = {
        "format": "saylau-election/1",
        "id": "bench",
        "date": "2026-01-01",
        "title": "Benchmark",
        "ruleset": "kz-2023",
        "commissions": commissions,
        "stations": stations,
        "contests": [
            {
                "id": "list",
                "rule": "mazhilis-list",
                "title": "List",
                "commission": "cec",
                "seats": 100,
                "area": ["cec"],
                "choices": [{"id": f"p{i}", "name": f"P{i}"} for i in range(CHOICES)],
            }
        ],
    }
    return TreeIndex.of(parse_election(document, "bench"))


def main() -> None:
    start = time.perf_counter()
    tree = build_tree()
    setup = time.perf_counter() - start
    rng = np.random.default_rng(2)
    votes = np.asfortranarray(rng.integers(0, 200, (STATIONS, CHOICES), dtype=np.int64))
    lines = {line: rng.integers(0, 3000, STATIONS, dtype=np.int64) for line in Line}
    stations = np.arange(STATIONS, dtype=np.int64)
    choice_ids = [f"p{i}" for i in range(CHOICES)]
    print(
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"duckdb {duckdb.__version__}"
    )
    print(f"definition of 1,000,000 stations parsed and indexed once: {setup:.2f} s\n")

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        tally = tally_contest(tree, "list", choice_ids, stations, votes, lines=lines)
        best = min(best, time.perf_counter() - start)
    print(f"saylau tally (every commission, lines, progress):  {best:.3f} s")
    shuffled = rng.permutation(STATIONS)
    shuffled_votes = np.asfortranarray(votes[shuffled])
    shuffled_lines = {line: values[shuffled] for line, values in lines.items()}
    arrival = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        again = tally_contest(
            tree, "list", choice_ids, shuffled, shuffled_votes, lines=shuffled_lines
        )
        arrival = min(arrival, time.perf_counter() - start)
    assert (again.votes == tally.votes).all()
    print(f"  the same with protocols in random arrival order:  {arrival:.3f} s")

    territory = tree.station_parent
    region = tree.parent[territory]
    columns = {f"p{i}": votes[:, i] for i in range(CHOICES)}
    columns |= {line.value: values for line, values in lines.items()}
    columns |= {"territory": territory, "region": region}
    table = pa.table(columns)
    connection = duckdb.connect()
    connection.register("protocols", table)
    sums = ", ".join(
        f"sum({name})::BIGINT AS {name}" for name in columns if name not in ("territory", "region")
    )
    query = (
        f"SELECT region, territory, count(*) AS stations, {sums} FROM protocols "
        "GROUP BY ROLLUP (region, territory)"
    )
    duck_best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        rows = connection.execute(query).fetchnumpy()
        duck_best = min(duck_best, time.perf_counter() - start)
    print(f"DuckDB GROUP BY ROLLUP (same sums, same data):     {duck_best:.3f} s")
    print(
        f"ratio saylau / DuckDB: {best / duck_best:.2f} (index order), "
        f"{arrival / duck_best:.2f} (arrival order)"
    )

    # Same numbers, cell by cell.
    mismatches = 0
    for i in range(len(rows["stations"])):
        r, t = rows["region"][i], rows["territory"][i]
        row = (
            tally.total_row()
            if r is None or np.ma.is_masked(r)
            else (int(r) if t is None or np.ma.is_masked(t) else int(t))
        )
        got = [int(rows[f"p{c}"][i]) for c in range(CHOICES)]
        mismatches += got != [int(v) for v in tally.votes[row]]
        mismatches += int(rows["stations"][i]) != int(tally.stations_counted[row])
    print(f"groups compared: {len(rows['stations'])}, mismatches: {mismatches}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the whole run: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
