"""A small election for the portal's and the status's tests: two stations, one party list."""

from __future__ import annotations

from typing import Any

from saylau.core.controls import ControlSettings
from saylau.core.election import Election
from saylau.core.protocol import Line, Protocol
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.services.portal import NATIONAL_LIST
from saylau.store import Store
from saylau.store.protocols import upsert_protocols

DEFINITION: dict[str, Any] = {
    "format": "saylau-election/1",
    "id": "live-2024",
    "date": "2024-03-17",
    "title": {"kk": "Сынақ", "ru": "Тест", "en": "Live test"},
    "ruleset": "kz-2023",
    "commissions": [{"id": "cec", "level": "cec", "name": "CEC"}],
    "stations": [
        {"id": "s1", "commission": "cec", "voters": 1000},
        {"id": "s2", "commission": "cec", "voters": 1000},
    ],
    "parties": [
        {"id": "amanat", "name": "Amanat", "color": "#1f77b4"},
        {"id": "aq-jol", "name": "Aq Jol", "color": "#ff7f0e"},
    ],
    "contests": [
        {
            "id": NATIONAL_LIST,
            "rule": "mazhilis-list",
            "title": "Party lists",
            "commission": "cec",
            "seats": 10,
            "area": ["cec"],
            "choices": [{"id": "amanat", "party": "amanat"}, {"id": "aq-jol", "party": "aq-jol"}],
        }
    ],
}


def store_protocol(
    store: Store,
    election: Election,
    station: str,
    votes: tuple[int, int] = (300, 200),
    *,
    corrected: bool = False,
) -> None:
    """Store a protocol of the party-list contest as a file arrives (the ledger's events
    with it), as ``saylau generate`` and the demo's waves store them."""
    lines = {
        Line.VOTERS: 1000,
        Line.RECEIVED: 1000,
        Line.ISSUED: 520,
        Line.CANCELLED: 480,
        Line.FOUND: 520,
        Line.INVALID: 20,
        Line.VALID: 500,
    }
    protocol = Protocol(station, NATIONAL_LIST, lines, {"amanat": votes[0], "aq-jol": votes[1]})
    row = protocol_row(protocol, election, ControlSettings(), "test")
    with store.session() as session:
        upsert_protocols(session, election.id, [row])
        if corrected:
            reason, decision = "two counts transposed", "decision 1"
            record_protocols(session, election, [row], reason=reason, decision=decision)
        else:
            record_protocols(session, election, [row])
