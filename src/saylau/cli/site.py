"""``saylau site --out DIR``: the public portal as static files, from the stored results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from saylau.cli.exit_codes import fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.services.portal import portal_data
from saylau.web.site import build_site


def site_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the static site.")],
    election: Annotated[str | None, typer.Option(help="Election id, if several.")] = None,
    base: Annotated[
        str, typer.Option(help="Path the site is served under, e.g. /results (default: /).")
    ] = "",
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes to render with (default: one per CPU).")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Render every page, data file (CSV, JSON, Parquet, NIST) and asset as static files."""
    console = Console()
    try:
        with opened(database) as store:
            data = portal_data(store, election)
        report = build_site(data, out, base=base.rstrip("/"), workers=workers)
    except Exception as error:
        raise fail_with(error) from None
    console.print(
        f"Site written to {out}: {report.pages:,} pages, {report.data_files:,} data files, "
        f"{report.files:,} files, {report.bytes / 1e6:,.1f} MB in {report.seconds:.1f} s "
        f"(status: {data.status}).",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        "Serve it with any static server, e.g. python -m http.server --directory " + str(out),
        highlight=False,
        soft_wrap=True,
    )
