"""``saylau certify``: the CEC certifies complete contests in the ledger."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from saylau.cli.exit_codes import fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.services.certify import certify
from saylau.services.elections import resolve_election
from saylau.store.errors import NotFound


def certify_command(
    contest: Annotated[
        list[str] | None, typer.Option(help="A contest to certify (repeat; default: all).")
    ] = None,
    election: Annotated[str | None, typer.Option(help="Election id, if several.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Certify complete contests: a results-certified event by the CEC for each (demo key).
    Refuses, naming them, contests whose count is not complete."""
    console = Console()
    try:
        with opened(database) as store:
            chosen = resolve_election(store, election)
            wanted = contest or list(chosen.contests)
            unknown = [c for c in wanted if c not in chosen.contests]
            if unknown:
                raise NotFound(f"no contest {unknown[0]!r} in election {chosen.id!r}")
            done = certify(store, chosen, wanted)
    except Exception as error:
        raise fail_with(error) from None
    new = sum(1 for c in done if c.new)
    console.print(
        f"{new:,} contests certified, {len(done) - new:,} were certified with the same "
        "result already. Next: saylau publish --out DIR, then saylau verify DIR",
        highlight=False,
    )
