"""The ledger in the store: events appended, never changed, read back in order.

Each row keeps an event's canonical ledger line exactly as it will be published (see
``docs/ledger.md``), with its sequence, hash, kind, actor and time alongside for queries.
The sequence is the primary key, so two writers appending the same position cannot both win:
the second gets :class:`ConflictError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.store.errors import ConflictError
from saylau.store.models import LedgerEventRecord, table

BATCH_SIZE = 5_000
READ_BATCH = 10_000

_EVENTS = table(LedgerEventRecord)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One event to append: ``line`` is its canonical ledger line without a newline."""

    sequence: int
    hash: str
    kind: str
    actor: str
    time: str
    line: bytes


def append_lines(session: Session, rows: Iterable[LedgerRow]) -> int:
    """Append events in batches; returns how many. A sequence or hash already stored
    raises :class:`ConflictError` (the transaction must then be rolled back)."""
    connection = session.connection()
    count = 0
    batch: list[dict[str, object]] = []

    def flush() -> None:
        if not batch:
            return
        try:
            with connection.begin_nested():
                connection.execute(insert(_EVENTS), batch)
        except IntegrityError as error:
            first = batch[0]["sequence"]
            raise ConflictError(
                f"the ledger already has an event at one of the positions from {first} on: "
                "another writer appended first"
            ) from error
        batch.clear()

    for row in rows:
        batch.append(
            {
                "sequence": row.sequence,
                "hash": row.hash,
                "kind": row.kind,
                "actor": row.actor,
                "time": row.time,
                "line": row.line,
            }
        )
        count += 1
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return count


def ledger_lines(session: Session) -> Iterator[bytes]:
    """Every stored line, in sequence order."""
    query = select(_EVENTS.c.line).order_by(_EVENTS.c.sequence)
    result = session.connection().execute(query)
    while batch := result.fetchmany(READ_BATCH):
        for (line,) in batch:
            yield bytes(line)


def ledger_head(session: Session) -> tuple[int, str] | None:
    """``(size, hash of the last event)``, or ``None`` for an empty ledger."""
    last = session.scalar(select(func.max(_EVENTS.c.sequence)))
    if last is None:
        return None
    found = session.scalar(select(_EVENTS.c.hash).where(_EVENTS.c.sequence == last))
    assert found is not None
    return int(last) + 1, str(found)
