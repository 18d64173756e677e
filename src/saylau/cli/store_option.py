"""The options shared by the commands that use the store: ``--database`` and ``--keys``.

``--keys DIR`` (or ``$SAYLAU_KEYS``) names the key directory the commands sign the ledger
with; without one, the ledger is signed with demo keys. It is given after a command that
has it (``saylau keys``, ``saylau serve``) or before any command (``saylau --keys DIR
generate``), so that every command that writes to the ledger signs with it.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Annotated

import typer

from saylau.store.db import Store, key_directory, open_store

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: $SAYLAU_DATABASE_URL, else sqlite:///saylau.db here).",
    ),
]
KeysOption = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        help="Key directory to sign the ledger with (default: $SAYLAU_KEYS, else demo keys).",
        file_okay=False,
    ),
]


GIVEN_KEYS: ContextVar[Path | None] = ContextVar("saylau_given_keys", default=None)
"""The key directory given before the command (``saylau --keys DIR``), set by ``saylau``
itself for each command it runs."""


def chosen_keys(keys: Path | None = None) -> Path | None:
    """``keys`` if given, else the one given before the command (``saylau --keys DIR``),
    else ``$SAYLAU_KEYS``, else ``None`` (the demo keys)."""
    return key_directory(keys or GIVEN_KEYS.get())


def opened(database: str | None, keys: Path | None = None) -> Store:
    """Open and migrate the store (migrations are idempotent), with its key directory."""
    store = open_store(database, chosen_keys(keys))
    store.migrate()
    return store
