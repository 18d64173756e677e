"""Sustained protocol submissions over HTTP on loopback, against ``saylau serve`` on
PostgreSQL: keep-alive clients, each typing protocols the way the double entry goes (a
typist submits the first entry, a second typist submits the same values, and the protocol
is accepted). Validation, the ledger (an event per action, signed) and the projections are
all included. By default a submission claims the unclaimed entry itself; with ``--claims``
each typist first claims the entry, as the entry form does (twice the requests).

    .venv/bin/python benchmarks/submit_http.py [--server URL] [--workers 2] [--clients 8]
        [--stations 3000] [--seconds 20] [--claims] [--client python|wrk]

The clients are Python threads in this process (``--client python``, the default), or wrk
(``--client wrk``, Debian's package ``wrk``) typing the same double entry with
benchmarks/submit_wrk.lua, one connection per wrk thread: a client written in C, which
leaves more of the two cores to the server and the database (per write, the Python threads
take about a fifth of the server's processor time, wrk about a fifteenth). The claim-first
flow is typed by the Python client only. A client that has typed all its stations starts
again from its first (and gets 409 answers): give enough ``--stations`` for the run, as the
script warns.

The obvious alternative, timed after the service in the same run: the same number of
clients (threads with a psycopg connection each) writing each submission's values straight
into PostgreSQL as one transaction of its own (an insert of the JSON and a commit), with no
HTTP, no validation, no ledger and no signature: what the database takes for one durable
transaction per submission, the way a plain service without group commit would write. The
ratio of the service's rate to it is printed.

``--server`` is a PostgreSQL server (default: the local one); a fresh database is made on it
and dropped afterwards. Prints requests per second (every write), protocol submissions per
second (the ``entries`` requests), protocols accepted per second, p50/p99 latency, the
processor time the server's processes and the database's backends took per write request
(from ``/proc``: figures that depend less on what else the machine runs than the rates do),
and the load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "api"))

import psycopg  # noqa: E402
from api_helpers import PASSWORD, values, wide_definition  # noqa: E402
from server_process import Server, free_port  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from saylau.core.election import parse_election  # noqa: E402
from saylau.core.roles import Assignment, Role  # noqa: E402
from saylau.services.accounts import change_role, create_user, sign_in  # noqa: E402
from saylau.store.models import ProtocolEntryRecord  # noqa: E402
from saylau.store.repository import save_election  # noqa: E402
from saylau.store.testing import TEST_URL_VARIABLE, temporary_store  # noqa: E402

ELECTION = "load-2024"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(group: int | None = None, database: str | None = None) -> float:
    """Processor seconds (user + system) of the processes of process group ``group`` (the
    server and its workers) or of the PostgreSQL backends connected to ``database``."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if (group is not None and int(fields[2]) == group) or (
            database is not None and command.startswith("postgres:") and f" {database} " in command
        ):
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


class Typist(threading.Thread):
    def __init__(
        self, port: int, tokens: tuple[str, str], stations: list[str], stop: float, claims: bool
    ):
        super().__init__()
        self.claims = claims
        self.port, self.tokens, self.stations, self.stop_at = port, tokens, stations, stop
        self.latencies: list[float] = []
        self.entries = 0
        self.accepted = 0
        self.errors = 0

    def _post(
        self, connection: http.client.HTTPConnection, token: str, url: str, body: object
    ) -> dict:
        data = json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        start = time.perf_counter()
        connection.request("POST", url, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.latencies.append(time.perf_counter() - start)
        if response.status != 200:
            self.errors += 1
            raise RuntimeError(f"{url}: {response.status} {payload[:200]!r}")
        return json.loads(payload)

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        body = values()
        for station in self.stations:
            if time.perf_counter() >= self.stop_at:
                break
            url = f"/api/elections/{ELECTION}/protocols/{station}/list"
            version = 0
            for token in self.tokens:
                if self.claims:  # the browser form's way: claim, then submit
                    self._post(connection, token, f"{url}/claim", {"version": version})
                    version += 1
                entry = {"version": version, **body}
                answer = self._post(connection, token, f"{url}/entries", entry)
                self.entries += 1
                version = answer["version"]
            self.accepted += answer["stage"] == "accepted"
        connection.close()


class Run(NamedTuple):
    """What a run of the clients did."""

    elapsed: float
    requests: int
    entries: int
    accepted: int
    errors: int
    p50: float
    p99: float


def client_seconds() -> float:
    """Processor seconds of this process (the Python clients) and its ended children (wrk)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def python_clients(port: int, tokens: list[str], stations: list[str], args: Any) -> Run:
    start = time.perf_counter()
    typists = [
        Typist(port, (tokens[2 * n], tokens[2 * n + 1]), stations[n :: args.clients],
               start + args.seconds, args.claims)
        for n in range(args.clients)
    ]  # fmt: skip
    for typist in typists:
        typist.start()
    for typist in typists:
        typist.join()
    elapsed = time.perf_counter() - start
    latencies = sorted(x for t in typists for x in t.latencies)
    return Run(
        elapsed,
        len(latencies),
        sum(t.entries for t in typists),
        sum(t.accepted for t in typists),
        sum(t.errors for t in typists),
        statistics.median(latencies) * 1000,
        latencies[int(0.99 * (len(latencies) - 1))] * 1000,
    )


def wrk_clients(port: int, tokens: list[str], args: Any) -> Run:
    if args.claims:
        sys.exit("--claims is typed by the Python client only")
    body = json.dumps(values())
    with tempfile.NamedTemporaryFile("w", suffix=".plan") as plan:
        lines = [ELECTION, str(args.stations), str(args.clients), body[1:]]
        lines += [f"{tokens[2 * n]} {tokens[2 * n + 1]}" for n in range(args.clients)]
        plan.write("\n".join(lines) + "\n")
        plan.flush()
        command = [
            "wrk", "-t", str(args.clients), "-c", str(args.clients),
            "-d", f"{args.seconds:g}s", "--timeout", "60s",
            "-s", str(HERE / "submit_wrk.lua"), f"http://127.0.0.1:{port}", "--", plan.name,
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = next(line for line in output.splitlines() if line.startswith("RESULT "))
    fields = result.split()[1:]
    requests, duration, entries, accepted, failed, exhausted = map(int, fields[:6])
    p50, p99 = float(fields[6]), float(fields[7])
    if exhausted:
        print(f"warning: {exhausted} clients ran out of stations (use more --stations)")
    return Run(duration / 1e6, requests, entries, accepted, failed + int(fields[8]), p50, p99)


def bare_commits(url: str, clients: int, seconds: float) -> float:
    """Submissions per second written straight into PostgreSQL by ``clients`` threads, one
    transaction each (see the module's description)."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    body = json.dumps(values())
    with psycopg.connect(conninfo, autocommit=True) as setup:
        setup.execute(
            "CREATE TABLE bare_submissions (station text, version integer, body jsonb, "
            "PRIMARY KEY (station, version))"
        )
    counts = [0] * clients

    def typist(n: int, stop_at: float) -> None:
        with psycopg.connect(conninfo) as connection:
            while time.perf_counter() < stop_at:
                for version in (1, 2):
                    connection.execute(
                        "INSERT INTO bare_submissions VALUES (%s, %s, %s)",
                        (f"c{n}-{counts[n]}", version, body),
                    )
                    connection.commit()
                counts[n] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=typist, args=(n, start + seconds)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 2 * sum(counts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--claims",
        action="store_true",
        help="claim each entry before submitting it (the entry form's way; without it a "
        "submission claims the unclaimed entry itself)",
    )
    parser.add_argument("--client", choices=("python", "wrk"), default="python")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    os.environ[TEST_URL_VARIABLE] = args.server
    print(f"setting up: {args.stations} stations, {2 * args.clients} typists")
    with temporary_store() as store:
        definition = wide_definition(args.stations, ELECTION)
        with store.session() as session:
            save_election(session, parse_election(definition, "load"), json.dumps(definition))
        tokens = []
        for n in range(args.clients * 2):
            login = f"typist-{n}"
            create_user(store, login, login, PASSWORD)
            change_role(store, Assignment(login, ELECTION, "cec", Role.TYPIST), grant=True)
            tokens.append(sign_in(store, login, PASSWORD, "bench", kind="token").secret)
        url = store.engine.url.render_as_string(hide_password=False)
        server = Server(url, free_port(), workers=args.workers)
        server.start()
        print(f"{args.client} clients typing for {args.seconds:g} s")
        stations = [f"s{n:04d}" for n in range(args.stations)]
        try:
            assert server.process is not None
            group, database = server.process.pid, store.engine.url.database
            cpu_before = cpu_seconds(group=group), cpu_seconds(database=database)
            client_before = client_seconds()
            if args.client == "wrk":
                run = wrk_clients(server.port, tokens, args)
            else:
                run = python_clients(server.port, tokens, stations, args)
            cpu_after = cpu_seconds(group=group), cpu_seconds(database=database)
            client_cpu = client_seconds() - client_before
        finally:
            server.stop()
        print(f"bare commits for {args.seconds:g} s")
        bare = bare_commits(url, args.clients, args.seconds)
        with store.session() as session:
            stored = session.scalar(
                select(func.count())
                .select_from(ProtocolEntryRecord)
                .where(ProtocolEntryRecord.stage == "accepted")
            )
    requests = run.requests
    flow = "claim, then submit" if args.claims else "submissions without a claim"
    elapsed = run.elapsed
    print(f"{args.client} client, workers {args.workers}, clients {args.clients}, {flow}, "
          f"{elapsed:.1f} s")  # fmt: skip
    print(f"write requests:        {requests:7d}  {requests / elapsed:8.1f} /s")
    print(f"protocol submissions:  {run.entries:7d}  {run.entries / elapsed:8.1f} /s")
    print(f"protocols accepted:    {run.accepted:7d}  {run.accepted / elapsed:8.1f} /s")
    print(f"latency p50 {run.p50:.1f} ms, p99 {run.p99:.1f} ms; errors {run.errors}")
    print(f"accepted protocols in the store: {stored} (the clients counted {run.accepted})")
    server_ms, database_ms = (
        (a - b) / requests * 1000 for a, b in zip(cpu_after, cpu_before, strict=True)
    )
    print(
        f"processor time per write: server {server_ms:.2f} ms, PostgreSQL {database_ms:.2f} ms, "
        f"client {client_cpu / requests * 1000:.2f} ms"
    )
    print(
        f"bare commits, one per submission ({args.clients} clients, psycopg, no HTTP): "
        f"{bare:8.1f} /s; the service's submissions / bare commits: "
        f"{run.entries / elapsed / bare:.2f}"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
