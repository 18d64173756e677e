"""Helpers of the service tests: a small election with a commission tree, protocol values,
URLs (the election built with :mod:`small_elections`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from saylau.core.ledger.events import decode_line
from saylau.core.ledger.replay import replay
from saylau.core.roles import Assignment, Role
from saylau.ledger import verify_event_signature
from saylau.services.accounts import change_role, create_user, sign_in
from saylau.store import Store
from saylau.store.ledger_events import ledger_lines

# The small elections are shared by every test folder; pytest puts it on the import path,
# and so does this line for a program that imports this module alone (benchmarks).
sys.path.append(str(Path(__file__).resolve().parents[1]))
from small_elections import (
    PARTY_LISTS_TITLE,
    TEST_TITLE,
    cec,
    definition,
    north_district,
    party_list,
    polling_station,
    protocol_lines,
    region,
    territory,
)

ELECTION_ID = "test-2024"
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"

# cec ─┬─ north ─┬─ north-t ── 001, 002
#      │         └─ 003
#      └─ south ── 004, 005
DEFINITION: dict[str, Any] = definition(
    ELECTION_ID,
    title=TEST_TITLE,
    commissions=[
        cec(),
        region("north", "North"),
        territory("north-t", "North town", "north"),
        region("south", "South"),
    ],
    stations=[
        polling_station("001", "north-t"),
        polling_station("002", "north-t"),
        polling_station("003", "north"),
        polling_station("004", "south"),
        polling_station("005", "south"),
    ],
    contests=[party_list(title=PARTY_LISTS_TITLE), north_district()],
)


def values(a: int = 300, b: int = 200) -> dict[str, dict[str, int]]:
    """Consistent protocol values of the test contests (turnout 52 %)."""
    lines = protocol_lines(valid=a + b + 5, issued=520, against_all=5, issued_outside=0)
    return {"lines": lines, "votes": {"amanat": a, "aq-jol": b}}


def district_values(a: int = 300, b: int = 200) -> dict[str, dict[str, int]]:
    data = values(a, b)
    data["votes"] = {"c1": a, "c2": b}
    return data


Person = Callable[..., dict[str, str]]
"""``person(login, role, place)`` -> headers of a bearer token of a new user."""


def person_maker(store: Store, election_id: str = ELECTION_ID) -> Person:
    """``person(login, role, place)``: creates the user with that role in ``election_id``
    and returns the headers of a bearer token."""

    def make(login: str, role: Role | None = None, place: str = "cec") -> dict[str, str]:
        create_user(store, login, login.title(), PASSWORD)
        if role is not None:
            change_role(store, Assignment(login, election_id, place, role), grant=True)
        token = sign_in(store, login, PASSWORD, "127.0.0.1", kind="token")
        return {"Authorization": f"Bearer {token.secret}"}

    return make


def protocol_url(station: str = "001", contest: str = "list", action: str = "") -> str:
    base = f"/api/elections/{ELECTION_ID}/protocols/{station}/{contest}"
    return f"{base}/{action}" if action else base


def ledger_findings(store: Store) -> list[str]:
    """Everything wrong with the stored ledger: each line canonical, hashes chained,
    signatures valid, the replay's rules kept."""
    with store.session() as session:
        lines = list(ledger_lines(session))
    events = [decode_line(line, number=n) for n, line in enumerate(lines, 1)]
    return [str(f) for f in replay(events, verifier=verify_event_signature).findings]


def wide_definition(stations: int, election_id: str = "load-2024") -> dict[str, Any]:
    """An election of ``stations`` stations in two regions, one party-list contest."""
    return definition(
        election_id,
        title="Load test",
        commissions=[cec(), region("east", "East"), region("west", "West")],
        stations=(
            polling_station(f"s{n:04d}", "east" if n % 2 else "west") for n in range(stations)
        ),
    )


@contextmanager
def browser_page() -> Iterator[Any]:
    """A page of Debian's Chromium driven by Playwright (the test is skipped without them)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser.new_page()
        finally:
            browser.close()
