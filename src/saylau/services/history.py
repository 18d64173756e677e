"""The public history of one protocol: who entered, corrected, accepted and approved it,
when, why (reason and decision reference), and which numbers changed.

:func:`bundle_history` reads it from a published bundle (with the inclusion proof of the
event that set the current numbers, against the bundle's Merkle root), :func:`store_history`
from the store's ledger. Both give the same entries for the same events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, decode_line
from saylau.ledger.proofs import InclusionProof, bundle_lines, inclusion_of
from saylau.services.ledger import PROTOCOL_KINDS, protocol_history
from saylau.store.db import Store
from saylau.store.errors import NotFound


@dataclass(frozen=True)
class HistoryEntry:
    sequence: int
    time: str
    kind: str
    commission: str
    version: int
    reason: str = ""
    decision: str = ""
    changes: tuple[str, ...] = ()
    """``"votes.amanat: 600 -> 599"`` for each number a correction changed."""


def _numbers(content: Data, part: str) -> Mapping[str, Data]:
    if isinstance(content, dict):
        found = content.get(part)
        if isinstance(found, dict):
            return found
    return {}


def changes(before: Data, after: Data) -> tuple[str, ...]:
    """Each line or vote that differs between two contents, ``part.name: old -> new``."""
    found: list[str] = []
    for part in ("lines", "votes"):
        old, new = _numbers(before, part), _numbers(after, part)
        for name in sorted(old.keys() | new.keys()):
            if old.get(name) != new.get(name):
                found.append(f"{part}.{name}: {old.get(name, '-')} -> {new.get(name, '-')}")
    return tuple(found)


def history_entries(events: Iterable[Event]) -> list[HistoryEntry]:
    """One entry per protocol event, in order."""
    entries: list[HistoryEntry] = []
    version = 0
    for event in events:
        payload = event.payload
        if event.kind == Kind.PROTOCOL_ENTERED:
            version = 1
            entries.append(HistoryEntry(event.sequence, event.time, event.kind, event.actor, 1))
        elif event.kind == Kind.PROTOCOL_CORRECTED:
            version = int(str(payload.get("version", version + 1)))
            entries.append(
                HistoryEntry(
                    event.sequence,
                    event.time,
                    event.kind,
                    event.actor,
                    version,
                    str(payload.get("reason", "")),
                    str(payload.get("decision", "")),
                    changes(payload.get("before"), payload.get("after")),
                )
            )
        else:
            number = payload.get("version")
            entries.append(
                HistoryEntry(
                    event.sequence,
                    event.time,
                    event.kind,
                    event.actor,
                    number if isinstance(number, int) else version,
                )
            )
    return entries


def _about(event: Event, station: str, contest: str) -> bool:
    payload = event.payload
    return (
        event.kind in PROTOCOL_KINDS
        and payload.get("station") == station
        and payload.get("contest") == contest
    )


def bundle_history(
    directory: Path, station: str, contest: str
) -> tuple[list[HistoryEntry], InclusionProof]:
    """The history of a protocol in a published bundle and the inclusion proof of the
    event that set its current numbers. Raises :class:`NotFound` if the bundle has no such
    protocol. (The bundle itself is checked by ``saylau verify``.)"""
    lines = bundle_lines(directory)
    events = [
        event
        for number, line in enumerate(lines, 1)
        if _about(event := decode_line(line, number=number, checked=False), station, contest)
    ]
    if not events:
        raise NotFound(
            f"{directory}: the ledger has no protocol of station {station!r} for {contest!r}"
        )
    setting = [e for e in events if e.kind in (Kind.PROTOCOL_ENTERED, Kind.PROTOCOL_CORRECTED)]
    return history_entries(events), inclusion_of(lines, setting[-1].sequence)


def store_history(store: Store, station: str, contest: str) -> list[HistoryEntry]:
    """The history of a protocol in the store's ledger (empty if it has none)."""
    with store.session() as session:
        return history_entries(protocol_history(session, station, contest))
