"""The ``--database`` option shared by the commands that use the store."""

from __future__ import annotations

from typing import Annotated

import typer

from saylau.store.db import Store, open_store

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: $SAYLAU_DATABASE_URL, else sqlite:///saylau.db here).",
    ),
]


def opened(database: str | None) -> Store:
    """Open and migrate the store (migrations are idempotent)."""
    store = open_store(database)
    store.migrate()
    return store
