"""What the service's use cases share: the stored elections (parsed once per process), the
write transaction (queued behind other writers, retried when a concurrent writer took a key
first) and the ledger of the store.

A stored election never changes (a different definition under the same id is refused), so a
parsed :class:`Election` is kept for the life of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Kind, decode_line
from saylau.services.ledger import LedgerAppender
from saylau.store.db import Store
from saylau.store.entries import serialize_writers
from saylau.store.errors import ConflictError, NotFound
from saylau.store.ledger_events import first_line_of
from saylau.store.repository import election_ids, load_election

T = TypeVar("T")
ATTEMPTS = 5

_elections: dict[tuple[str, str], Election] = {}
_lock = threading.Lock()


def election(session: Session, election_id: str) -> Election:
    """The stored election (:class:`NotFound` if it is not stored)."""
    bind = session.get_bind()
    key = (str(bind.engine.url), election_id)
    found = _elections.get(key)
    if found is None:
        loaded = load_election(session, election_id)
        with _lock:
            found = _elections.setdefault(key, loaded)
    return found


def known_election(store: Store, election_id: str) -> Election | None:
    """The election if this process has parsed it already (``None``: read it with
    :func:`election`)."""
    return _elections.get((str(store.engine.url), election_id))


def ledger_election(session: Session) -> Election | None:
    """The election whose ledger the store keeps: the one defined in the ledger, else the
    only stored election; ``None`` if there is none (nothing can be recorded yet)."""
    line = first_line_of(session, Kind.ELECTION_DEFINED.value)
    if line is not None:
        payload = decode_line(line, checked=False).payload
        return election(session, str(payload["election"]))
    ids = election_ids(session)
    return election(session, ids[0]) if len(ids) == 1 else None


def record_action(
    session: Session,
    user: str,
    action: str,
    subject: str,
    details: Mapping[str, Data],
    *,
    commission: str | None = None,
) -> None:
    """An ``action-recorded`` event in this transaction, if the store has an election."""
    chosen = ledger_election(session)
    if chosen is None:
        return
    appender = LedgerAppender.open(session, chosen)
    appender.action(user, action, subject, details, commission=commission)
    appender.flush()


def write(store: Store, work: Callable[[Session], T], *, queue_first: bool = True) -> T:
    """Run ``work`` in a write transaction, queued behind the other writers; retried when a
    concurrent writer took a key first (:class:`ConflictError` from the store), so ``work``
    must read what it needs inside the transaction. With ``queue_first`` false, ``work``
    joins the queue itself (:func:`saylau.store.entries.serialize_writers`) before it
    touches the ledger, so that what comes before does not hold the others up."""
    for attempt in range(ATTEMPTS):
        try:
            with store.session() as session:
                if queue_first:
                    serialize_writers(session)
                return work(session)
        except ConflictError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def read(store: Store, work: Callable[[Session], T]) -> T:
    with store.session() as session:
        return work(session)


def require_station(chosen: Election, station: str, contest: str) -> None:
    """:class:`NotFound` unless ``station`` votes in ``contest``."""
    if contest not in chosen.contests:
        raise NotFound(f"election {chosen.id} has no contest {contest!r}")
    if station not in chosen.stations:
        raise NotFound(f"election {chosen.id} has no station {station!r}")
    if contest not in chosen.station_contests[station]:
        raise NotFound(f"station {station} does not vote in contest {contest}")
