"""Batched writes of protocol rows, below the ORM.

A batch is one driver call: ``executemany`` of a plain SQL statement with positional
parameters whose values are already encoded (JSON as text, times as the dialect stores them),
so SQLAlchemy does no per-row work. On PostgreSQL with psycopg, rows go in with binary
``COPY`` instead, several times faster: new rows straight into ``protocols``, changes into a
temporary table that one ``UPDATE ... FROM`` applies at the end. Updates carry the version
they expect to replace, so a protocol changed by another writer in the meantime is not
overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from saylau.store.copying import copies, copy_in
from saylau.store.errors import ConflictError, StoreError
from saylau.store.models import LINE_COLUMNS, ProtocolRecord, table, utc_now

KEY_COLUMNS = ("election_id", "station_id", "contest_id")
CONTENT_COLUMNS = (
    *LINE_COLUMNS,
    "votes",
    "status",
    "findings",
    "version",
    "source",
    "content_sha256",
    "updated_at",
)
"""An insert row is ``KEY_COLUMNS + CONTENT_COLUMNS``; an update row is
``CONTENT_COLUMNS + KEY_COLUMNS + (expected version,)``."""

_PROTOCOLS = table(ProtocolRecord)
_CHANGES = "saylau_protocol_changes"

_KEY_TYPES = ("text",) * len(KEY_COLUMNS)
_CONTENT_TYPES = (
    *(("int8",) * len(LINE_COLUMNS)),
    "text",  # votes, json: the same bytes as text in the binary format
    "text",
    "text",  # findings, json
    "int4",
    "text",
    "text",
    "timestamptz",
)
_INSERT_TYPES = [*_KEY_TYPES, *_CONTENT_TYPES]
_CHANGE_TYPES = [*_CONTENT_TYPES, *_KEY_TYPES, "int4"]
"""The types of an insert and an update row in PostgreSQL's binary copy format."""


class BulkWriter:
    """Collects inserts and updates (keyed by contest and station) and writes them.

    On PostgreSQL the inserts of successive flushes go into one ``COPY``, kept open so that
    the server stores rows while the next ones are prepared; it ends with :meth:`settle`
    (before any other statement on the connection), :meth:`finish`, or leaving the writer
    as a context manager (which abandons it on an error)."""

    def __init__(self, connection: Connection):
        dialect = connection.dialect
        if dialect.paramstyle == "qmark":
            mark = "?"
        elif dialect.paramstyle in {"format", "pyformat"}:
            mark = "%s"
        else:
            raise StoreError(f"unsupported database driver parameter style {dialect.paramstyle}")
        quote = dialect.identifier_preparer.quote
        name = quote(_PROTOCOLS.name)
        columns = ", ".join(quote(c) for c in (*KEY_COLUMNS, *CONTENT_COLUMNS))
        marks = ", ".join([mark] * (len(KEY_COLUMNS) + len(CONTENT_COLUMNS)))
        self.insert_sql = f"INSERT INTO {name} ({columns}) VALUES ({marks})"
        settings = ", ".join(f"{quote(c)} = {mark}" for c in CONTENT_COLUMNS)
        keys = " AND ".join(f"{quote(c)} = {mark}" for c in (*KEY_COLUMNS, "version"))
        self.update_sql = f"UPDATE {name} SET {settings} WHERE {keys}"
        self.copy = copies(connection)
        if self.copy:
            self.copy_insert_sql = f"COPY {name} ({columns}) FROM STDIN (FORMAT BINARY)"
            changes = quote(_CHANGES)
            listed = ", ".join(quote(c) for c in (*CONTENT_COLUMNS, *KEY_COLUMNS))
            self.changes_sql = (
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {changes} ON COMMIT DROP AS "
                f"SELECT {listed}, {quote('version')} AS {quote('expected_version')} "
                f"FROM {name} WITH NO DATA"
            )
            self.copy_changes_sql = f"COPY {changes} FROM STDIN (FORMAT BINARY)"
            settings = ", ".join(f"{quote(c)} = c.{quote(c)}" for c in CONTENT_COLUMNS)
            keys = " AND ".join(f"p.{quote(c)} = c.{quote(c)}" for c in KEY_COLUMNS)
            self.apply_changes_sql = (
                f"UPDATE {name} AS p SET {settings} FROM {changes} AS c WHERE {keys} "
                f"AND p.{quote('version')} = c.{quote('expected_version')}"
            )
            self.analyze_changes_sql = f"ANALYZE {changes}"
            self.clear_changes_sql = f"TRUNCATE {changes}"
        self.connection = connection
        self.sane_rowcount = dialect.supports_sane_multi_rowcount
        self.inserts: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.updates: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.staged: set[tuple[str, str]] = set()
        """Changes copied into the temporary table, not yet applied (PostgreSQL)."""
        self._stream: Any = None
        """The open ``COPY`` of inserts (PostgreSQL)."""
        self._stream_stack = ExitStack()
        """Closes that ``COPY`` and its cursor."""
        process = _PROTOCOLS.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
        now = utc_now()
        self.now = process(now) if process is not None else now
        """The time of this batch, as the driver takes it."""

    def flush(self) -> None:
        """Write the collected rows (on PostgreSQL, changes are staged until :meth:`finish`)."""
        try:
            self._flush()
        except IntegrityError as error:
            raise ConflictError(f"the database refused a write: {error.orig}") from error

    def finish(self) -> None:
        """Write everything still collected or staged."""
        self.flush()
        self.settle()
        self.apply()

    def settle(self) -> None:
        """End the open ``COPY`` of inserts (PostgreSQL): the connection can run other
        statements again. A key already stored raises :class:`ConflictError` here."""
        if self._stream is None:
            return
        self._stream = None
        with self._errors():
            self._stream_stack.close()

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._stream is None:
            return
        self._stream = None
        if error is None:
            with self._errors():
                self._stream_stack.close()
        else:
            # abandons the copy; the error that ended it is the one raised
            self._stream_stack.__exit__(kind, error, trace)

    def apply(self) -> None:
        """Apply the staged changes (PostgreSQL) in one ``UPDATE ... FROM``."""
        if not self.staged:
            return
        self.settle()
        run = self.connection.exec_driver_sql
        # Statistics let the planner choose index lookups for a few changes, one hash join
        # for many; applying once at the end reads the table once, not once per batch.
        run(self.analyze_changes_sql)
        self._check(len(self.staged), run(self.apply_changes_sql).rowcount)
        run(self.clear_changes_sql)
        self.staged.clear()

    def _flush(self) -> None:
        if self.inserts:
            if self.copy:
                self._write_inserts(self.inserts.values())
            else:
                self.connection.exec_driver_sql(self.insert_sql, list(self.inserts.values()))
            self.inserts.clear()
        if self.updates:
            if self.copy:
                self.settle()
                self.connection.exec_driver_sql(self.changes_sql)
                self._copy(self.copy_changes_sql, _CHANGE_TYPES, self.updates.values())
                self.staged.update(self.updates)
            else:
                params = list(self.updates.values())
                updated = self.connection.exec_driver_sql(self.update_sql, params).rowcount
                self._check(len(params), updated if self.sane_rowcount else len(params))
            self.updates.clear()

    @staticmethod
    def _check(expected: int, updated: int) -> None:
        if updated != expected:
            raise ConflictError(
                f"{expected - updated} of {expected} changed protocols were changed by "
                "another writer in the meantime: reload them and apply the change again"
            )

    def _write_inserts(self, rows: Iterable[tuple[Any, ...]]) -> None:
        with self._errors():
            if self._stream is None:
                driver = self.connection.connection.driver_connection
                cursor = self._stream_stack.enter_context(driver.cursor())  # type: ignore[union-attr]
                stream = self._stream_stack.enter_context(cursor.copy(self.copy_insert_sql))
                stream.set_types(_INSERT_TYPES)
                self._stream = stream
            write = self._stream.write_row
            for row in rows:
                write(row)

    def _copy(self, sql: str, types: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        with self._errors():
            copy_in(self.connection, sql, types, rows)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        dbapi = self.connection.dialect.loaded_dbapi
        try:
            yield
        except dbapi.IntegrityError as error:
            raise ConflictError(f"the database refused a write: {error}") from error
        except dbapi.Error as error:
            raise StoreError(f"database error while copying protocols: {error}") from error
