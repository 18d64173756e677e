"""Alembic environment: runs the migrations on the connection that the store passes in
(``config.attributes["connection"]``), or on ``sqlalchemy.url`` when run from the alembic
command line; offline mode writes the SQL instead."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from saylau.store.models import Base


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=Base.metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _configure(connection)
        return
    engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
    try:
        with engine.begin() as owned:
            _configure(owned)
    finally:
        engine.dispose()


run()
