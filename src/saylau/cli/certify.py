"""``saylau certify``: the CEC certifies complete contests in the ledger, drawing the lots
that decide the ties the law leaves to it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from saylau.cli.exit_codes import UsageError, fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.services.certify import Certified, certify
from saylau.services.elections import resolve_election
from saylau.store.errors import NotFound


def parse_lots(values: list[str] | None) -> dict[str, str]:
    """``CONTEST=SEED`` options as contest -> seed (one seed per contest)."""
    lots: dict[str, str] = {}
    for value in values or []:
        contest, sign, seed = value.partition("=")
        if not sign or not contest or not seed:
            raise UsageError(f"option --lot: expected CONTEST=SEED, found {value!r}")
        if contest in lots:
            raise UsageError(f"option --lot: contest {contest} is given twice")
        lots[contest] = seed
    return lots


def _drawn(certified: Certified) -> list[str]:
    lines = []
    for tie in certified.lots:
        winners = ", ".join(tie.winners or ())
        lines.append(
            f"{certified.contest}: tie {tie.describe()} decided by lot (seed {tie.seed!r}): "
            f"{winners}"
        )
    return lines


def certify_command(
    contest: Annotated[
        list[str] | None, typer.Option(help="A contest to certify (repeat; default: all).")
    ] = None,
    lot: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CONTEST=SEED",
            help="Decide the unresolved ties of CONTEST by lot from SEED, a text published "
            "before the draw (repeat for several contests).",
        ),
    ] = None,
    election: Annotated[str | None, typer.Option(help="Election id, if several.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Certify complete contests: a results-certified event by the CEC for each (demo key).
    Refuses, naming them, contests whose count is not complete and contests with a tie left
    to the commission; --lot draws the lots for those ties (a lot-drawn event each, before
    the certification)."""
    console = Console()
    try:
        seeds = parse_lots(lot)
        with opened(database) as store:
            chosen = resolve_election(store, election)
            wanted = contest or list(chosen.contests)
            unknown = [c for c in [*wanted, *seeds] if c not in chosen.contests]
            if unknown:
                raise NotFound(f"no contest {unknown[0]!r} in election {chosen.id!r}")
            outside = [c for c in seeds if c not in wanted]
            if outside:
                raise UsageError(
                    f"option --lot: contest {outside[0]} is not among the contests to certify "
                    "(--contest)"
                )
            done = certify(store, chosen, wanted, lots=seeds)
    except Exception as error:
        raise fail_with(error) from None
    for certified in done:
        for line in _drawn(certified) if certified.new else []:
            console.print(line, highlight=False, markup=False, soft_wrap=True)
    new = sum(1 for c in done if c.new)
    console.print(
        f"{new:,} contests certified, {len(done) - new:,} were certified with the same "
        "result already. Next: saylau publish --out DIR, then saylau verify DIR",
        highlight=False,
    )
