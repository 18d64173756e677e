"""``saylau site --out DIR``: the public portal as static files, from the stored results or,
with ``--bundle``, from a published bundle (verified first)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from saylau.cli.exit_codes import VERIFICATION_FAILED, fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.services.bundle_portal import UnverifiedBundleError, bundle_portal_data
from saylau.services.portal import PortalData, portal_data
from saylau.web.site import SiteReport, build_site

BaseOption = Annotated[
    str, typer.Option(help="Path the site is served under, e.g. /results (default: /).")
]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="Processes to render with (default: one per CPU).")
]


def site_command(
    out: Annotated[Path, typer.Option("--out", help="Folder for the static site.")],
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Build from this published bundle (verified first) instead of the store.",
        ),
    ] = None,
    election: Annotated[str | None, typer.Option(help="Election id, if several.")] = None,
    base: BaseOption = "",
    workers: WorkersOption = None,
    database: DatabaseOption = None,
) -> None:
    """Render every page, data file (CSV, JSON, Parquet, NIST) and asset as static files."""
    console = Console()
    if bundle is not None:
        site_from_bundle(console, bundle, out, base=base, workers=workers)
        return
    try:
        with opened(database) as store:
            data = portal_data(store, election)
        report = build_site(data, out, base=base.rstrip("/"), workers=workers)
    except Exception as error:
        raise fail_with(error) from None
    _print_report(console, out, report, data)


def site_from_bundle(
    console: Console, bundle: Path, out: Path, *, base: str = "", workers: int | None = None
) -> None:
    """Verify the bundle, then render the site from its ledger alone."""
    try:
        with console.status(f"Verifying {bundle} before building the site from it"):
            data, source = bundle_portal_data(bundle)
        report = build_site(data, out, base=base.rstrip("/"), workers=workers)
    except UnverifiedBundleError as error:
        console.print(error.message, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(VERIFICATION_FAILED) from None
    except Exception as error:
        raise fail_with(error) from None
    console.print(
        f"Built from bundle version {source.version} ({source.tree_size:,} events, root "
        f"{source.root_hash}), which verifies.",
        highlight=False,
        soft_wrap=True,
    )
    _print_report(console, out, report, data)


def _print_report(console: Console, out: Path, report: SiteReport, data: PortalData) -> None:
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
