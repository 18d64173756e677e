"""Import the real precinct protocols of the 2016 Russian State Duma party-list election end
to end: parse, validate, store, tally and seats, with the mapping
examples/mappings/russia-duma-2016.toml.

The file (96,871 polling stations, 14 party lists, Russian column names) is not part of
saylau and must never be committed: it has no licence (see the project's reference data).
Give its path as the argument or in ``SAYLAU_RUSSIA_ZIP``:

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/import_russia.py path/to/russia-duma-2016.csv.zip
    .venv/bin/python benchmarks/import_russia.py ZIP --database postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The store is a fresh SQLite file in a temporary directory, or (``--database`` with a
PostgreSQL server URL) a fresh database on that server, dropped afterwards. The national
totals must be the official ones (United Russia 28,527,828) and the 225 list seats 140 / 35 /
34 / 16; the script exits 1 otherwise. The baseline is DuckDB summing the same columns with
read_csv directly on the extracted CSV (extraction not timed).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from saylau.core.allocation import ListResult
from saylau.core.protocol import Line
from saylau.ingest.mapping import load_mapping
from saylau.services.imports import ImportReport, import_file
from saylau.services.results import contest_results
from saylau.store.db import Store, open_store
from saylau.store.repository import load_election
from saylau.store.testing import TEST_URL_VARIABLE, temporary_store

MAPPING = Path(__file__).parents[1] / "examples" / "mappings" / "russia-duma-2016.toml"
OFFICIAL_VOTES = {
    "united-russia": 28_527_828,
    "kprf": 7_019_752,
    "ldpr": 6_917_063,
    "just-russia": 3_275_053,
}
OFFICIAL_SEATS = {"united-russia": 140, "kprf": 35, "ldpr": 34, "just-russia": 16}
ENVIRONMENT = "SAYLAU_RUSSIA_ZIP"


@contextmanager
def fresh_store(server_url: str | None) -> Iterator[Store]:
    if server_url:
        os.environ[TEST_URL_VARIABLE] = server_url
        with temporary_store() as store:
            yield store
        return
    with (
        tempfile.TemporaryDirectory(prefix="saylau-bench-") as directory,
        open_store(f"sqlite:///{Path(directory) / 'saylau.db'}") as store,
    ):
        store.migrate()
        yield store


def tally(
    store: Store, election_id: str
) -> tuple[float, dict[str, int], ListResult, dict[Line, int]]:
    start = time.perf_counter()
    with store.session() as session:
        election = load_election(session, election_id)
    [result] = contest_results(store, election, ["duma-list"])
    seconds = time.perf_counter() - start
    assert isinstance(result.allocation, ListResult)
    root = result.tally.tree.commission_ids[result.tally.total_row()]
    lines = {line: result.tally.line_at(root, line) for line in (Line.VALID, Line.INVALID)}
    return seconds, result.tally.votes_at(root), result.allocation, lines


def duckdb_totals(archive: Path) -> tuple[float, dict[str, int]]:
    """The same party totals from DuckDB's read_csv on the extracted file."""
    mapping = load_mapping(MAPPING)
    with zipfile.ZipFile(archive) as packed, tempfile.TemporaryDirectory() as directory:
        [member] = [n for n in packed.namelist() if n.endswith(".csv")]
        path = packed.extract(member, directory)
        sums = ", ".join(
            f'sum("{str(c.column).replace(chr(34), chr(34) * 2)}")' for c in mapping.choices
        )
        connection = duckdb.connect()
        start = time.perf_counter()
        rows = connection.execute(
            f"SELECT {sums} FROM read_csv('{path}', header = true)"
        ).fetchall()
        seconds = time.perf_counter() - start
        connection.close()
    return seconds, {c.id: int(v) for c, v in zip(mapping.choices, rows[0], strict=True)}


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def processor_seconds() -> tuple[float, float]:
    """User and system time of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime


def phases(report: ImportReport) -> str:
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.seconds.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("zip", nargs="?", default=os.environ.get(ENVIRONMENT))
    parser.add_argument("--database", help="a PostgreSQL server URL (default: SQLite)")
    arguments = parser.parse_args()
    if not arguments.zip:
        print(f"Give the path of russia-duma-2016.csv.zip as the argument or in ${ENVIRONMENT}.")
        print("It is not part of saylau (no licence): see the project's reference data.")
        return 0
    archive = Path(arguments.zip)
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}; store: "
        + ("PostgreSQL" if arguments.database else "SQLite (temporary file)")
    )
    print(f"load average at the start: {load()}")
    with fresh_store(arguments.database) as store:
        before = processor_seconds()
        report = import_file(store, archive, MAPPING)
        used = [after - start for after, start in zip(processor_seconds(), before, strict=True)]
        tally_seconds, votes, allocation, lines = tally(store, report.election_id)
        again = import_file(store, archive, MAPPING)
    total = report.total_seconds + tally_seconds
    print(f"rows {report.rows_read:,}, rejected {report.rows_rejected}, stored {report.stored}")
    print(f"findings: {dict(report.findings)}")
    print(f"import: {phases(report)}")
    print(
        f"import processor time: {used[0]:.2f} s in this process, {used[1]:.2f} s in its "
        f"workers (controls, signatures), for {report.total_seconds:.2f} s elapsed; "
        f"{report.ledger_events:,} ledger events"
    )
    print(
        f"tally + seats (definition and protocols read back from the store): {tally_seconds:.2f} s"
    )
    print(f"end to end: {total:.2f} s (target: under 20 s)")
    print(f"re-import of the same file: {again.total_seconds:.2f} s, {again.stored}")
    print(f"valid {lines[Line.VALID]:,}, invalid {lines[Line.INVALID]:,}")
    for choice, count in sorted(votes.items(), key=lambda item: -item[1]):
        won = allocation.seats.get(choice, 0)
        print(f"  {choice:18} {count:>12,}  {won:>3} seats")
    baseline, duck = duckdb_totals(archive)
    print(f"DuckDB read_csv + sums on the extracted CSV: {baseline:.2f} s")
    print(f"ratio saylau end to end / DuckDB sums: {total / baseline:.1f}")
    seats = {choice: n for choice, n in allocation.seats.items() if n}
    checks = {
        "official votes": all(votes[k] == v for k, v in OFFICIAL_VOTES.items()),
        "official seats": seats == OFFICIAL_SEATS,
        "same totals as DuckDB": duck == votes,
        "re-import changed nothing": again.nothing_changed,
        "no row rejected": report.rows_rejected == 0,
    }
    for name, ok in checks.items():
        print(f"{name}: {'yes' if ok else 'NO'}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")
    print(f"load average at the end: {load()}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
