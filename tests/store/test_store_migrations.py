"""The migrations build the schema from nothing, come down again, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from saylau.store import Store, StoreError
from saylau.store.db import migration_config
from saylau.store.models import Base
from saylau.store.testing import temporary_store

TABLES = {
    "elections",
    "commissions",
    "stations",
    "contests",
    "protocols",
    "imports",
    "ledger_events",
    "users",
    "role_assignments",
    "credentials",
    "sign_in_attempts",
    "protocol_entries",
    "summaries",
    "idempotency_keys",
    "waiting_actions",
}


def _tables(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_downgrade_and_upgrade_again() -> None:
    with temporary_store(migrate=False) as store:
        assert store.revision() is None
        assert _tables(store) == set()
        store.migrate()
        assert store.revision() == store.head()
        assert _tables(store) == TABLES
        store.downgrade("base")
        assert store.revision() is None
        assert _tables(store) == set()
        store.migrate()
        assert _tables(store) == TABLES


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_one_linear_history() -> None:
    scripts = ScriptDirectory.from_config(migration_config())
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert revisions[-1].down_revision is None
    for revision in revisions:
        assert revision.module.downgrade is not None


def test_migrating_twice_changes_nothing(store: Store) -> None:
    store.migrate()
    assert store.revision() == store.head()


def test_sqlite_pragmas(store: Store) -> None:
    if store.dialect != "sqlite":
        return
    with store.engine.connect() as connection:
        driver = connection.connection.dbapi_connection
        assert driver is not None
        assert driver.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert driver.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert driver.execute("PRAGMA synchronous").fetchone() == (1,)


def test_unknown_revision_is_a_store_error(store: Store) -> None:
    """A database migrated by a newer program is not touched."""
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    with pytest.raises(StoreError, match="from-the-future"):
        store.migrate()
