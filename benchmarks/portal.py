"""The public portal under load, and the static site of a whole election night.

1. Builds the portal's data from a store holding a generated night (``--database URL``;
   without it, the 2023 night is generated into a temporary SQLite store first).
2. Serves the portal router with uvicorn on loopback, ``--workers`` processes forked after
   the data is loaded, sharing one listening socket, and measures requests per second with
   ``wrk`` (Debian's package) for the national page and a station page, after a warm-up
   that fills each worker's page cache. The load client runs on the same machine.
3. Builds the static site of every page (3 languages, 10,223 stations) and every data file
   with ``--site-workers`` processes into a temporary folder, and reports its time.

    .venv/bin/python benchmarks/portal.py [--database URL] [--seconds 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from saylau.elections.generate import ErrorOptions
from saylau.services.night import generate_night
from saylau.services.portal import PortalData, portal_data
from saylau.store.db import open_store
from saylau.store.testing import temporary_store
from saylau.web.router import portal_router
from saylau.web.site import build_site


def load(database: str | None) -> PortalData:
    start = time.perf_counter()
    if database:
        with open_store(database) as store:
            data = portal_data(store)
    else:
        with temporary_store() as store:
            errors = ErrorOptions(arithmetic_errors=20, missing_stations=300, late_corrections=10)
            generate_night(store, "kz-2023", seed=2023, errors=errors)
            data = portal_data(store)
    print(f"portal data loaded in {time.perf_counter() - start:.1f} s")
    return data


def serve_forever(app: FastAPI, listener: socket.socket, http: str) -> None:
    config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False, http=http)
    uvicorn.Server(config).run(sockets=[listener])


@contextmanager
def served(data: PortalData, workers: int, http: str = "auto") -> Iterator[str]:
    """The portal in ``workers`` forked processes on one loopback socket."""
    app = FastAPI()
    app.include_router(portal_router(data))
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on such sockets, and
    # without it every response waits for the client's delayed ACK (about 40 ms).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                serve_forever(app, listener, http)
            finally:
                os._exit(0)
        children.append(pid)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/en/", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        for pid in children:
            os.kill(pid, signal.SIGTERM)
        for pid in children:
            os.waitpid(pid, 0)
        listener.close()


def wrk(url: str, seconds: int, connections: int) -> tuple[float, str]:
    """Requests per second and wrk's latency line."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    note = f"latency avg {latency[1]}, max {latency[3]}" if latency else ""
    if errors:
        note += f", {errors[1]} non-2xx responses"
    return rate, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="store with a generated night (default: generate)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--http", default="auto", help="uvicorn's HTTP parser: auto, h11")
    parser.add_argument("--site-workers", type=int, default=2)
    parser.add_argument("--skip-site", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    data = load(args.database)
    station = next(iter(data.protocols))
    if not args.skip_http:
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed: apt-get install wrk")
        with served(data, args.workers, args.http) as base:
            for name, path in (
                ("national page", "/en/"),
                ("station page", f"/ru/station/{station}/"),
            ):
                wrk(base + path, 2, args.connections)  # warm-up: every worker renders once
                rate, note = wrk(base + path, args.seconds, args.connections)
                size = len(httpx.get(base + path).content)
                print(f"{name} ({path}, {size:,} bytes): {rate:,.0f} requests/s; {note}")
    if not args.skip_site:
        with tempfile.TemporaryDirectory(prefix="saylau-site-") as folder:
            out = Path(folder) / "site"
            report = build_site(data, out, workers=args.site_workers)
            print(
                f"static site: {report.pages:,} pages, {report.data_files:,} data files, "
                f"{report.files:,} files, {report.bytes / 1e6:,.0f} MB in {report.seconds:.1f} s"
            )


if __name__ == "__main__":
    main()
