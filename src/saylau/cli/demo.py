"""``saylau demo``: the 2023 election night, accelerated, with the portal updating live.

The store is SQLite in a new temporary folder (removed at the end) unless ``--database`` names
one. The commission service and the public portal are served by uvicorn from a background
thread; the night plays in another (:mod:`saylau.services.demo_night`); this thread shows
the progress. Ctrl-C (SIGINT) or SIGTERM stops everything cleanly: exit code 130 or 143 if
the night had not finished, 0 if it had (the portal was serving the certified results).
See docs/demo.md.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from saylau.api.app import create_app
from saylau.cli.demo_screen import counts_line, show_progress
from saylau.cli.demo_signals import (
    code_of,
    ignore_signals,
    name_of,
    on_sigterm,
    restore_sigterm,
)
from saylau.cli.exit_codes import UsageError, fail_with
from saylau.cli.render import render
from saylau.cli.store_option import opened
from saylau.core.allocation import ListResult, allocate_list
from saylau.core.rules import ListRule
from saylau.core.ties import TiePolicy
from saylau.ingest.votes_csv import read_votes
from saylau.rulesets import load_ruleset
from saylau.services.demo_night import DemoNight
from saylau.services.demo_plan import ADMIN, COORDINATOR, TYPISTS, NightOptions, plan_night
from saylau.services.elections import ensure_shipped
from saylau.services.live_portal import LivePortal
from saylau.services.portal import NATIONAL_LIST
from saylau.services.results import contest_results
from saylau.store.db import Store, shown_url
from saylau.web.router import portal_router

ELECTION = "kz-2023"
NOT_REPRODUCED = 1
"""Exit code when the night's seats differ from the official ones (a bug)."""

# Official list seats (CEC, 27 March 2023), by party id.
OFFICIAL_2023_SEATS = {
    "amanat": 40,
    "auyl": 8,
    "respublica": 6,
    "ak-zhol": 6,
    "qhp": 5,
    "jsdp": 4,
    "baytaq": 0,
}
OFFICIAL_LINE = (
    "Official result: AMANAT 40, Auyl 8, Respublica 6, Ak Zhol 6, QHP 5, JSDP 4, Baytaq 0"
)
SOURCE = "https://www.election.gov.kz/eng/news/releases/index.php?ID=8937"


def demo_command(
    minutes: Annotated[
        float,
        typer.Option(
            min=0, max=600, help="Length of the night in minutes (0: as fast as possible)."
        ),
    ] = 2.5,
    stations_entered_twice: Annotated[
        int,
        typer.Option(
            min=0,
            max=10223,
            help="Stations whose protocols two typists enter through the service (whole "
            "territorial commissions); the others arrive as signed files.",
        ),
    ] = 200,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the generated night.")] = 2023,
    host: Annotated[str, typer.Option(help="Address of the portal and the service.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the portal.")] = 8000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the portal and the service.")
    ] = True,
    exit_when_done: Annotated[
        bool,
        typer.Option(
            "--exit-when-done", help="Stop once the results are certified instead of serving on."
        ),
    ] = False,
    seats_only: Annotated[
        bool,
        typer.Option(
            "--seats-only",
            help="Only the 2023 party-list seats from the official figures, step by step.",
        ),
    ] = False,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Keep the night in this new database (default: SQLite in a temporary folder, "
            "removed at the end).",
        ),
    ] = None,
) -> None:
    """The 2023 election night, accelerated: typists, corrections, approvals, certification,
    and the public portal updating live at http://127.0.0.1:8000 (Ctrl-C stops)."""
    console = Console()
    if seats_only:
        official_seats(console)
        return
    try:
        options = NightOptions(
            seconds=minutes * 60, entered_twice=stations_entered_twice, seed=seed
        )
        if serve:
            check_port(host, port)
    except (ValueError, UsageError) as error:
        raise fail_with(UsageError(str(error))) from None
    folder = None if database else Path(tempfile.mkdtemp(prefix="saylau-demo-"))
    url = database if folder is None else f"sqlite:///{folder / 'saylau.db'}"
    previous = None
    try:
        previous = on_sigterm()
        code = _play(
            console,
            url,
            options,
            host,
            port,
            serve=serve,
            exit_when_done=exit_when_done,
            temporary=folder is not None,
        )
    except KeyboardInterrupt as stopped:  # before the store was open
        console.print(f"\n{name_of(stopped)}: stopped.", highlight=False)
        code = code_of(stopped)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        restore_sigterm(previous)
    if code:
        raise typer.Exit(code)


def check_port(host: str, port: int) -> None:
    """:class:`UsageError` if nothing can listen on ``host:port``."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise UsageError(
            f"cannot listen on {host}:{port} ({error.strerror}): choose another port with --port"
        ) from None


def _play(
    console: Console,
    url: str | None,
    options: NightOptions,
    host: str,
    port: int,
    *,
    serve: bool,
    exit_when_done: bool,
    temporary: bool,
) -> int:
    try:
        store = opened(url)
    except Exception as error:
        raise fail_with(error) from None
    server: _Server | None = None
    live: LivePortal | None = None
    try:
        election, _ = ensure_shipped(store, ELECTION)
        kept = " (temporary, removed at the end; --database keeps it)" if temporary else ""
        console.print(
            f"[bold]{election.title.en}[/bold]: {len(election.commissions)} commissions, "
            f"{len(election.stations):,} polling stations, {len(election.contests):,} contests."
            f"\nStore: {shown_url(str(store.engine.url))}{kept}",
            highlight=False,
            soft_wrap=True,
        )
        plan = plan_night(election, options)
        live = LivePortal(store, election.id) if serve else None
        night = DemoNight(
            store, plan, seconds=options.seconds, on_change=live.changed if live else None
        )
        password = secrets.token_urlsafe(12)
        night.prepare(password)
        _describe(console, night, options)
        if live is not None:
            live.start()
            server = _Server(store, live, host, port)
            server.start()
            base = f"http://{host}:{port}"
            console.print(
                f"\n[bold]Open {base}/en/[/bold] (the portal, updating live; also {base}/kk/ "
                f"and {base}/ru/). The service's API: {base}/api/docs (sign in as "
                f"{COORDINATOR} or {ADMIN} with the password {password}).",
                highlight=False,
                soft_wrap=True,
            )
        console.print("Ctrl-C stops the demo.\n", highlight=False)
        sys.stdout.flush()
        return _run(console, store, night, live, serve=serve, exit_when_done=exit_when_done)
    except KeyboardInterrupt as stopped:
        console.print(f"\n{name_of(stopped)}: stopped before the night began.", highlight=False)
        return code_of(stopped)
    except typer.Exit:
        raise
    except Exception as error:
        raise fail_with(error) from None
    finally:
        ignore_signals()  # a second Ctrl-C or SIGTERM must not interrupt the cleaning up
        if server is not None:
            server.stop()
        if live is not None:
            live.stop()
        store.close()
        ignore_signals(False)


def _describe(console: Console, night: DemoNight, options: NightOptions) -> None:
    p, plan = night.progress, night.plan
    length = (
        "as fast as this machine goes"
        if options.seconds == 0
        else f"{options.seconds / 60:g} minutes"
    )
    console.print(
        f"The night (seed {plan.seed}, {length}): {p.entry_stations:,} stations "
        f"({len(plan.territories)} territorial commissions whole) are typed twice through the "
        f"commission service by {TYPISTS[0]} and {TYPISTS[1]}, checked by the {COORDINATOR} "
        f"(differences, warnings, {p.corrections_planned} corrections after acceptance), "
        f"approved and their summaries signed; the other {p.file_stations:,} stations' "
        f"protocols arrive in timed waves as files signed by the precinct commissions "
        f"(generated, as 'saylau generate' stores them; {p.late_planned} are corrected later). "
        f"At the end the CEC ({ADMIN}) certifies. Everything is a signed event of the ledger.",
        highlight=False,
        soft_wrap=True,
    )


class _Server:
    """uvicorn serving the service and the portal from a background thread."""

    def __init__(self, store: Store, live: LivePortal, host: str, port: int):
        app = create_app(store, secure_cookies=False, routers=[portal_router(live.current)])
        config = uvicorn.Config(
            app, host=host, port=port, log_level="error", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="portal", daemon=True)
        self.where = f"{host}:{port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise UsageError(f"the portal could not start on {self.where}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _run(
    console: Console,
    store: Store,
    night: DemoNight,
    live: LivePortal | None,
    *,
    serve: bool,
    exit_when_done: bool,
) -> int:
    stop = threading.Event()
    failure: list[BaseException] = []

    def play() -> None:
        try:
            night.run(stop)
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=play, name="night", daemon=True)
    worker.start()
    try:
        show_progress(console, night, live, worker)
    except KeyboardInterrupt as stopped:
        stop.set()
        ignore_signals()  # the night ends at its next step
        console.print(f"\n{name_of(stopped)}: stopping the night...", highlight=False)
        worker.join()
        console.print(
            f"Stopped before the end: {night.progress.stations_reported:,} of "
            f"{night.progress.stations:,} stations reported, status "
            f"{night.progress.status.value}. Portal and store closed.",
            highlight=False,
        )
        return code_of(stopped)
    worker.join()
    if failure:
        error = failure[0]
        if isinstance(error, Exception):
            raise fail_with(error) from None
        raise error
    if live is not None:
        live.rebuild()
    code = _final(console, store, night)
    if serve and not exit_when_done:
        console.print(
            "The portal keeps serving the certified results. Ctrl-C stops the demo.",
            highlight=False,
        )
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt as stopped:
            console.print(
                f"\n{name_of(stopped)}: stopped. Portal and store closed.", highlight=False
            )
    return code


def _final(console: Console, store: Store, night: DemoNight) -> int:
    """The night's own national list result, explained, and the official check."""
    election = night.election
    (result,) = contest_results(store, election, [NATIONAL_LIST])
    s = night.progress
    console.print(f"\n{counts_line(s)}", highlight=False, soft_wrap=True)
    console.print(
        f"The night took {s.elapsed:.0f} s; status: [bold]{s.status.value}[/bold].\n",
        highlight=False,
    )
    allocation = result.allocation
    if not isinstance(allocation, ListResult):
        console.print("[red]No party-list result: NOT reproduced.[/red]")
        return NOT_REPRODUCED
    contest = election.contests[NATIONAL_LIST]
    votes = result.tally.contest_votes(against_all=contest.against_all)
    names = {c.id: c.name.en for c in contest.choices}
    render(
        console,
        allocation,
        f"{election.id} / {NATIONAL_LIST}: tallied from the night",
        votes,
        names,
    )
    same = dict(allocation.seats) == OFFICIAL_2023_SEATS
    console.print(f"\n{OFFICIAL_LINE}: {_verdict(same)}", highlight=False)
    return 0 if same else NOT_REPRODUCED


def official_seats(console: Console) -> None:
    """The former demo: the 69 list seats from the official figures, step by step."""
    source = resources.files("saylau.data").joinpath("official/kz-2023-mazhilis-list.csv")
    with resources.as_file(source) as path:
        votes = read_votes(path)
    ruleset = load_ruleset("kz-2023")
    contest = ruleset.contest("mazhilis-list")
    assert isinstance(contest.rule, ListRule)
    policy = TiePolicy(contest.rule.ties)
    result = allocate_list(votes, contest.rule, ties=policy, label="kz-2023/mazhilis-list")
    console.print(
        "Kazakhstan, Mazhilis election of 19 March 2023: the 69 party-list seats, "
        f"recomputed from the votes established by the Central Election Commission ({SOURCE}).\n",
        highlight=False,
    )
    render(console, result, f"{ruleset.id} / {contest.id}: {contest.title}", votes)
    same = list(result.seats.values()) == list(OFFICIAL_2023_SEATS.values())
    console.print(f"\n{OFFICIAL_LINE}: {_verdict(same)}", highlight=False)


def _verdict(same: bool) -> str:
    return "[green]reproduced.[/green]" if same else "[red]NOT reproduced.[/red]"
