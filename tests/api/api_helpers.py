"""Helpers of the service tests: a small election with a commission tree, protocol values,
URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from saylau.core.ledger.events import decode_line
from saylau.core.ledger.replay import replay
from saylau.ledger import verify_event_signature
from saylau.store import Store
from saylau.store.ledger_events import ledger_lines

ELECTION_ID = "test-2024"
PASSWORD = "correct horse battery"

# cec ─┬─ north ─┬─ north-t ── 001, 002
#      │         └─ 003
#      └─ south ── 004, 005
DEFINITION: dict[str, Any] = {
    "format": "saylau-election/1",
    "id": ELECTION_ID,
    "date": "2024-03-17",
    "title": {"kk": "Сынақ сайлауы", "ru": "Тестовые выборы", "en": "Test election"},
    "ruleset": "kz-2023",
    "commissions": [
        {"id": "cec", "level": "cec", "name": "CEC"},
        {"id": "north", "level": "region", "parent": "cec", "name": "North"},
        {"id": "north-t", "level": "territory", "parent": "north", "name": "North town"},
        {"id": "south", "level": "region", "parent": "cec", "name": "South"},
    ],
    "stations": [
        {"id": "001", "commission": "north-t", "voters": 1000},
        {"id": "002", "commission": "north-t", "voters": 1000},
        {"id": "003", "commission": "north", "voters": 1000},
        {"id": "004", "commission": "south", "voters": 1000},
        {"id": "005", "commission": "south", "voters": 1000},
    ],
    "parties": [
        {"id": "amanat", "name": "Amanat", "color": "#1f77b4"},
        {"id": "aq-jol", "name": "Aq Jol", "color": "#ff7f0e"},
    ],
    "contests": [
        {
            "id": "list",
            "rule": "mazhilis-list",
            "title": {"kk": "Партиялық тізімдер", "ru": "Партийные списки", "en": "Party lists"},
            "commission": "cec",
            "seats": 10,
            "area": ["cec"],
            "choices": [{"id": "amanat", "party": "amanat"}, {"id": "aq-jol", "party": "aq-jol"}],
        },
        {
            "id": "north-1",
            "rule": "mazhilis-district",
            "title": "North district 1",
            "commission": "north",
            "seats": 1,
            "area": ["north"],
            "choices": [
                {"id": "c1", "name": "Candidate One", "party": "amanat"},
                {"id": "c2", "name": "Candidate Two"},
            ],
        },
    ],
}


def values(a: int = 300, b: int = 200) -> dict[str, dict[str, int]]:
    """Consistent protocol values of the test contests (turnout 52 %)."""
    valid = a + b + 5
    lines = {
        "voters": 1000,
        "ballots_received": 1000,
        "ballots_issued": 520,
        "ballots_issued_outside": 0,
        "ballots_cancelled": 480,
        "ballots_found": 520,
        "ballots_invalid": 520 - valid,
        "ballots_valid": valid,
        "against_all": 5,
    }
    return {"lines": lines, "votes": {"amanat": a, "aq-jol": b}}


def district_values(a: int = 300, b: int = 200) -> dict[str, dict[str, int]]:
    data = values(a, b)
    data["votes"] = {"c1": a, "c2": b}
    return data


Person = Callable[..., dict[str, str]]
"""``person(login, role, place)`` -> headers of a bearer token of a new user."""


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
    return {
        "format": "saylau-election/1",
        "id": election_id,
        "date": "2024-03-17",
        "title": "Load test",
        "ruleset": "kz-2023",
        "commissions": [
            {"id": "cec", "level": "cec", "name": "CEC"},
            {"id": "east", "level": "region", "parent": "cec", "name": "East"},
            {"id": "west", "level": "region", "parent": "cec", "name": "West"},
        ],
        "stations": [
            {"id": f"s{n:04d}", "commission": "east" if n % 2 else "west", "voters": 1000}
            for n in range(stations)
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
