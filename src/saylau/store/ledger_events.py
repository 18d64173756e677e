"""The ledger in the store: events appended, never changed, read back in order.

Each row keeps an event's canonical ledger line exactly as it will be published (see
``docs/ledger.md``), with its sequence, hash, kind, actor and time alongside for queries.
The sequence is the primary key, so two writers appending the same position cannot both win:
the second gets :class:`ConflictError`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, insert, select, tuple_
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
    subject: str | None = None
    contest: str | None = None


def append_lines(session: Session, rows: Iterable[LedgerRow]) -> int:
    """Append events in batches; returns how many. A sequence or hash already stored
    raises :class:`ConflictError`; the transaction must then be rolled back (the database
    refuses anything more in it)."""
    connection = session.connection()
    count = 0
    batch: list[dict[str, object]] = []

    def flush() -> None:
        if not batch:
            return
        try:
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
                "subject": row.subject,
                "contest": row.contest,
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


def last_line(session: Session) -> bytes | None:
    """The line of the last event, or ``None`` for an empty ledger."""
    query = select(_EVENTS.c.line).order_by(_EVENTS.c.sequence.desc()).limit(1)
    found = session.connection().execute(query).scalar()
    return None if found is None else bytes(found)


def lines_about(
    session: Session, subject: str, contest: str | None = None, kinds: Collection[str] = ()
) -> list[bytes]:
    """The lines of the events about ``subject`` (and ``contest``, if given), in order,
    optionally only of ``kinds``."""
    query = select(_EVENTS.c.line).where(_EVENTS.c.subject == subject)
    if contest is not None:
        query = query.where(_EVENTS.c.contest == contest)
    if kinds:
        query = query.where(_EVENTS.c.kind.in_(kinds))
    rows = session.connection().execute(query.order_by(_EVENTS.c.sequence)).scalars()
    return [bytes(line) for line in rows]


PAIRS_PER_QUERY = 400


def lines_about_pairs(
    session: Session, pairs: Collection[tuple[str, str]], kinds: Collection[str]
) -> Iterator[bytes]:
    """The lines of the events of ``kinds`` about any of the (subject, contest) ``pairs``,
    in order within each pair (pairs are read in groups of :data:`PAIRS_PER_QUERY`)."""
    ordered = sorted(pairs)
    connection = session.connection()
    for start in range(0, len(ordered), PAIRS_PER_QUERY):
        chunk = ordered[start : start + PAIRS_PER_QUERY]
        query = (
            select(_EVENTS.c.line)
            .where(tuple_(_EVENTS.c.subject, _EVENTS.c.contest).in_(chunk))
            .where(_EVENTS.c.kind.in_(kinds))
            .order_by(_EVENTS.c.sequence)
        )
        for line in connection.execute(query).scalars():
            yield bytes(line)


def subjects_with(session: Session, kinds: Collection[str], subjects: Collection[str]) -> set[str]:
    """Which of ``subjects`` have at least one event of ``kinds``."""
    found: set[str] = set()
    ordered = sorted(subjects)
    connection = session.connection()
    for start in range(0, len(ordered), PAIRS_PER_QUERY):
        chunk = ordered[start : start + PAIRS_PER_QUERY]
        query = (
            select(_EVENTS.c.subject)
            .distinct()
            .where(_EVENTS.c.kind.in_(kinds), _EVENTS.c.subject.in_(chunk))
        )
        found.update(str(s) for s in connection.execute(query).scalars())
    return found


def first_line_of(session: Session, kind: str) -> bytes | None:
    """The line of the first event of ``kind``, or ``None``."""
    query = select(_EVENTS.c.line).where(_EVENTS.c.kind == kind).order_by(_EVENTS.c.sequence)
    found = session.connection().execute(query.limit(1)).scalar()
    return None if found is None else bytes(found)


def lines_about_contest(session: Session, contest: str, kind: str) -> list[bytes]:
    """The lines of the events of ``kind`` about ``contest`` (any subject), in order."""
    query = (
        select(_EVENTS.c.line)
        .where(_EVENTS.c.contest == contest, _EVENTS.c.kind == kind)
        .order_by(_EVENTS.c.sequence)
    )
    return [bytes(line) for line in session.connection().execute(query).scalars()]


def last_head(session: Session) -> tuple[int, str, str, str] | None:
    """``(sequence, hash, time)`` of the last event and the hash of the first, in one round
    trip; ``None`` for an empty ledger."""
    last = select(func.max(_EVENTS.c.sequence)).scalar_subquery()
    query = select(_EVENTS.c.sequence, _EVENTS.c.hash, _EVENTS.c.time).where(
        (_EVENTS.c.sequence == 0) | (_EVENTS.c.sequence == last)
    )
    rows = sorted(session.connection().execute(query).all())
    if not rows:
        return None
    first, final = rows[0], rows[-1]
    return int(final[0]), str(final[1]), str(final[2]), str(first[1])
