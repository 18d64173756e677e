"""The hottest statements of the commission service run on the driver's connection.

Each protocol action runs a few small statements (the entry's conditional update, the
ledger's insert, the writers' lock). On PostgreSQL, SQLAlchemy's execution path (compiled
cache lookup, parameter processing, result set-up) costs several times what psycopg itself
does for them, so these statements are compiled once to SQL text and executed on the
session's own DBAPI connection, in the session's transaction (psycopg prepares a statement
on the server after a few executions). Other databases keep SQLAlchemy's path.

Only plain statements without expanding parameters, whose values need no SQLAlchemy type
processing beyond what psycopg does itself (text, integers, bytes, aware datetimes), belong
here.

A write whose result nobody reads (the ledger's insert) may be *deferred*
(:meth:`Direct.later`): it is sent in one pipeline with the connection's next statement, so
it costs no round trip of its own. Whatever runs next on the connection sends the deferred
writes first, in order: the next direct statement in the same pipeline, any statement through
SQLAlchemy (a read, a savepoint, its release or rollback) just before itself, the commit
just before committing; a rollback discards them. An error of a deferred write is raised by
the statement that sent it (or by the commit), in the same transaction, which is then
rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.expression import Executable

from saylau.store.errors import ConflictError, StoreError

_DIALECT = pg_psycopg.dialect()  # type: ignore[no-untyped-call]
_PENDING = "saylau.direct.pending"
"""The key in a connection's ``info`` of the deferred writes: ``(sql, rows, expected)`` in
order, ``expected`` the number of rows the statement must change (``None``: any)."""

Pending = tuple[str, list[Any], int | None]


class SpeculationError(ConflictError):
    """A deferred conditional write (:meth:`Direct.expect_later`) did not change the rows it
    was expected to: the transaction is rolled back (see :mod:`saylau.services.group_commit`,
    which runs its group again without deferring them)."""


@contextmanager
def _errors() -> Iterator[None]:
    """The driver's errors as the store reports them (as :meth:`Store.session` does)."""
    try:
        yield
    except psycopg.IntegrityError as error:
        raise ConflictError(f"the database refused a write: {error}") from error
    except psycopg.Error as error:
        raise StoreError(f"database error: {error}") from error


def driver_connection(session: Session) -> psycopg.Connection[Any] | None:
    """The session's psycopg connection on PostgreSQL (in the session's transaction),
    ``None`` elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return None
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver


def fetch(
    session: Session, queries: Sequence[tuple[str, Mapping[str, object]]]
) -> list[list[tuple[Any, ...]]]:
    """PostgreSQL: run ``queries`` (SQL text and values) in one round trip with the
    deferred writes (and the transaction's start); returns the rows of each."""
    driver = driver_connection(session)
    assert driver is not None
    cursors = [driver.cursor() for _ in queries]
    pending = session.connection().info.pop(_PENDING, None)
    checks: list[_Check] = []
    try:
        with _errors():
            with driver.pipeline():
                if pending:
                    checks = _send(driver, pending)
                for cursor, (sql, values) in zip(cursors, queries, strict=True):
                    cursor.execute(sql, values or None)
            _verify(checks)
            return [cursor.fetchall() if cursor.description else [] for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
        _close(checks)


def pipelined(session: Session, statements: Sequence[Direct]) -> list[list[tuple[Any, ...]]]:
    """Run ``statements`` (without parameters) in one round trip on PostgreSQL, the start
    of the transaction included; returns the rows of each."""
    return fetch(session, [(statement.sql, {}) for statement in statements])


class Direct:
    """One statement, compiled once for PostgreSQL's psycopg driver."""

    def __init__(self, statement: Executable, fallback: Executable | None = None):
        """``statement`` for PostgreSQL; ``fallback`` (``statement`` if not given) runs
        through SQLAlchemy on other databases."""
        self.statement = statement if fallback is None else fallback
        self.sql = str(cast(ClauseElement, statement).compile(dialect=_DIALECT))

    def cursor(self, session: Session) -> psycopg.Cursor[Any] | None:
        """A cursor on the session's DBAPI connection on PostgreSQL, ``None`` elsewhere."""
        driver = driver_connection(session)
        return None if driver is None else driver.cursor()

    def execute(self, session: Session, values: Mapping[str, object]) -> int:
        """Run the statement with ``values``; returns the number of rows it changed."""
        cursor = self.cursor(session)
        if cursor is None:
            result = session.connection().execute(self.statement, dict(values))
            return int(result.rowcount)
        pending = session.connection().info.pop(_PENDING, None)
        checks: list[_Check] = []
        try:
            with cursor, _errors():
                if pending:
                    with cursor.connection.pipeline():
                        checks = _send(cursor.connection, pending)
                        cursor.execute(self.sql, values)
                    _verify(checks)
                else:
                    cursor.execute(self.sql, values)
                return int(cursor.rowcount)
        finally:
            _close(checks)

    def rows(self, session: Session, values: Mapping[str, object]) -> list[tuple[Any, ...]]:
        """The rows the statement (a query) returns for ``values``; on PostgreSQL in one
        round trip with the deferred writes."""
        if driver_connection(session) is None:
            found = session.connection().execute(self.statement, dict(values))
            return [tuple(row) for row in found]
        return fetch(session, [(self.sql, values)])[0]

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, object]]) -> None:
        """Run the statement once per row (one call for a single row)."""
        if len(rows) != 1:
            cursor = self.cursor(session)
            if cursor is None:
                session.connection().execute(self.statement, [dict(r) for r in rows])
                return
            pending = session.connection().info.pop(_PENDING, None) or []
            cursor.close()
            _send_now(driver_connection(session), [*pending, (self.sql, list(rows), None)])
            return
        self.execute(session, rows[0])

    def later(self, session: Session, rows: Sequence[Mapping[str, object]]) -> None:
        """Run the statement once per row with the connection's next statement (see the
        module's description); at once on other databases than PostgreSQL."""
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            self.execute_many(session, rows)
            return
        connection.info.setdefault(_PENDING, []).append((self.sql, list(rows), None))

    def expect_later(self, session: Session, values: Mapping[str, object], rows: int = 1) -> None:
        """PostgreSQL: run the statement with the connection's next statement (as
        :meth:`later`), and raise :class:`SpeculationError` then if it did not change
        ``rows`` rows. For a conditional write whose outcome is all but certain, so that
        nothing waits for its answer; the caller must be able to run its work again without
        it (see :mod:`saylau.services.group_commit`)."""
        connection = session.connection()
        assert connection.dialect.name == "postgresql", "only deferred on PostgreSQL"
        connection.info.setdefault(_PENDING, []).append((self.sql, [values], rows))


@dataclass(frozen=True)
class _Check:
    """A deferred conditional write's cursor and the rows it must change."""

    cursor: psycopg.Cursor[Any]
    sql: str
    expected: int


def _send(driver: psycopg.Connection[Any], pending: list[Pending]) -> list[_Check]:
    """Send the deferred writes (in a pipeline: the caller's); returns the checks of the
    conditional ones, to :func:`_verify` once the pipeline's results are in."""
    checks: list[_Check] = []
    with driver.cursor() as cursor:
        for sql, rows, expected in pending:
            if expected is not None:
                own = driver.cursor()
                checks.append(_Check(own, sql, expected))
                own.execute(sql, rows[0])
            elif len(rows) == 1:
                cursor.execute(sql, rows[0])
            else:
                cursor.executemany(sql, rows)
    return checks


def _verify(checks: list[_Check]) -> None:
    for check in checks:
        if check.cursor.rowcount != check.expected:
            statement = check.sql.split(None, 3)[:3]
            raise SpeculationError(
                f"a deferred {' '.join(statement)} changed {check.cursor.rowcount} rows, "
                f"not {check.expected}"
            )


def _close(checks: list[_Check]) -> None:
    for check in checks:
        check.cursor.close()


def _send_now(driver: psycopg.Connection[Any] | None, pending: list[Pending]) -> None:
    """Send ``pending`` in one round trip and check the conditional writes."""
    assert driver is not None
    checks: list[_Check] = []
    try:
        with _errors():
            with driver.pipeline():
                checks = _send(driver, pending)
            _verify(checks)
    finally:
        _close(checks)


def _flush(connection: Connection) -> None:
    """Send the deferred writes of ``connection`` (one round trip)."""
    pending = connection.info.pop(_PENDING, None)
    if not pending:
        return
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    _send_now(driver, pending)


def send_deferred(session: Session) -> None:
    """Send the session's deferred writes now (their errors are raised here)."""
    _flush(session.connection())


@event.listens_for(Engine, "before_cursor_execute")
def _before_execute(connection: Connection, *_: object) -> None:
    if _PENDING in connection.info:
        _flush(connection)


@event.listens_for(Engine, "commit")
def _before_commit(connection: Connection) -> None:
    if _PENDING in connection.info:
        _flush(connection)


@event.listens_for(Engine, "rollback")
def _on_rollback(connection: Connection) -> None:
    connection.info.pop(_PENDING, None)


@event.listens_for(Pool, "checkin")
def _on_checkin(_dbapi: object, record: Any) -> None:
    if record is not None:
        record.info.pop(_PENDING, None)
