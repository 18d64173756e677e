"""The demo's election night of 2023 (``saylau demo``), measured without its screen.

Plays the whole night (10,223 stations) on a temporary SQLite store (or ``--database``), with
``--portal`` rebuilding the portal's data as the command does (the HTTP server is left out),
and reports where the time goes: setting up, typing through the service (actions per second),
storing the protocols arriving as files (protocols per second), certifying, and how far the
night ran past its nominal length. ``--minutes 0`` plays it as fast as the machine goes.

    .venv/bin/python benchmarks/demo_night.py [--minutes 2.5] [--stations-entered-twice 200]
        [--portal] [--database URL]
"""

from __future__ import annotations

import argparse
import threading
import time

from saylau.services.demo_night import DemoNight
from saylau.services.demo_plan import NightOptions, plan_night
from saylau.services.elections import ensure_shipped
from saylau.services.live_portal import LivePortal
from saylau.services.portal import NATIONAL_LIST
from saylau.services.results import contest_results
from saylau.store.db import Store, open_store
from saylau.store.testing import temporary_store

OFFICIAL_SEATS = {
    "amanat": 40,
    "auyl": 8,
    "respublica": 6,
    "ak-zhol": 6,
    "qhp": 5,
    "jsdp": 4,
    "baytaq": 0,
}


def measure(store: Store, options: NightOptions, portal: bool) -> None:
    began = time.perf_counter()
    election, _ = ensure_shipped(store, "kz-2023")
    defined = time.perf_counter()
    plan = plan_night(election, options)
    planned = time.perf_counter()
    live = LivePortal(store, election.id) if portal else None
    night = DemoNight(
        store, plan, seconds=options.seconds, on_change=live.changed if live else None
    )
    night.prepare("a benchmark password")
    prepared = time.perf_counter()
    if live is not None:
        live.start()
    progress = night.run(threading.Event())
    ended = time.perf_counter()
    if live is not None:
        live.stop()
    (result,) = contest_results(store, election, [NATIONAL_LIST])
    seats = dict(result.allocation.seats) if result.allocation is not None else {}
    p = progress
    print(f"definition stored          {defined - began:8.1f} s")
    print(f"night planned (generated)  {planned - defined:8.1f} s")
    print(f"people and roles           {prepared - planned:8.1f} s")
    print(
        f"night                      {ended - prepared:8.1f} s "
        f"(nominal {options.seconds:.0f} s; certification {p.certify_seconds:.1f} s)"
    )
    print(
        f"typed twice                {p.entered_twice:8,} protocols of {p.entry_stations:,} "
        f"stations, {p.service_actions:,} service actions in {p.entry_seconds:.1f} s "
        f"({p.service_actions / max(p.entry_seconds, 1e-9):.0f} actions/s)"
    )
    files = p.files_stored + p.late_stored
    print(
        f"arrived as files           {files:8,} protocols in {p.file_seconds:.1f} s "
        f"({files / max(p.file_seconds, 1e-9):.0f} protocols/s)"
    )
    print(
        f"findings and corrections   {p.differences_resolved} differences resolved, "
        f"{p.warnings_acknowledged} warnings acknowledged, {p.corrections} corrections, "
        f"{p.late_stored} late files; {p.summaries_signed} summaries signed"
    )
    print(f"ledger events              {p.ledger_events:8,}; status {p.status.value}")
    if live is not None:
        print(f"portal rebuilds            {live.builds:8,} (last took {live.build_seconds:.1f} s)")
    same = seats == OFFICIAL_SEATS
    print(f"official 2023 seats        {'reproduced' if same else 'NOT reproduced'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2.5)
    parser.add_argument("--stations-entered-twice", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--portal", action="store_true", help="rebuild the portal's data too")
    parser.add_argument("--database", help="a database URL (default: temporary SQLite)")
    args = parser.parse_args()
    options = NightOptions(
        seconds=args.minutes * 60, entered_twice=args.stations_entered_twice, seed=args.seed
    )
    if args.database:
        with open_store(args.database) as store:
            store.migrate()
            measure(store, options, args.portal)
    else:
        with temporary_store() as store:
            measure(store, options, args.portal)


if __name__ == "__main__":
    main()
