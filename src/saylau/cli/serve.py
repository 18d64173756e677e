"""``saylau serve``: the commission service over HTTP (uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from saylau.api.app import INSECURE_COOKIES_VARIABLE
from saylau.cli.exit_codes import fail_with
from saylau.cli.store_option import DatabaseOption, KeysOption, chosen_keys, opened
from saylau.ledger.errors import KeyFileError
from saylau.ledger.keyring import keyring_at
from saylau.store.db import ENVIRONMENT_VARIABLE, KEYS_VARIABLE, database_url
from saylau.store.errors import StoreError


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    insecure_cookies: Annotated[
        bool,
        typer.Option(help="Session cookies without 'Secure' (plain-HTTP development only)."),
    ] = False,
    database: DatabaseOption = None,
    keys: KeysOption = None,
) -> None:
    """Serve the commission service (API at /api, OpenAPI spec at /api/openapi.json).
    With --keys DIR (or $SAYLAU_KEYS) the ledger is signed with that directory's keys
    (passphrase: $SAYLAU_KEY_PASSPHRASE), else with demo keys."""
    url = database_url(database)
    directory = chosen_keys(keys)
    try:
        if directory is not None:
            keyring_at(directory)  # refused now if missing, not at the first event
        opened(url, directory).close()  # migrated once, before the workers start
    except (StoreError, KeyFileError) as error:
        raise fail_with(error) from None
    os.environ[ENVIRONMENT_VARIABLE] = url
    if directory is not None:
        os.environ[KEYS_VARIABLE] = str(directory.resolve())
    os.environ[INSECURE_COOKIES_VARIABLE] = "1" if insecure_cookies else "0"
    uvicorn.run(
        "saylau.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # A worker that starts slowly on a busy machine must not be taken for a hung one.
        timeout_worker_healthcheck=60,
        log_level="warning",
        access_log=False,
    )
