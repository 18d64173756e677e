"""``saylau publish`` and ``saylau verify``: the ledger as a bundle anyone can check.

The bundle is signed with the CEC's **demo key** (derived from the election and commission
ids, see :mod:`saylau.services.ledger`): fine for a demonstration, not for a real election.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import VERIFICATION_FAILED, fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.services.publishing import publish_ledger
from saylau.services.verify import Verification, verify_published

PreviousOption = Annotated[
    Path | None,
    typer.Option("--previous", help="Folder of the previously published version."),
]


def publish_command(
    out: Annotated[Path, typer.Option("--out", help="New (or empty) folder for the bundle.")],
    previous: PreviousOption = None,
    database: DatabaseOption = None,
) -> None:
    """Publish the stored ledger as a signed bundle (signed with the CEC's demo key)."""
    console = Console()
    try:
        with opened(database) as store:
            bundle = publish_ledger(store, out, previous)
    except Exception as error:
        raise fail_with(error) from None
    console.print(
        f"Published version {bundle.version}: {bundle.tree_size:,} events, "
        f"root {bundle.root_hash}, in {bundle.directory}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        "Signed with the CEC's demo key (for demonstrations only). "
        f"Next: saylau verify {bundle.directory}",
        highlight=False,
        soft_wrap=True,
    )


def verify_command(
    directory: Annotated[Path, typer.Argument(help="Folder of the published bundle.")],
    previous: PreviousOption = None,
) -> None:
    """Check a published bundle with its files alone; recompute the list results."""
    console = Console()
    try:
        verification = verify_published(directory, previous)
    except Exception as error:
        raise fail_with(error) from None
    report = verification.report
    table = Table(title=f"{directory}: findings")
    table.add_column("code")
    table.add_column("event", justify="right")
    table.add_column("cause")
    for finding in report.findings:
        where = "" if finding.sequence is None else str(finding.sequence)
        table.add_row(finding.code, where, finding.message)
    if report.findings:
        console.print(table)
    console.print(
        f"version {report.version}, {report.tree_size:,} events, root {report.root_hash}",
        highlight=False,
    )
    console.print(f"root key id: {report.root_key_id}", highlight=False)
    _print_lists(console, verification)
    if not report.ok:
        console.print(f"verification failed: {len(report.findings)} findings", highlight=False)
        raise typer.Exit(VERIFICATION_FAILED)
    console.print("ok: the bundle verifies", highlight=False)


def _print_lists(console: Console, verification: Verification) -> None:
    for replayed in verification.lists:
        table = Table(
            title=f"{replayed.contest}: recomputed from the ledger "
            f"({replayed.protocols:,} protocols counted)"
        )
        table.add_column("choice")
        table.add_column("votes", justify="right")
        table.add_column("seats", justify="right")
        seats = replayed.allocation.seats if replayed.allocation is not None else {}
        for choice, votes in replayed.votes.items():
            table.add_row(choice, f"{votes:,}", str(seats.get(choice, 0)))
        table.add_row("against all", f"{replayed.against_all:,}", "")
        console.print(table)
