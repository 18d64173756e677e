"""What a group of actions will ask the ledger, read for all of them at once.

A protocol action that may record protocol events (a submission that may be accepted, a
resolution, a correction, an approval) needs the protocol's ledger history and whether its
commissions' keys are registered. Read by each action, that is a round trip per action in a
transaction that holds the writers' lock (:mod:`saylau.services.group_commit`). The group
instead reads them for all its actions in the round trip that takes the lock (the queries
run once it is held, so that nobody else can append meanwhile), and keeps them in the
session (:func:`prefetch`). An appender takes what it finds there (:func:`take`) and reads the rest
itself; once an action appends protocol events or registers a key, what was read of that
protocol or key is forgotten or updated (:func:`forget`, :func:`registered`), so the next
action of the group reads the ledger as it now is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from saylau.core.ledger.events import Kind, decode_line
from saylau.services.ledger_protocols import PROTOCOL_KINDS
from saylau.store.entries import serialize_writers
from saylau.store.ledger_events import (
    lines_and_keys_found,
    lines_and_keys_queries,
    protocol_lines_and_keys,
)

PREFETCHED = "saylau.ledger.prefetched"
"""The key in a session's ``info`` of its :class:`Prefetched`."""

_KEY_KINDS = (Kind.KEY_REGISTERED.value, Kind.KEY_ROTATED.value)


@dataclass
class Prefetched:
    """The ledger lines of some protocols, and which of some commissions have a key."""

    lines: dict[tuple[str, str], list[bytes]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    """The commissions whose keys were looked up."""
    keyed: set[str] = field(default_factory=set)
    """Those of them with a registered key."""


def prefetch(
    session: Session, pairs: Collection[tuple[str, str]], commissions: Collection[str]
) -> None:
    """Take the writers' lock (:func:`saylau.store.entries.serialize_writers`), then read
    the ledger lines of the protocols ``pairs`` (station, contest) and which of
    ``commissions`` have a key, on PostgreSQL in the lock's round trip; kept in the session
    for its appenders."""
    queries = lines_and_keys_queries(session, pairs, PROTOCOL_KINDS, commissions, _KEY_KINDS)
    if not pairs and not commissions:
        serialize_writers(session)
        return
    if queries is None:  # another database, or too many: read after the lock
        serialize_writers(session)
        lines, found = protocol_lines_and_keys(
            session, sorted(pairs), PROTOCOL_KINDS, sorted(commissions), _KEY_KINDS
        )
    else:
        lines, found = lines_and_keys_found(pairs, commissions, serialize_writers(session, queries))
    known = Prefetched({pair: [] for pair in pairs}, set(commissions), set(found))
    for line in lines:
        payload = decode_line(line, checked=False).payload
        pair = (str(payload.get("station")), str(payload.get("contest")))
        if pair in known.lines:
            known.lines[pair].append(line)
    session.info[PREFETCHED] = known


def take(
    session: Session, pairs: Iterable[tuple[str, str]], commissions: Iterable[str]
) -> tuple[dict[tuple[str, str], list[bytes]], dict[str, bool]]:
    """What the session has read of ``pairs`` (their lines) and of ``commissions`` (whether
    each has a key); what it has not read is left out."""
    known: Prefetched | None = session.info.get(PREFETCHED)
    if known is None:
        return {}, {}
    lines = {pair: known.lines[pair] for pair in pairs if pair in known.lines}
    keys = {c: c in known.keyed for c in commissions if c in known.checked}
    return lines, keys


def forget(session: Session, pairs: Iterable[tuple[str, str]]) -> None:
    """``pairs`` got new events: what was read of them is out of date."""
    known: Prefetched | None = session.info.get(PREFETCHED)
    if known is not None:
        for pair in pairs:
            known.lines.pop(pair, None)


def registered(session: Session, commission: str) -> None:
    """``commission``'s key was registered in this session."""
    known: Prefetched | None = session.info.get(PREFETCHED)
    if known is not None and commission in known.checked:
        known.keyed.add(commission)
