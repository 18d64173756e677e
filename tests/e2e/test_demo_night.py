"""``saylau demo``: the accelerated election night.

On a small election, in process: every step goes through the service (double entry with
differences, warnings and corrections, approvals, signed summaries, certification), the
status goes from unofficial partial to complete to certified, the stored protocols are the
generated night's, and the ledger, published, verifies. On the 2023 election: the night's
seats are the official ones. As a process: the portal answers while the night plays, and
Ctrl-C or SIGTERM stops it cleanly with exit code 130 or 143.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from saylau.cli.exit_codes import INTERRUPTED, TERMINATED
from saylau.cli.main import app
from saylau.core.election import Election, parse_election
from saylau.elections.generate import generate_protocols
from saylau.services.approval import result_status
from saylau.services.demo_night import DemoNight
from saylau.services.demo_plan import NightOptions, Scenario, plan_night
from saylau.services.demo_progress import Status
from saylau.services.live_portal import LivePortal
from saylau.services.portal import CERTIFIED, NATIONAL_LIST, load_protocols
from saylau.services.publishing import publish_ledger
from saylau.services.verify import verify_published
from saylau.store import Store
from saylau.store.errors import ConflictError
from saylau.store.ledger_events import ledger_lines
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import (
    TEST_TITLE,
    cec,
    definition,
    district,
    north_district,
    party_list,
    polling_station,
    region,
    territory,
)

runner = CliRunner()
THREE_PARTIES = ("amanat", "aq-jol", "auyl")


def _stations(commission: str, prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        polling_station(f"{prefix}-{i:02d}", commission, 900 + 37 * i) for i in range(1, count + 1)
    ]


# cec ─┬─ north ─┬─ north-a: 4 stations (a local maslikhat of its own)
#      │         └─ north-b: 3 stations
#      └─ south ─── south-a: 5 stations
DEFINITION: dict[str, Any] = definition(
    "demo-2024",
    title=TEST_TITLE,
    commissions=[
        cec(),
        region("north", "North"),
        territory("north-a", "North A", "north"),
        territory("north-b", "North B", "north"),
        region("south", "South"),
        territory("south-a", "South A", "south"),
    ],
    stations=[
        *_stations("north-a", "na", 4),
        *_stations("north-b", "nb", 3),
        *_stations("south-a", "sa", 5),
    ],
    party_ids=THREE_PARTIES,
    contests=[
        party_list(NATIONAL_LIST, THREE_PARTIES),
        north_district(),
        district(
            "north-a-1",
            "north-a",
            [("d1", "Deputy One", "auyl"), ("d2", "Deputy Two")],
            title="North A maslikhat: district 1",
            rule="local-maslikhat-district",
        ),
    ],
)
OPTIONS = NightOptions(
    seconds=0,
    entered_twice=7,
    wave_corrections=2,
    slip_share=0.2,
    warning_share=0.1,
    correction_share=0.1,
)


@pytest.fixture
def small() -> Iterator[tuple[Store, Election]]:
    election = parse_election(DEFINITION, "test")
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        yield store, election


def test_a_small_night_goes_through_the_service_and_its_ledger_verifies(
    small: tuple[Store, Election], tmp_path: Path
) -> None:
    store, election = small
    plan = plan_night(election, OPTIONS)
    assert plan.territories  # whole territorial commissions, which sign their summaries
    scenarios = {s.scenario for scripts in plan.scripts.values() for s in scripts}
    assert scenarios == set(Scenario)
    statuses: list[Status] = []
    night = DemoNight(store, plan, seconds=0)
    night.on_change = lambda: statuses.append(night.progress.status)
    night.prepare("a demo password 2024")
    progress = night.run(threading.Event())

    assert progress.done
    assert progress.status is Status.CERTIFIED
    assert statuses[0] is Status.PARTIAL
    assert statuses.index(Status.COMPLETE) < statuses.index(Status.CERTIFIED)
    assert progress.stations_reported == progress.stations == 12
    assert progress.protocols_counted == progress.protocols
    assert progress.entered_twice == progress.entry_protocols >= 7
    assert progress.differences_resolved >= 1
    assert progress.warnings_acknowledged >= 1
    assert progress.corrections == progress.corrections_planned >= 1
    assert progress.late_stored == progress.late_planned == 2
    assert progress.approved == progress.entry_protocols
    assert progress.summaries_signed == progress.summaries_planned >= 2
    assert progress.contests_certified == len(election.contests)
    # The service's own status agrees with the stored protocols and the ledger, whichever
    # way the protocols came: certified, on signed summaries or on the complete count.
    on_summaries = [c.id for c in election.contests.values() if c.commission in plan.territories]
    assert on_summaries
    assert len(on_summaries) < len(election.contests)
    for contest in election.contests:
        status = result_status(store, election.id, contest)
        assert status["status"] == "certified", contest
        assert status["counted"] == status["protocols"]

    # The stored protocols are the generated night's, typed or as files.
    truth = {
        (p.station, p.contest): dict(p.votes)
        for p in generate_protocols(election, seed=OPTIONS.seed).protocols
    }
    warned = {(s.station, s.contest) for x in plan.scripts.values() for s in x if s.acknowledged}
    stored, _ = load_protocols(store, election)
    found = {(p.station, p.contest): dict(p.votes) for x in stored.values() for p in x}
    assert found == truth
    statuses_stored = {p.status for x in stored.values() for p in x}
    assert statuses_stored == {"accepted"}
    codes = {
        (p.station, p.contest): [f.code for f in p.findings] for x in stored.values() for p in x
    }
    assert all(codes[key] == ["W04"] for key in warned)

    live = LivePortal(store, election.id)
    assert live.current().status == CERTIFIED
    with pytest.raises(ConflictError, match="earlier night"):
        DemoNight(store, plan, seconds=0).prepare("a demo password 2024")

    with store.session() as session:
        lines = [line.decode() for line in ledger_lines(session)]

    def events(kind: str) -> int:
        return sum(f'"kind":"{kind}"' in line for line in lines)

    assert events("protocol-corrected") == progress.corrections + progress.late_stored
    assert events("protocol-approved") == progress.approved
    assert events("results-certified") == len(election.contests)
    assert sum('"action":"summary-signed"' in line for line in lines) == progress.summaries_signed

    bundle = publish_ledger(store, tmp_path / "bundle", None)
    verification = verify_published(bundle.directory)
    assert list(verification.findings) == []
    assert verification.ok


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="entered_twice"):
        NightOptions(entered_twice=-1)
    result = runner.invoke(app, ["demo", "--minutes", "-1", "--no-serve"])
    assert result.exit_code == 2
    assert "Invalid value for '--minutes'" in result.output


def test_a_port_in_use_is_refused_before_anything_starts() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["demo", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with temporary_store() as store:
        yield store.engine.url.render_as_string(hide_password=False)


def test_the_2023_night_reproduces_the_official_seats(database: str) -> None:
    result = runner.invoke(
        app,
        [
            "demo",
            "--minutes",
            "0",
            "--no-serve",
            "--stations-entered-twice",
            "10",
            "--database",
            database,
        ],
    )
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "status: certified" in output
    assert "contests certified 3,131" in output
    assert "stations 10,223/10,223" in output
    assert "Baytaq 0: reproduced." in output.replace("\n", " ")
    assert "NOT reproduced" not in output


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read().decode("utf-8")


@pytest.mark.parametrize(
    ("sent", "code", "name"),
    [(signal.SIGINT, INTERRUPTED, "Ctrl-C"), (signal.SIGTERM, TERMINATED, "SIGTERM")],
)
def test_a_signal_stops_the_demo_cleanly_while_the_portal_answers(
    tmp_path: Path, sent: signal.Signals, code: int, name: str
) -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-c",
        "from saylau.cli.main import app; app(prog_name='saylau')",
        "demo",
        "--port",
        str(port),
        "--minutes",
        "10",
    ]
    if sent == signal.SIGINT:  # a store kept; with SIGTERM, a temporary one to be removed
        command += ["--database", f"sqlite:///{tmp_path / 'demo.db'}"]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(temporary)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )
    try:
        page = None
        deadline = time.monotonic() + 90
        while page is None and time.monotonic() < deadline and process.poll() is None:
            try:
                page = _get(f"http://127.0.0.1:{port}/en/")
            except OSError:
                time.sleep(0.25)
        assert page is not None, "the portal did not answer"
        status, html = page
        assert status == 200
        assert "Test election" not in html
        assert "2023" in html
        if sent == signal.SIGTERM:
            (made,) = temporary.iterdir()
            assert made.name.startswith("saylau-demo-")
        process.send_signal(sent)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stdout + stderr
    assert "Traceback" not in stderr
    assert f"{name}: stopping the night" in stdout
    assert "Stopped before the end" in stdout
    assert f"Open http://127.0.0.1:{port}/en/" in stdout
    assert list(temporary.iterdir()) == []  # the temporary folder, if any, removed
    with pytest.raises(urllib.error.URLError, match="refused"):  # the server is shut down
        _get(f"http://127.0.0.1:{port}/en/")
