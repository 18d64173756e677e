"""``saylau keys``: the commissions' signing keys in a key directory.

``generate`` writes a commission's first key before its first event (the CEC registers it
then), ``rotate`` replaces a commission's key by a new one with a ``key-rotated`` event,
``list`` shows every key the ledger knows and the key files it does not name. The key
directory is ``--keys DIR`` or ``$SAYLAU_KEYS``; key files are encrypted with
``$SAYLAU_KEY_PASSPHRASE`` when it is set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import UsageError, fail_with
from saylau.cli.store_option import DatabaseOption, KeysOption, chosen_keys, opened
from saylau.core.election import Election
from saylau.services.elections import SHIPPED, resolve_election, shipped_definition
from saylau.services.keyring import (
    generate_keys,
    key_table,
    loose_keys,
    rotate_key,
    without_keys,
)
from saylau.store.db import Store
from saylau.store.errors import NotFound

keys_app = typer.Typer(
    help="The commissions' signing keys in a key directory (--keys DIR or $SAYLAU_KEYS): "
    "generate, rotate, list.",
    no_args_is_help=True,
)

ElectionOption = Annotated[str | None, typer.Option(help="Election id, if several.")]


def _directory(keys: Path | None) -> Path:
    chosen = chosen_keys(keys)
    if chosen is None:
        raise UsageError(
            "no key directory: give --keys DIR or set SAYLAU_KEYS (without one, the "
            "ledger is signed with demo keys)"
        )
    return chosen


def _election(store: Store, election: str | None) -> Election:
    """The election named or the only one stored; a shipped one not stored yet when named
    (so that its keys can be made before its first event)."""
    try:
        return resolve_election(store, election)
    except NotFound:
        if election in SHIPPED:
            return shipped_definition(election)[0]
        raise


@keys_app.command("generate")
def generate_command(
    commission: Annotated[
        list[str] | None,
        typer.Option(help="A commission or station that has no key yet (repeat)."),
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every commission and station with no key yet (neither in the "
            "ledger nor waiting in the directory).",
        ),
    ] = False,
    election: ElectionOption = None,
    database: DatabaseOption = None,
    keys: KeysOption = None,
) -> None:
    """Write a new key for a commission before its first event: the CEC registers it
    then, instead of a demo key. Encrypted with $SAYLAU_KEY_PASSPHRASE when set."""
    console = Console()
    try:
        if bool(commission) == every:
            raise UsageError("name the commissions with --commission, or give --all")
        directory = _directory(keys)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with opened(database, directory) as store:
            chosen = _election(store, election)
            wanted = without_keys(store, chosen) if every else list(commission or ())
            created = generate_keys(store, chosen, wanted)
    except Exception as error:
        raise fail_with(error) from None
    for name, key_id in zip(wanted, created, strict=True):
        if len(created) <= 20:
            console.print(
                f"commission {name}: key {key_id} written to {directory / name / key_id}.pem",
                highlight=False,
            )
    console.print(
        f"{len(created):,} keys written; the CEC registers each before its commission's "
        "first event",
        highlight=False,
    )


@keys_app.command("rotate")
def rotate_command(
    commission: Annotated[str, typer.Option(help="The commission or station to rotate.")],
    reason: Annotated[str, typer.Option(help="Why, as the ledger records it.")],
    election: ElectionOption = None,
    database: DatabaseOption = None,
    keys: KeysOption = None,
) -> None:
    """Replace a commission's key: a new key file, then a key-rotated event signed by the
    CEC's current key (for the CEC, by the key it retires), in one transaction. Later
    events of the commission are signed with the new key; the old one signs nothing more."""
    console = Console()
    try:
        directory = _directory(keys)
        with opened(database, directory) as store:
            chosen = resolve_election(store, election)
            rotation = rotate_key(store, chosen, commission, reason)
    except Exception as error:
        raise fail_with(error) from None
    console.print(
        f"key of {rotation.commission} rotated: {rotation.old_key_id} -> {rotation.key_id} "
        f"(event {rotation.event.sequence}); the new key is "
        f"{directory / rotation.commission / rotation.key_id}.pem",
        highlight=False,
    )


@keys_app.command("list")
def list_command(
    commission: Annotated[str | None, typer.Option(help="Only this commission's keys.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database: DatabaseOption = None,
    keys: KeysOption = None,
) -> None:
    """Every commission's keys as the ledger says: id, registered, retired, replaced by,
    and (with a key directory) whether its file is there; then the key files the ledger
    does not name."""
    console = Console()
    try:
        with opened(database, keys) as store:
            table = key_table(store)
            loose = loose_keys(store, [k.record for k in table]) if store.keys is not None else []
    except Exception as error:
        raise fail_with(error) from None
    if commission is not None:
        table = [k for k in table if k.record.commission == commission]
        loose = [k for k in loose if k.commission == commission]
    if as_json:
        data = {
            "keys": [
                {
                    "commission": k.record.commission,
                    "key_id": k.record.key_id,
                    "registered": k.record.registered,
                    "registered_time": k.record.registered_time,
                    "retired": k.record.retired,
                    "retired_time": k.record.retired_time,
                    "replaced_by": k.record.replaced_by,
                    "file": k.in_directory,
                }
                for k in table
            ],
            "not_in_ledger": [
                {"commission": k.commission, "key_id": k.key_id, "waiting": k.waiting}
                for k in loose
            ],
        }
        console.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)
        return
    shown = Table("commission", "key id", "registered", "retired", "replaced by", "file")
    for k in table:
        record = k.record
        shown.add_row(
            record.commission,
            record.key_id,
            f"event {record.registered}, {record.registered_time}",
            "" if record.retired is None else f"event {record.retired}, {record.retired_time}",
            record.replaced_by or "",
            {None: "-", True: "yes", False: "MISSING"}[k.in_directory],
        )
    console.print(shown)
    console.print(f"{len(table):,} keys in the ledger", highlight=False)
    for file in loose:
        what = (
            "waiting: registered before the commission's first event"
            if file.waiting
            else "not in the ledger: never used (a rotation that did not commit?)"
        )
        console.print(f"key file {file.commission}/{file.key_id}.pem: {what}", highlight=False)
