"""``saylau history``: one protocol's public history from a published bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import fail_with
from saylau.services.history import bundle_history


def history_command(
    directory: Annotated[Path, typer.Argument(help="Folder of a published bundle.")],
    station: Annotated[str, typer.Option(help="The polling station's id.")],
    contest: Annotated[str, typer.Option(help="The contest's id.")],
    proof: Annotated[
        bool, typer.Option("--proof", help="Also print the inclusion proof as JSON.")
    ] = False,
) -> None:
    """Who entered, corrected, accepted and approved a protocol, when and why, what
    changed; and the proof that its current numbers are in the published ledger."""
    console = Console()
    try:
        entries, inclusion = bundle_history(directory, station, contest)
    except Exception as error:
        raise fail_with(error) from None
    table = Table(title=f"protocol {station} / {contest}")
    for name in ("event", "time", "what", "by", "version", "why", "changes"):
        table.add_column(name)
    for entry in entries:
        why = "; ".join(x for x in (entry.reason, entry.decision) if x)
        table.add_row(
            str(entry.sequence),
            entry.time,
            entry.kind,
            entry.commission,
            str(entry.version),
            why,
            "\n".join(entry.changes),
        )
    console.print(table)
    state = "verifies" if inclusion.verifies() else "DOES NOT verify"
    console.print(
        f"event {inclusion.index} is in the published tree of {inclusion.tree_size:,} events "
        f"(root {inclusion.root_hash}): the proof {state}",
        highlight=False,
        soft_wrap=True,
    )
    if proof:
        console.print_json(json.dumps(inclusion.data()))
