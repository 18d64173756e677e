"""Protocol entries, summaries and idempotency keys in the store.

An entry's state is kept as JSON text with its stage and version alongside. A change is
written with :func:`update_entry`, a conditional ``UPDATE ... WHERE version = :expected``:
of two writers holding the same version exactly one changes the row, the other sees a row
count of 0. The first write of a protocol inserts its row (``INSERT ... ON CONFLICT DO
NOTHING``): of two writers inserting the same protocol, one sees a row count of 0.
On PostgreSQL these statements, the lock below and the stored protocol's upsert run on the
driver's connection (:mod:`saylau.store.direct`); the upsert is sent with the transaction's
next statement.

:func:`serialize_writers` makes the writers of one database queue for the ledger (an
advisory lock on PostgreSQL, held to the end of the transaction; SQLite has one writer at a
time anyway), so they wait for each other rather than collide on the ledger's next sequence.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from saylau.core.protocol import Line
from saylau.store.bulk import CONTENT_COLUMNS
from saylau.store.direct import Direct, fetch
from saylau.store.ledger_events import lock_and_read_head
from saylau.store.models import (
    IdempotencyRecord,
    ProtocolEntryRecord,
    ProtocolRecord,
    SummaryRecord,
    table,
    utc_now,
)
from saylau.store.protocols import ProtocolRow, content_sha256

_ENTRIES = table(ProtocolEntryRecord)
_SUMMARIES = table(SummaryRecord)
_KEYS = table(IdempotencyRecord)
_PROTOCOLS = table(ProtocolRecord)
_WRITERS_LOCK = 0x5A71A0002
_LOCK_POSTGRESQL = Direct(text(f"SELECT pg_advisory_xact_lock({_WRITERS_LOCK})"))
_LOCK_SQLITE = text("UPDATE protocol_entries SET version = version WHERE 0 = 1")

# The statements of every write, built once (SQLAlchemy then reuses their compiled form).
_E = _ENTRIES.c
_ENTRY_KEY = (
    _E.election_id == bindparam("e"),
    _E.station_id == bindparam("s"),
    _E.contest_id == bindparam("c"),
)
_LOAD_ENTRY = select(_E.stage, _E.version, _E.state).where(*_ENTRY_KEY)
_ENTRY_VALUES: dict[str, Any] = {
    "election_id": bindparam("e"),
    "station_id": bindparam("s"),
    "contest_id": bindparam("c"),
    "stage": bindparam("stage"),
    "version": bindparam("version"),
    "state": bindparam("state"),
    "updated_at": bindparam("at"),
}
_INSERT_ENTRY = Direct(
    postgresql.insert(_ENTRIES).values(_ENTRY_VALUES).on_conflict_do_nothing(),
    sqlite.insert(_ENTRIES).values(_ENTRY_VALUES).on_conflict_do_nothing(),
)
_UPDATE_ENTRY = Direct(
    update(_ENTRIES)
    .where(*_ENTRY_KEY, _E.version == bindparam("expected"))
    .values(
        stage=bindparam("stage"),
        version=bindparam("version"),
        state=bindparam("state"),
        updated_at=bindparam("at"),
    )
)
_UPSERTS: dict[str, Insert] = {}
_QUEUED = "saylau.writers.queued"


def serialize_writers(
    session: Session, also: Sequence[tuple[str, Mapping[str, object]]] = ()
) -> list[list[tuple[Any, ...]]]:
    """Queue behind the other writers until this transaction ends. Call it first in the
    transaction: on PostgreSQL it takes an advisory lock (``pg_advisory_xact_lock``: one
    lock of the database, so the writers of every worker process share it); on SQLite a
    write that changes nothing takes the database's write lock before anything is read.
    On PostgreSQL the queries ``also`` (SQL text and values for the driver) run in the same
    round trip once the lock is held: their rows are returned (nothing elsewhere)."""
    if session.info.get(_QUEUED):
        return fetch(session, also) if also else []  # held already, to the transaction's end
    found: list[list[tuple[Any, ...]]] = []
    if session.get_bind().dialect.name == "postgresql":
        found = lock_and_read_head(session, _LOCK_POSTGRESQL, also)
    else:
        session.connection().execute(_LOCK_SQLITE)
    session.info[_QUEUED] = True
    return found


@dataclass(frozen=True, slots=True)
class StoredEntry:
    station: str
    contest: str
    stage: str
    version: int
    state: dict[str, Any]


def load_entry(session: Session, election: str, station: str, contest: str) -> StoredEntry | None:
    key = {"e": election, "s": station, "c": contest}
    row = session.connection().execute(_LOAD_ENTRY, key).first()
    if row is None:
        return None
    return StoredEntry(station, contest, row[0], row[1], json.loads(row[2]))


def entry_stages(
    session: Session, election: str, contest: str | None = None
) -> dict[tuple[str, str], tuple[str, int]]:
    """``(station, contest) -> (stage, version)`` of every stored entry."""
    c = _ENTRIES.c
    query = select(c.station_id, c.contest_id, c.stage, c.version).where(c.election_id == election)
    if contest is not None:
        query = query.where(c.contest_id == contest)
    return {(s, k): (stage, version) for s, k, stage, version in session.execute(query)}


def _entry_values(election: str, entry: StoredEntry) -> dict[str, object]:
    return {
        "e": election,
        "s": entry.station,
        "c": entry.contest,
        "stage": entry.stage,
        "version": entry.version,
        "state": json.dumps(entry.state, ensure_ascii=False, sort_keys=True),
        "at": utc_now(),
    }


SPECULATIVE = "saylau.entries.speculative"
"""Set in a session's ``info`` by a caller that runs its work again if a conditional write
of an entry turns out to have failed (:class:`saylau.store.direct.SpeculationError`): the
writes are then sent with the next statement instead of waiting for their answer."""


def _speculating(session: Session) -> bool:
    return bool(session.info.get(SPECULATIVE)) and session.get_bind().dialect.name == "postgresql"


def insert_entry(session: Session, election: str, entry: StoredEntry) -> bool:
    """Write the first entry of a protocol; ``False`` if the protocol has one already (when
    speculating, see :data:`SPECULATIVE`: ``True``, and the failure is raised later)."""
    values = _entry_values(election, entry)
    if _speculating(session):
        _INSERT_ENTRY.expect_later(session, values)
        return True
    return _INSERT_ENTRY.execute(session, values) == 1


def update_entry(session: Session, election: str, entry: StoredEntry, expected: int) -> bool:
    """Write ``entry`` if the stored version is still ``expected``; ``False`` if not (when
    speculating, see :data:`SPECULATIVE`: ``True``, and the failure is raised later)."""
    values = _entry_values(election, entry)
    values["expected"] = expected
    if _speculating(session):
        _UPDATE_ENTRY.expect_later(session, values)
        return True
    return _UPDATE_ENTRY.execute(session, values) == 1


def _upsert(dialect: str) -> Insert:
    """``INSERT ... ON CONFLICT (election, station, contest) DO UPDATE`` of a protocol."""
    found = _UPSERTS.get(dialect)
    if found is None:
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(_PROTOCOLS).values(
            election_id=bindparam("e"),
            station_id=bindparam("s"),
            contest_id=bindparam("c"),
            **{name: bindparam(name) for name in CONTENT_COLUMNS},
        )
        found = _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["election_id", "station_id", "contest_id"],
            set_={name: statement.excluded[name] for name in CONTENT_COLUMNS},
        )
    return found


_UPSERT_POSTGRESQL = Direct(_upsert("postgresql"))


def write_protocol(session: Session, election: str, row: ProtocolRow, version: int) -> None:
    """Insert or replace the stored protocol of ``row`` (the projection that tallies read),
    in one statement; on PostgreSQL sent with the transaction's next statement (a refusal
    is then raised by that statement or by the commit: :mod:`saylau.store.direct`)."""
    values: dict[str, object] = {line.value: row.lines.get(line) for line in Line}
    values.update(
        e=election,
        s=row.station,
        c=row.contest,
        votes=list(row.votes),
        status=row.status,
        findings=[dict(f) for f in row.findings],
        version=version,
        source=row.source,
        content_sha256=content_sha256(row),
        updated_at=utc_now(),
    )
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        values.update(votes=Json(values["votes"]), findings=Json(values["findings"]))
        _UPSERT_POSTGRESQL.later(session, [values])  # sent with the next statement
    else:
        connection.execute(_upsert(connection.dialect.name), values)


# -- summaries -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredSummary:
    commission: str
    contest: str
    stage: str
    version: int
    signed_by: str | None
    certified_by: str | None


def load_summaries(
    session: Session, election: str, contest: str, commissions: Collection[str] | None = None
) -> dict[str, StoredSummary]:
    c = _SUMMARIES.c
    query = select(c.commission_id, c.stage, c.version, c.signed_by, c.certified_by).where(
        c.election_id == election, c.contest_id == contest
    )
    if commissions is not None:
        query = query.where(c.commission_id.in_(list(commissions)))
    return {
        row[0]: StoredSummary(row[0], contest, row[1], row[2], row[3], row[4])
        for row in session.execute(query)
    }


def save_summary(session: Session, election: str, summary: StoredSummary, expected: int) -> bool:
    """Insert (``expected`` 0) or conditionally update a summary; ``False`` if the stored
    version is not ``expected``."""
    values = {
        "stage": summary.stage,
        "version": summary.version,
        "signed_by": summary.signed_by,
        "certified_by": summary.certified_by,
        "updated_at": utc_now(),
    }
    c = _SUMMARIES.c
    result = session.execute(
        update(_SUMMARIES)
        .where(
            c.election_id == election,
            c.commission_id == summary.commission,
            c.contest_id == summary.contest,
            c.version == expected,
        )
        .values(**values)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return True
    if expected != 0:
        return False
    stored = load_summaries(session, election, summary.contest, [summary.commission])
    if stored:
        return False
    session.execute(
        insert(_SUMMARIES).values(
            election_id=election,
            commission_id=summary.commission,
            contest_id=summary.contest,
            **values,
        )
    )
    return True


# -- idempotency keys ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_sha256: str
    status: int
    body: Mapping[str, Any]


_C_KEYS = _KEYS.c
_FIND_RESPONSE = Direct(
    select(_C_KEYS.request_sha256, _C_KEYS.status, _C_KEYS.response).where(
        _C_KEYS.user_id == bindparam("u"), _C_KEYS.key == bindparam("k")
    )
)
_SAVE_RESPONSE = Direct(
    insert(_KEYS).values(
        user_id=bindparam("u"),
        key=bindparam("k"),
        request_sha256=bindparam("sha"),
        status=bindparam("status"),
        response=bindparam("response"),
        created_at=bindparam("at"),
    )
)


def find_response(session: Session, user: str, key: str) -> StoredResponse | None:
    found = _FIND_RESPONSE.rows(session, {"u": user, "k": key})
    if not found:
        return None
    sha, status, response = found[0]
    return StoredResponse(sha, status, json.loads(response))


def save_response(session: Session, user: str, key: str, response: StoredResponse) -> None:
    """Keep the answer to a submission; a concurrent one with the same key fails on the
    primary key (:class:`ConflictError` when the session ends, or on PostgreSQL from the
    transaction's next statement: the row is sent with it, :mod:`saylau.store.direct`)."""
    values = {
        "u": user,
        "k": key,
        "sha": response.request_sha256,
        "status": response.status,
        "response": json.dumps(response.body, ensure_ascii=False, sort_keys=True),
        "at": utc_now(),
    }
    _SAVE_RESPONSE.later(session, [values])
