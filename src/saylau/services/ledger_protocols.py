"""The protocols as the ledger has them: each protocol's current version and status,
followed through its events (entered, corrected, accepted, approved), and one protocol's
history read from the store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, decode_line
from saylau.store.ledger_events import lines_about

ACCEPTED = "accepted"
ENTERED = "entered"
APPROVED = "approved"
PROTOCOL_KINDS = (
    Kind.PROTOCOL_ENTERED.value,
    Kind.PROTOCOL_CORRECTED.value,
    Kind.PROTOCOL_ACCEPTED.value,
    Kind.PROTOCOL_APPROVED.value,
)


@dataclass
class ProtocolState:
    """One protocol as the ledger has it: the current version, the hash of the event that
    set it, its content (``{"lines", "votes"}``) and ``entered``/``accepted``/``approved``."""

    version: int
    event: str
    content: dict[str, Data]
    status: str


def apply_protocol_event(states: dict[tuple[str, str], ProtocolState], event: Event) -> None:
    """Follow one protocol event (as the core's replay does for a sound ledger)."""
    payload = event.payload
    key = (str(payload["station"]), str(payload["contest"]))
    if event.kind == Kind.PROTOCOL_ENTERED:
        lines, votes = payload["lines"], payload["votes"]
        assert isinstance(lines, dict)
        assert isinstance(votes, dict)
        states[key] = ProtocolState(1, event.hash, {"lines": lines, "votes": votes}, ENTERED)
        return
    state = states.get(key)
    if state is None:
        return
    if event.kind == Kind.PROTOCOL_CORRECTED:
        after, version = payload["after"], payload["version"]
        assert isinstance(after, dict)
        assert isinstance(version, int)
        state.version, state.event, state.content, state.status = (
            version,
            event.hash,
            after,
            ENTERED,
        )
    elif event.kind == Kind.PROTOCOL_ACCEPTED:
        state.status = ACCEPTED
    elif event.kind == Kind.PROTOCOL_APPROVED:
        state.status = APPROVED


def protocol_history(session: Session, station: str, contest: str) -> list[Event]:
    """Every event of one protocol, in order: entered, corrections, acceptances, approvals."""
    return [
        decode_line(line, checked=False)
        for line in lines_about(session, station, contest, PROTOCOL_KINDS)
    ]
