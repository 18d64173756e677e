"""``saylau import FILE --mapping MAPPING``: a wide CSV file of protocols (one row per
polling station, or a .zip holding one) read through a column mapping, checked and stored.

Exit codes (see :mod:`saylau.cli.exit_codes`): 0 stored (with ``--partial``, the good rows);
3 a bad file, mapping or definition: with bad rows nothing is stored and every bad row is
counted, the first :data:`SHOWN` listed; 4 a bad ruleset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import BAD_INPUT, fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.core.controls import CODES
from saylau.services.imports import ImportReport, import_file

SHOWN = 20
"""Bad rows listed on the terminal; the report counts all of them."""

_KEYS = {code: key for key, (code, _) in CODES.items()}


def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A wide CSV file (one row per station) or a .zip")
    ],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping", "-m", help="The mapping file (TOML; see docs/import-mapping.md)."
        ),
    ],
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Store the good rows and report the bad ones (default: a file with a bad "
            "row stores nothing).",
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Import a wide CSV file of station protocols through a column mapping."""
    console = Console()
    errors = Console(stderr=True)
    try:
        with opened(database) as store:
            report = import_file(store, file, mapping, partial=partial)
    except Exception as error:
        raise fail_with(error) from None
    print_report(console, report)
    print_problems(errors, report)
    if report.refused:
        raise typer.Exit(BAD_INPUT)


def print_report(console: Console, report: ImportReport) -> None:
    """The counts, the findings by code and the time taken."""
    table = Table(
        title=f"{report.file} -> {report.election_id} / {report.contest_id}", show_header=False
    )
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("rows read", f"{report.rows_read:,}")
    table.add_row("rows rejected", f"{report.rows_rejected:,}")
    if not report.refused:
        table.add_row("stored new", f"{report.stored.inserted:,}")
        table.add_row("stored changed (new version)", f"{report.stored.changed:,}")
        table.add_row("already stored, unchanged", f"{report.stored.unchanged:,}")
        table.add_row("ledger events added", f"{report.ledger_events:,}")
    for code, count in report.findings.items():
        table.add_row(f"  findings {code} {_KEYS.get(code, '')}", f"{count:,}")
    console.print(table)
    for code, reason in report.accepted.items():
        if code not in report.findings:
            continue
        console.print(
            f"{code} on {report.findings[code]:,} rows is accepted by the mapping and stored as "
            f"a warning: {reason}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
    console.print(
        f"Time: {phases}; total {report.total_seconds:.1f} s.", highlight=False, soft_wrap=True
    )
    if report.refused:
        return
    if report.definition_created:
        console.print(
            f"Election definition {report.election_id} created from the file.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if report.earlier is not None:
        when = report.earlier.created_at.strftime("%Y-%m-%d %H:%M UTC")
        outcome = (
            "nothing changed"
            if report.nothing_changed
            else f"{report.rows_written:,} protocols differed from the store and were updated"
        )
        console.print(
            f"Already imported on {when} (import {report.earlier.id}, as "
            f"{report.earlier.file_name}): {outcome}.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    elif report.recorded is not None:
        console.print(
            f"Recorded as import {report.recorded.id}. Next: saylau results",
            highlight=False,
            soft_wrap=True,
        )


def print_problems(console: Console, report: ImportReport) -> None:
    """The bad rows: the first :data:`SHOWN`, and how many there are."""
    if not report.problems_total:
        return
    if report.refused:
        console.print(
            f"error: {report.file}: {report.rows_rejected:,} bad rows "
            f"({report.problems_total:,} problems); nothing was stored. Mend the file, or "
            "store the good rows with --partial.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"{report.rows_rejected:,} rows were not stored ({report.problems_total:,} problems):",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    for problem in report.problems[:SHOWN]:
        console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    more = report.problems_total - min(SHOWN, len(report.problems))
    if more > 0:
        console.print(f"  ... and {more:,} more", highlight=False, markup=False)
