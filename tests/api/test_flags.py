"""Advisory flags on incoming protocols: a night of 100 counted stations, then a stuffed
protocol typed twice through the service. It is accepted like any other (flags never block
or change acceptance), and the coordinators and observers of the commission above it, and
the CEC, see it flagged (through the API and on the review page in a browser); people
outside that subtree, typists and the anonymous do not."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from api_helpers import PASSWORD, Person
from fastapi.testclient import TestClient
from server_process import Server, free_port

from saylau.api.app import create_app
from saylau.core.controls import ControlSettings
from saylau.core.election import parse_election
from saylau.core.protocol import Protocol
from saylau.core.roles import Assignment, Role
from saylau.elections.generate import generate_protocols
from saylau.services import flags as flags_service
from saylau.services.accounts import change_role, create_user, sign_in
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.store import Store
from saylau.store.protocols import upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store

CHROMIUM = Path("/usr/bin/chromium")
ELECTION = "flags-2024"
STUFFED = "north-t-07"  # typed through the service, with ballots stuffed
TYPED = "north-t-08"  # typed once so far: arrived, not counted
LATE = (STUFFED, TYPED, "south-09")
BASE = f"/api/elections/{ELECTION}/contests/list/flags"

# cec ─┬─ north ─┬─ north-t ── north-t-00 .. north-t-39
#      │         └─ north-00 .. north-19
#      └─ south ── south-00 .. south-39
PLACES = {"north-t": 40, "north": 20, "south": 40}


def definition() -> dict[str, Any]:
    return {
        "format": "saylau-election/1",
        "id": ELECTION,
        "date": "2024-03-17",
        "title": "Flags test",
        "ruleset": "kz-2023",
        "commissions": [
            {"id": "cec", "level": "cec", "name": "CEC"},
            {"id": "north", "level": "region", "parent": "cec", "name": "North"},
            {"id": "north-t", "level": "territory", "parent": "north", "name": "North town"},
            {"id": "south", "level": "region", "parent": "cec", "name": "South"},
        ],
        "stations": [
            {"id": f"{place}-{n:02d}", "commission": place, "voters": 900 + 11 * n}
            for place, count in PLACES.items()
            for n in range(count)
        ],
        "parties": [
            {"id": "amanat", "name": "Amanat", "color": "#1f77b4"},
            {"id": "aq-jol", "name": "Aq Jol", "color": "#ff7f0e"},
        ],
        "contests": [
            {
                "id": "list",
                "rule": "mazhilis-list",
                "title": "Party lists",
                "commission": "cec",
                "seats": 10,
                "area": ["cec"],
                "choices": [
                    {"id": "amanat", "party": "amanat"},
                    {"id": "aq-jol", "party": "aq-jol"},
                ],
            }
        ],
    }


@cache
def night() -> list[Protocol]:
    """The generated night of every station but the three that come later."""
    election = parse_election(definition(), "test")
    return [p for p in generate_protocols(election, seed=5).protocols if p.station not in LATE]


def night_leader() -> str:
    totals: Counter[str] = Counter()
    for p in night():
        totals.update(p.votes)
    return totals.most_common(1)[0][0]


@pytest.fixture
def store() -> Iterator[Store]:
    """The election and its night (overrides the conftest's store, so that ``client`` uses
    this one)."""
    election = parse_election(definition(), "test")
    settings = ControlSettings()
    rows = [protocol_row(p, election, settings, "night") for p in night()]
    with temporary_store() as fresh:
        with fresh.session() as session:
            save_election(session, election, json.dumps(definition()))
            upsert_protocols(session, election.id, rows)
            record_protocols(session, election, rows)
        yield fresh


@pytest.fixture
def person(store: Store) -> Person:
    """As the conftest's, for this module's election."""

    def make(login: str, role: Role | None = None, place: str = "cec") -> dict[str, str]:
        create_user(store, login, login.title(), PASSWORD)
        if role is not None:
            change_role(store, Assignment(login, ELECTION, place, role), grant=True)
        token = sign_in(store, login, PASSWORD, "127.0.0.1", kind="token")
        return {"Authorization": f"Bearer {token.secret}"}

    return make


def stuffed_values(voters: int) -> dict[str, Any]:
    """97 % turnout, nearly all of it for the leader."""
    issued = voters * 97 // 100
    invalid, against = 10, 5
    valid = issued - invalid
    second = 25
    return {
        "lines": {
            "voters": voters,
            "ballots_received": voters,
            "ballots_issued": issued,
            "ballots_issued_outside": 0,
            "ballots_cancelled": voters - issued,
            "ballots_found": issued,
            "ballots_invalid": invalid,
            "ballots_valid": valid,
            "against_all": against,
        },
        "votes": {"amanat": valid - against - second, "aq-jol": second},
    }


def leader_first(values: dict[str, Any], leader: str) -> dict[str, Any]:
    votes = values["votes"]
    big, small = max(votes.values()), min(votes.values())
    other = next(c for c in votes if c != leader)
    return {**values, "votes": {leader: big, other: small}}


def protocol(station: str, action: str = "") -> str:
    base = f"/api/elections/{ELECTION}/protocols/{station}/list"
    return f"{base}/{action}" if action else base


def type_entry(client: TestClient, who: dict[str, str], station: str, body: dict[str, Any]) -> Any:
    version = client.get(protocol(station), headers=who).json()["version"]
    claimed = client.post(protocol(station, "claim"), json={"version": version}, headers=who)
    assert claimed.status_code == 200, claimed.json()
    findings = client.post(protocol(station, "check"), json=body, headers=who).json()
    reasons = {f["code"]: "as on the paper form" for f in findings if f["severity"] == "warning"}
    entry = {"version": claimed.json()["version"], **body, "acknowledged": reasons}
    answer = client.post(protocol(station, "entries"), json=entry, headers=who)
    assert answer.status_code == 200, answer.json()
    return answer.json()


@pytest.fixture
def arrived(client: TestClient, person: Person) -> dict[str, Any]:
    """The stuffed protocol typed twice (accepted), another typed once."""
    ana = person("ana", Role.TYPIST, "north-t")
    bek = person("bek", Role.TYPIST, "north-t")
    leader = night_leader()
    body = leader_first(stuffed_values(900 + 11 * 7), leader)
    type_entry(client, ana, STUFFED, body)
    accepted = type_entry(client, bek, STUFFED, body)
    typed_once = leader_first(stuffed_values(900 + 11 * 8), leader)
    type_entry(client, ana, TYPED, typed_once)
    return {"accepted": accepted, "leader": leader}


def test_the_stuffed_protocol_is_accepted_and_flagged_for_the_coordinator(
    client: TestClient, person: Person, arrived: dict[str, Any]
) -> None:
    assert arrived["accepted"]["stage"] == "accepted"  # flags never block acceptance
    coordinator = person("rita", Role.COORDINATOR, "north")
    answer = client.get(f"{BASE}/north-t", headers=coordinator)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert "never proof" in body["advisory"]
    assert "never blocks or changes the acceptance" in body["advisory"]
    assert body["compared_with"] == 98  # the 97 of the night and the one accepted now
    rows = {row["station"]: row for row in body["protocols"]}
    assert set(rows) == {f"north-t-{n:02d}" for n in range(40)}  # only its own subtree
    stuffed = rows[STUFFED]
    assert stuffed["stage"] == "accepted"
    assert stuffed["counted"] is True
    kinds = {flag["kind"] for flag in stuffed["flags"]}
    assert kinds & {"turnout-and-share-high", "turnout"}, stuffed
    assert "warnings" in kinds  # the turnout warning acknowledged at entry, as a fact
    for flag in stuffed["flags"]:
        assert flag["measured"]
        assert flag["null"]
        assert flag["surprise"]
        assert flag["significant"] is False  # one protocol is never a significant finding
    turnout = next(
        f for f in stuffed["flags"] if f["kind"] in ("turnout-and-share-high", "turnout")
    )
    assert re.match(r"turnout 9[67]\.\d%", turnout["measured"])
    typed = rows[TYPED]
    assert (typed["stage"], typed["counted"], typed["flags"]) == ("first-entered", False, [])
    clean = [row for name, row in rows.items() if name not in (STUFFED, TYPED)]
    flagged = [row for row in clean if any(f["kind"] != "warnings" for f in row["flags"])]
    assert len(flagged) <= 2, flagged  # the night itself is clean

    only = client.get(f"{BASE}/north-t", params={"flagged": "true"}, headers=coordinator).json()
    assert STUFFED in {row["station"] for row in only["protocols"]}
    assert all(row["flags"] for row in only["protocols"])

    # Reading flags changes nothing: the protocol is still accepted at the same version.
    entry = client.get(protocol(STUFFED), headers=coordinator).json()
    assert (entry["stage"], entry["version"]) == ("accepted", arrived["accepted"]["version"])


def test_observers_and_the_cec_read_them_too(
    client: TestClient, person: Person, arrived: dict[str, Any]
) -> None:
    for who in (person("olga", Role.OBSERVER, "north"), person("cec", Role.ADMIN, "cec")):
        answer = client.get(f"{BASE}/north-t", headers=who)
        assert answer.status_code == 200
        assert STUFFED in {row["station"] for row in answer.json()["protocols"]}
    everything = client.get(f"{BASE}/cec", headers=person("cec2", Role.ADMIN, "cec")).json()
    assert {row["station"] for row in everything["protocols"]} >= {STUFFED, "south-00"}
    assert "south-09" not in {row["station"] for row in everything["protocols"]}  # not arrived


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.COORDINATOR, "south"),  # another subtree
        (Role.OBSERVER, "south"),
        (Role.COORDINATOR, "north-t"),  # below the commission asked
        (Role.TYPIST, "north-t-07"),  # a station's typist
    ],
)
def test_people_outside_the_subtree_are_refused(
    client: TestClient, person: Person, arrived: dict[str, Any], role: Role, place: str
) -> None:
    who = person(f"{role}-{place}", role, place)
    answer = client.get(f"{BASE}/north", headers=who)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_nobody_signed_in_gets_401_and_unknown_names_404(
    client: TestClient, person: Person
) -> None:
    assert client.get(f"{BASE}/north-t").status_code == 401
    admin = person("cec", Role.ADMIN, "cec")
    assert client.get(f"{BASE}/nowhere", headers=admin).status_code == 404
    assert (
        client.get(
            f"/api/elections/{ELECTION}/contests/senate/flags/cec", headers=admin
        ).status_code
        == 404
    )
    assert (
        client.get("/api/elections/other/contests/list/flags/cec", headers=admin).status_code == 404
    )


def test_nothing_counted_yet_lists_nothing() -> None:
    election = parse_election(definition(), "test")
    with temporary_store() as empty:
        with empty.session() as session:
            save_election(session, election, json.dumps(definition()))
        create_user(empty, "cec-admin", "Admin", PASSWORD)
        change_role(empty, Assignment("cec-admin", ELECTION, "cec", Role.ADMIN), grant=True)
        token = sign_in(empty, "cec-admin", PASSWORD, "127.0.0.1", kind="token").secret
        with TestClient(create_app(empty), base_url="https://testserver") as client:
            answer = client.get(f"{BASE}/cec", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.json()["protocols"] == []
    assert answer.json()["compared_with"] == 0


def test_a_coordinator_sees_the_flags_in_the_browser(
    store: Store, person: Person, arrived: dict[str, Any]
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    person("rita", Role.COORDINATOR, "north")
    server = Server(store.engine.url.render_as_string(hide_password=False), free_port())
    server.start()
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                page = browser.new_page()
                page.goto(f"{server.base}/review/{ELECTION}/north-t/list")
                page.fill("#login", "rita")
                page.fill("#password", PASSWORD)
                page.click("#signin-button")
                stuffed = page.locator(f"#protocols tr[data-station='{STUFFED}']")
                sync_api.expect(stuffed).to_contain_text("turnout")
                sync_api.expect(stuffed).to_contain_text("accepted")
                sync_api.expect(page.locator("#advisory")).to_contain_text("never proof")
                sync_api.expect(page.locator("#protocols tr")).to_have_count(40)
                page.check("#flagged")
                sync_api.expect(
                    page.locator(f"#protocols tr[data-station='{TYPED}']")
                ).to_have_count(0)
                sync_api.expect(stuffed).to_have_count(1)
            finally:
                browser.close()
    finally:
        server.stop()


def test_the_comparison_is_made_once_per_state_of_the_contest(
    client: TestClient, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coordinator's page polls: the contest's counted protocols are read and the reference
    made again only when an event about the contest was added to the ledger."""
    loads: list[str] = []
    real = flags_service.load_station_data

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append("load")
        return real(*args, **kwargs)

    monkeypatch.setattr(flags_service, "load_station_data", counted)
    coordinator = person("rita", Role.COORDINATOR, "north")
    ana = person("ana", Role.TYPIST, "north-t")
    bek = person("bek", Role.TYPIST, "north-t")
    before = client.get(f"{BASE}/north-t", headers=coordinator).json()
    client.get(f"{BASE}/north", headers=coordinator)
    assert loads == ["load"]  # sign-ins and a second commission: the same comparison
    assert before["compared_with"] == 97
    body = leader_first(stuffed_values(900 + 11 * 7), night_leader())
    type_entry(client, ana, STUFFED, body)
    type_entry(client, bek, STUFFED, body)
    after = client.get(f"{BASE}/north-t", headers=coordinator).json()
    assert loads == ["load", "load"]  # the accepted protocol is compared with
    assert after["compared_with"] == 98
    rows = {row["station"]: row for row in after["protocols"]}
    assert rows[STUFFED]["counted"] is True
