"""``saylau generate``: a whole election night of protocols, stored and validated."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.store_option import DatabaseOption, opened
from saylau.elections.generate import ErrorOptions
from saylau.services.night import generate_night
from saylau.store.db import shown_url


def generate_command(
    seed: Annotated[int, typer.Option(help="Seed of the generated night.")] = 2023,
    election: Annotated[str, typer.Option(help="A shipped election definition.")] = "kz-2023",
    arithmetic_errors: Annotated[
        int, typer.Option(min=0, help="Protocols with a broken control relation.")
    ] = 0,
    missing_stations: Annotated[
        int, typer.Option(min=0, help="Stations whose protocols never arrive.")
    ] = 0,
    late_corrections: Annotated[
        int, typer.Option(min=0, help="Protocols sent wrong first, then corrected.")
    ] = 0,
    database: DatabaseOption = None,
) -> None:
    """Generate the protocols of every station and contest, validate and store them."""
    console = Console()
    errors = ErrorOptions(arithmetic_errors, missing_stations, late_corrections)
    with opened(database) as store:
        report = generate_night(store, election, seed=seed, errors=errors)
        where = shown_url(str(store.engine.url))
    table = Table(title=f"{report.election_id}: generated night (seed {seed})")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("protocols generated", f"{report.protocols:,}")
    table.add_row("stations missing", f"{report.missing_stations:,}")
    table.add_row("late corrections", f"{report.corrections:,}")
    table.add_row("stored new", f"{report.stored.inserted:,}")
    table.add_row("stored changed (new version)", f"{report.stored.changed:,}")
    table.add_row("already stored, unchanged", f"{report.stored.unchanged:,}")
    table.add_row("rejected by the controls", f"{report.rejected:,}")
    table.add_row("ledger events added", f"{report.ledger_events:,}")
    for code, count in report.findings.items():
        table.add_row(f"  findings {code}", f"{count:,}")
    console.print(table)
    created = "stored" if report.definition_created else "already stored"
    console.print(
        f"Definition {created}; store {where}; {report.seconds:.1f} s. Next: saylau results",
        highlight=False,
    )
