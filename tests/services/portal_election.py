"""A small election for the portal's and the status's tests: two stations, one party list."""

from __future__ import annotations

from typing import Any

from saylau.core.controls import ControlSettings
from saylau.core.election import Election
from saylau.core.protocol import Protocol
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.services.portal import NATIONAL_LIST
from saylau.store import Store
from saylau.store.protocols import upsert_protocols
from small_elections import cec, definition, party_list, polling_station, protocol_line_values

DEFINITION: dict[str, Any] = definition(
    "live-2024",
    title={"kk": "Сынақ", "ru": "Тест", "en": "Live test"},
    commissions=[cec()],
    stations=[polling_station("s1", "cec"), polling_station("s2", "cec")],
    contests=[party_list(NATIONAL_LIST)],
)


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
    lines = protocol_line_values(valid=500, issued=520)
    protocol = Protocol(station, NATIONAL_LIST, lines, {"amanat": votes[0], "aq-jol": votes[1]})
    row = protocol_row(protocol, election, ControlSettings(), "test")
    with store.session() as session:
        upsert_protocols(session, election.id, [row])
        if corrected:
            reason, decision = "two counts transposed", "decision 1"
            record_protocols(session, election, [row], reason=reason, decision=decision)
        else:
            record_protocols(session, election, [row])
