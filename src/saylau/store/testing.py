"""A throw-away store for tests, on SQLite or on PostgreSQL.

:func:`temporary_store` gives a fresh, migrated store and removes it afterwards. Without
``SAYLAU_TEST_DATABASE_URL`` it is an SQLite file in a temporary directory; with it (a
PostgreSQL URL such as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) it is a new
database with a unique name on that server, dropped at the end. So the same tests run on both.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from saylau.store.db import Store, open_store

TEST_URL_VARIABLE = "SAYLAU_TEST_DATABASE_URL"


@contextmanager
def temporary_store(*, migrate: bool = True) -> Iterator[Store]:
    """A fresh store, migrated to the newest revision unless ``migrate`` is false."""
    server_url = os.environ.get(TEST_URL_VARIABLE)
    if server_url:
        with _postgres_database(server_url) as url, open_store(url) as store:
            store.keys = None  # demo keys, whatever $SAYLAU_KEYS says: a test sets its own
            if migrate:
                store.migrate()
            yield store
    else:
        with tempfile.TemporaryDirectory(prefix="saylau-") as directory:
            path = Path(directory) / "saylau.db"
            with open_store(f"sqlite:///{path}") as store:
                store.keys = None
                if migrate:
                    store.migrate()
                yield store


@contextmanager
def _postgres_database(server_url: str) -> Iterator[str]:
    name = f"saylau_test_{uuid.uuid4().hex[:16]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()
