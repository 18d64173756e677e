"""Opening the store: the database URL, the engine, sessions and migrations.

The default is an SQLite file ``saylau.db`` in the current directory, in WAL mode so readers
do not wait for the writer; ``SAYLAU_DATABASE_URL`` (or an explicit URL) selects another
database, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/saylau``. The schema is
created and upgraded by the Alembic migrations shipped in this package (``migrations/``),
configured here in code: no ``alembic.ini`` is needed at run time.

A store may name a key directory (``keys``: ``--keys DIR`` or ``SAYLAU_KEYS``): every
session of the store carries it in ``Session.info`` (:data:`KEYS_INFO`), so whatever appends
to the ledger in that session signs with the keys found there instead of the demo keys
(:mod:`saylau.services.ledger`). The store itself never reads the keys.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from saylau.store.errors import ConflictError, StoreError

ENVIRONMENT_VARIABLE = "SAYLAU_DATABASE_URL"
KEYS_VARIABLE = "SAYLAU_KEYS"
KEYS_INFO = "saylau.keys"
"""The key in ``Session.info`` of the store's key directory (a :class:`Path`), when it has one."""
DEFAULT_URL = "sqlite:///saylau.db"
MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x5A71A0001  # advisory lock key of schema migrations on PostgreSQL


def database_url(explicit: str | None = None) -> str:
    """``explicit`` if given, else ``$SAYLAU_DATABASE_URL``, else ``saylau.db`` here."""
    if explicit:
        return explicit
    return os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_URL


def key_directory(explicit: str | Path | None = None) -> Path | None:
    """``explicit`` if given, else ``$SAYLAU_KEYS``, else ``None`` (the demo keys)."""
    chosen = explicit or os.environ.get(KEYS_VARIABLE)
    return Path(chosen) if chosen else None


def shown_url(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def migration_config(connection: object | None = None) -> Config:
    """Alembic configuration for the shipped migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class Store:
    """One database: an engine, its sessions and its schema version.

    Use it as a context manager, or call :meth:`close`, so its connections are closed.
    ``keys``: the key directory its sessions sign the ledger with (``None``: demo keys)."""

    def __init__(self, engine: Engine, keys: Path | None = None):
        self.engine = engine
        self.keys = keys
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed if the block succeeds, rolled back if not.

        Database errors come out as :class:`StoreError` (a unique key taken by a concurrent
        writer as :class:`ConflictError`)."""
        try:
            with self._sessions.begin() as session:
                if self.keys is not None:
                    session.info[KEYS_INFO] = self.keys
                yield session
        except IntegrityError as error:
            raise ConflictError(f"the database refused a write: {error.orig}") from error
        except SQLAlchemyError as error:
            raise StoreError(f"database error: {error}") from error

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to ``revision`` (the newest by default)."""
        self._run(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Downgrade the schema to ``revision`` (``base``: no tables)."""
        self._run(command.downgrade, revision)

    def revision(self) -> str | None:
        """The schema revision of the database (``None``: not migrated)."""
        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except SQLAlchemyError as error:
            raise StoreError(f"cannot read the schema revision: {error}") from error

    @staticmethod
    def head() -> str:
        """The newest revision shipped with this program."""
        head = ScriptDirectory.from_config(migration_config()).get_current_head()
        assert head is not None
        return head

    def _run(self, action: Any, revision: str) -> None:
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    # One migrating process at a time (several servers may start together).
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                    )
                action(migration_config(connection), revision)
        except CommandError as error:
            raise StoreError(f"cannot migrate the database to {revision}: {error}") from error
        except SQLAlchemyError as error:
            raise StoreError(f"migration to {revision} failed: {error}") from error

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str | None = None, keys: str | Path | None = None) -> Store:
    """The store at ``url`` (see :func:`database_url`); SQLite files get WAL mode. ``keys``:
    the key directory to sign with (see :func:`key_directory`)."""
    chosen = database_url(url)
    try:
        engine = create_engine(chosen)
    except (ArgumentError, SQLAlchemyError, ImportError) as error:
        raise StoreError(f"cannot use the database {shown_url(chosen)}: {error}") from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return Store(engine, key_directory(keys))
