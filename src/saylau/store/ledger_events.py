"""The ledger in the store: events appended, never changed, read back in order.

Each row keeps an event's canonical ledger line exactly as it will be published (see
``docs/ledger.md``), with its sequence, hash, kind, actor and time alongside for queries.
The sequence is the primary key, so two writers appending the same position cannot both win:
the second gets :class:`ConflictError`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, literal_column, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.store.copying import copies, copy_in, copy_statement
from saylau.store.direct import Direct, fetch, send_deferred
from saylau.store.errors import ConflictError, StoreError
from saylau.store.models import LedgerEventRecord, table

BATCH_SIZE = 5_000
READ_BATCH = 10_000

_EVENTS = table(LedgerEventRecord)
_C = _EVENTS.c
_INSERT = Direct(insert(_EVENTS))

# The statements of every write, built once (SQLAlchemy then reuses their compiled form).
_LAST = select(func.max(_C.sequence)).scalar_subquery()
_LAST_HEAD = select(_C.sequence, _C.hash, _C.time).where(
    (_C.sequence == literal_column("0")) | (_C.sequence == _LAST)
)
_LAST_HEAD_DIRECT = Direct(_LAST_HEAD)
_ABOUT_PAIRS = (
    select(_C.line)
    .where(tuple_(_C.subject, _C.contest).in_(bindparam("pairs", expanding=True)))
    .where(_C.kind.in_(bindparam("kinds", expanding=True)))
    .order_by(_C.sequence)
)
_SUBJECTS_WITH = (
    select(_C.subject)
    .distinct()
    .where(
        _C.kind.in_(bindparam("kinds", expanding=True)),
        _C.subject.in_(bindparam("subjects", expanding=True)),
    )
)
_FIRST_OF = select(_C.line).where(_C.kind == bindparam("kind")).order_by(_C.sequence).limit(1)


class LedgerRow(NamedTuple):
    """One event to append: ``line`` is its canonical ledger line without a newline (a
    tuple in the order of :data:`COLUMNS`, as the bulk insert sends it)."""

    sequence: int
    hash: str
    kind: str
    actor: str
    time: str
    line: bytes
    subject: str | None = None
    contest: str | None = None


COLUMNS = ("sequence", "hash", "kind", "actor", "time", "line", "subject", "contest")
BULK_FROM = 1_000
"""Rows appended at once from which they go in as one ``executemany`` of plain tuples
(SQLite) or one ``COPY`` (PostgreSQL with psycopg) instead of batches of statements."""

_COPY_TYPES = ["int8", "text", "text", "text", "text", "bytea", "text", "text"]
"""The types of :data:`COLUMNS` in PostgreSQL's binary copy format (``text`` is sent as
``varchar`` is)."""
INSERT_CHUNK = 20_000
"""Rows per ``executemany`` of :func:`insert_many`."""

HEAD_KEY = "saylau.ledger.head"
"""The key in ``Session.info`` of the head this session appended last (see :func:`last_head`)."""
_GENESIS_KEY = "saylau.ledger.genesis"


def append_lines(session: Session, rows: Iterable[LedgerRow], *, defer: bool = False) -> int:
    """Append events; returns how many. A sequence or hash already stored raises
    :class:`ConflictError`; the transaction must then be rolled back (the database refuses
    anything more in it). With ``defer``, on PostgreSQL the rows are sent with the
    transaction's next statement (:meth:`saylau.store.direct.Direct.later`): such a
    :class:`ConflictError` is then raised by that statement or by the commit. Many rows
    (:data:`BULK_FROM`) not deferred go in as a stream (:func:`insert_many`)."""
    stream = iter(rows)
    first = list(islice(stream, BULK_FROM))
    if not first:
        return 0
    seen = _Seen()
    if not defer and len(first) >= BULK_FROM:
        insert_many(session, seen.follow(chain(first, stream)))
    else:
        for start in range(0, len(first), BATCH_SIZE):
            batch = [row._asdict() for row in seen.follow(first[start : start + BATCH_SIZE])]
            try:
                if defer:
                    _INSERT.later(session, batch)
                else:
                    _INSERT.execute_many(session, batch)
            except (IntegrityError, ConflictError) as error:
                raise _conflict(batch[0]["sequence"]) from error
    assert seen.last is not None
    last = seen.last
    genesis = first[0].hash if first[0].sequence == 0 else session.info.get(_GENESIS_KEY)
    if genesis is None:
        session.info.pop(HEAD_KEY, None)
    else:
        session.info[_GENESIS_KEY] = genesis
        session.info[HEAD_KEY] = (last.sequence, last.hash, last.time, genesis)
    return seen.count


class _Seen:
    """How many rows went by, and the last one."""

    def __init__(self) -> None:
        self.count = 0
        self.last: LedgerRow | None = None

    def follow(self, rows: Iterable[LedgerRow]) -> Iterator[LedgerRow]:
        for row in rows:
            self.count += 1
            self.last = row
            yield row


def _conflict(first: object) -> ConflictError:
    return ConflictError(
        f"the ledger already has an event at one of the positions from {first} on: "
        "another writer appended first"
    )


def insert_many(session: Session, rows: Iterable[LedgerRow]) -> None:
    """Insert ``rows`` below SQLAlchemy's statement machinery, as they come: ``executemany``
    of the tuples as they are, :data:`INSERT_CHUNK` at a time, or on PostgreSQL with
    psycopg one binary ``COPY`` (the lines travel as bytes, not as escaped text). A
    position or hash already stored raises :class:`ConflictError` (naming the first
    position of the chunk, or of the whole copy)."""
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in COLUMNS)
    name = quote(_EVENTS.name)
    stream = iter(rows)
    first: object = "?"
    try:
        if copies(connection):
            send_deferred(session)
            head = next(stream, None)
            if head is not None:
                first = head.sequence
                sql = copy_statement(connection, _EVENTS.name, COLUMNS)
                copy_in(connection, sql, _COPY_TYPES, chain([head], stream))
            return
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * len(COLUMNS))
        sql = f"INSERT INTO {name} ({columns}) VALUES ({marks})"
        while chunk := list(islice(stream, INSERT_CHUNK)):
            first = chunk[0].sequence
            connection.exec_driver_sql(sql, chunk)
    except IntegrityError as error:
        raise _conflict(first) from error
    except dialect.loaded_dbapi.IntegrityError as error:
        raise _conflict(first) from error
    except dialect.loaded_dbapi.Error as error:
        raise StoreError(f"database error while appending to the ledger: {error}") from error


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
        found = connection.execute(_ABOUT_PAIRS, {"pairs": chunk, "kinds": list(kinds)})
        for line in found.scalars():
            yield bytes(line)


def subjects_with(session: Session, kinds: Collection[str], subjects: Collection[str]) -> set[str]:
    """Which of ``subjects`` have at least one event of ``kinds``."""
    found: set[str] = set()
    ordered = sorted(subjects)
    connection = session.connection()
    for start in range(0, len(ordered), PAIRS_PER_QUERY):
        chunk = ordered[start : start + PAIRS_PER_QUERY]
        query = connection.execute(_SUBJECTS_WITH, {"kinds": list(kinds), "subjects": chunk})
        found.update(str(s) for s in query.scalars())
    return found


_ABOUT_PAIRS_POSTGRESQL = (
    "SELECT line FROM ledger_events WHERE (subject, contest) IN "
    "(SELECT * FROM unnest(%(subjects)s::varchar[], %(contests)s::varchar[])) "
    "AND kind = ANY(%(kinds)s::varchar[]) ORDER BY sequence"
)
_SUBJECTS_WITH_POSTGRESQL = (
    "SELECT DISTINCT subject FROM ledger_events "
    "WHERE kind = ANY(%(kinds)s::varchar[]) AND subject = ANY(%(subjects)s::varchar[])"
)


def protocol_lines_and_keys(
    session: Session,
    pairs: Collection[tuple[str, str]],
    kinds: Collection[str],
    subjects: Collection[str],
    key_kinds: Collection[str],
) -> tuple[list[bytes], set[str]]:
    """:func:`lines_about_pairs` of ``pairs`` and ``kinds`` and :func:`subjects_with` of
    ``key_kinds`` and ``subjects`` together: on PostgreSQL in one round trip (with the
    writes deferred until then, :mod:`saylau.store.direct`)."""
    if not pairs and not subjects:
        return [], set()
    queries = lines_and_keys_queries(session, pairs, kinds, subjects, key_kinds)
    if queries is None:
        lines = list(lines_about_pairs(session, pairs, kinds)) if pairs else []
        return lines, subjects_with(session, key_kinds, subjects) if subjects else set()
    return lines_and_keys_found(pairs, subjects, fetch(session, queries))


def lines_and_keys_queries(
    session: Session,
    pairs: Collection[tuple[str, str]],
    kinds: Collection[str],
    subjects: Collection[str],
    key_kinds: Collection[str],
) -> list[tuple[str, Mapping[str, object]]] | None:
    """The queries of :func:`protocol_lines_and_keys` to run on PostgreSQL's driver with
    others (:func:`saylau.store.direct.fetch`), read by :func:`lines_and_keys_found`;
    ``None`` on other databases or for too many protocols or subjects."""
    small = len(pairs) <= PAIRS_PER_QUERY and len(subjects) <= PAIRS_PER_QUERY
    if session.get_bind().dialect.name != "postgresql" or not small:
        return None
    ordered = sorted(pairs)
    queries: list[tuple[str, Mapping[str, object]]] = []
    if ordered:
        values = {
            "subjects": [s for s, _ in ordered],
            "contests": [c for _, c in ordered],
            "kinds": list(kinds),
        }
        queries.append((_ABOUT_PAIRS_POSTGRESQL, values))
    if subjects:
        queries.append(
            (_SUBJECTS_WITH_POSTGRESQL, {"kinds": list(key_kinds), "subjects": list(subjects)})
        )
    return queries


def lines_and_keys_found(
    pairs: Collection[tuple[str, str]],
    subjects: Collection[str],
    results: Sequence[Sequence[Sequence[Any]]],
) -> tuple[list[bytes], set[str]]:
    """The lines and the subjects with keys from the results of
    :func:`lines_and_keys_queries`."""
    lines = [bytes(row[0]) for row in results[0]] if pairs else []
    found = {str(row[0]) for row in results[-1]} if subjects else set()
    return lines, found


def first_line_of(session: Session, kind: str) -> bytes | None:
    """The line of the first event of ``kind``, or ``None``."""
    found = session.connection().execute(_FIRST_OF, {"kind": kind}).scalar()
    return None if found is None else bytes(found)


def last_head(session: Session) -> tuple[int, str, str, str] | None:
    """``(sequence, hash, time)`` of the last event and the hash of the first, in one round
    trip; ``None`` for an empty ledger. After this session appended (or read the head under
    the writers' lock, :func:`lock_and_read_head`), the head it knows (no round trip: the
    writers hold the ledger's lock to the end of their transaction)."""
    known = session.info.get(HEAD_KEY)
    if known is not None:
        sequence, digest, time, genesis = known
        return int(sequence), str(digest), str(time), str(genesis)
    return _learn_head(session, session.connection().execute(_LAST_HEAD).all())


def lock_and_read_head(
    session: Session, lock: Direct, also: Sequence[tuple[str, Mapping[str, object]]] = ()
) -> list[list[tuple[Any, ...]]]:
    """On PostgreSQL: take the writers' ``lock`` and read the ledger's head in one round
    trip (with the transaction's start), so that :func:`last_head` needs none; the queries
    ``also`` (SQL text and values) run in the same round trip, after the lock: their rows
    are returned."""
    statements = [(lock.sql, {}), (_LAST_HEAD_DIRECT.sql, {}), *also]
    results = fetch(session, statements)
    head = _learn_head(session, results[1])
    if head is not None:
        session.info[HEAD_KEY] = head
    return results[2:]


def _learn_head(
    session: Session, found: Sequence[Sequence[Any]]
) -> tuple[int, str, str, str] | None:
    rows = sorted(tuple(row) for row in found)
    if not rows:
        return None
    first, final = rows[0], rows[-1]
    if int(first[0]) == 0:
        session.info[_GENESIS_KEY] = str(first[1])
    return int(final[0]), str(final[1]), str(final[2]), str(first[1])
