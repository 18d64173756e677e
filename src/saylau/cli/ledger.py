"""``saylau publish`` and ``saylau verify``: the ledger as a bundle anyone can check.

The bundle is signed with the CEC's **demo key** (derived from the election and commission
ids, see :mod:`saylau.services.ledger`): fine for a demonstration, not for a real election.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import VERIFICATION_FAILED, fail_with
from saylau.cli.site import site_from_bundle
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
    site: Annotated[
        Path | None,
        typer.Option(
            "--site",
            help="Also render the portal as a static site into this folder, from the bundle "
            "just published (after verifying it).",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Publish the stored ledger as a signed bundle (signed with the CEC's current key from
    the key directory, --keys DIR before the command or $SAYLAU_KEYS, else its demo key)."""
    console = Console()
    try:
        with opened(database) as store:
            bundle = publish_ledger(store, out, previous)
            demo = store.keys is None
    except Exception as error:
        raise fail_with(error) from None
    console.print(
        f"Published version {bundle.version}: {bundle.tree_size:,} events, "
        f"root {bundle.root_hash}, in {bundle.directory}",
        highlight=False,
        soft_wrap=True,
    )
    signed = (
        "Signed with the CEC's demo key (for demonstrations only)."
        if demo
        else "Signed with the CEC's current key."
    )
    console.print(
        f"{signed} Next: saylau verify {bundle.directory}", highlight=False, soft_wrap=True
    )
    if site is not None:
        site_from_bundle(console, bundle.directory, site)


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
    for finding in verification.findings:
        where = "" if finding.sequence is None else str(finding.sequence)
        table.add_row(finding.code, where, finding.message)
    if verification.findings:
        console.print(table)
    console.print(
        f"version {report.version}, {report.tree_size:,} events, root {report.root_hash}",
        highlight=False,
    )
    console.print(f"root key id: {report.root_key_id}", highlight=False)
    _print_results(console, verification)
    if not verification.ok:
        console.print(
            f"verification failed: {len(verification.findings)} findings", highlight=False
        )
        raise typer.Exit(VERIFICATION_FAILED)
    console.print(
        "ok: the bundle verifies, and every published number equals the one recomputed "
        "from its ledger",
        highlight=False,
    )


def _print_results(console: Console, verification: Verification) -> None:
    districts: Counter[str] = Counter()
    district_contests = 0
    for result in verification.results:
        tally, allocation = result.tally, result.allocation
        seats = allocation.seats if allocation is not None else {}
        if result.kind != "list":
            district_contests += 1
            party = {c.id: c.party or "self-nominated" for c in result.contest.choices}
            for choice, n in seats.items():
                districts[party.get(choice, choice)] += n
            continue
        root = tally.total_row()
        table = Table(
            title=f"{result.contest.id}: recomputed from the ledger "
            f"({int(tally.stations_counted[root]):,} of "
            f"{int(tally.stations_expected[root]):,} stations counted)"
        )
        table.add_column("choice")
        table.add_column("votes", justify="right")
        table.add_column("seats", justify="right")
        for choice, votes in tally.votes_at(tally.tree.commission_ids[root]).items():
            table.add_row(choice, f"{votes:,}", str(seats.get(choice, 0)))
        console.print(table)
    if district_contests:
        won = ", ".join(f"{party} {n}" for party, n in districts.most_common(8) if n)
        console.print(
            f"{district_contests:,} district contests recomputed; seats by party: {won}",
            highlight=False,
        )
