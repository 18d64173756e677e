"""Many rows into one table with PostgreSQL's binary ``COPY`` (psycopg), below SQLAlchemy.

A row is a tuple in the order of the columns named, its values of the Python types psycopg
dumps for the PostgreSQL types given (``text`` serves for ``json`` too: both travel as
UTF-8 text in the binary format). Every other database writes with an ``INSERT``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from saylau.store.direct import send_deferred
from saylau.store.errors import ConflictError, StoreError


def copies(connection: Connection) -> bool:
    """Whether rows go in with binary ``COPY`` on this connection (PostgreSQL with psycopg)."""
    dialect = connection.dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def copy_in(
    connection: Connection, sql: str, types: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Run ``sql``, a ``COPY ... FROM STDIN (FORMAT BINARY)``, with ``rows`` of ``types``
    on the connection's psycopg connection; the driver's errors are the caller's to word."""
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def copy_statement(connection: Connection, table: str, columns: Sequence[str]) -> str:
    """The binary ``COPY`` of ``columns`` into ``table``."""
    quote = connection.dialect.identifier_preparer.quote
    listed = ", ".join(quote(c) for c in columns)
    return f"COPY {quote(table)} ({listed}) FROM STDIN (FORMAT BINARY)"


def copy_rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Copy ``rows`` into ``table`` in the session's transaction (after any deferred writes).
    A key already stored raises :class:`ConflictError`, any other refusal
    :class:`StoreError`."""
    connection = session.connection()
    assert copies(connection)
    send_deferred(session)
    dbapi = connection.dialect.loaded_dbapi
    try:
        copy_in(connection, copy_statement(connection, table, columns), types, rows)
    except dbapi.IntegrityError as error:
        raise ConflictError(f"the database refused a write: {error}") from error
    except dbapi.Error as error:
        raise StoreError(f"database error while copying into {table}: {error}") from error
