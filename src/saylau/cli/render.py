"""Rich rendering of results: the seat table, then the explanation."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from rich.console import Console
from rich.table import Table

from saylau.cli.explain import num, pct, step_lines
from saylau.core.allocation import ListResult
from saylau.core.districts import DistrictResult
from saylau.core.votes import ContestVotes


def seat_table(
    result: ListResult | DistrictResult,
    votes: ContestVotes,
    names: Mapping[str, str] | None = None,
) -> Table:
    """Parties in registration order with votes, share of valid ballots and seats."""
    shown = names or {}
    valid = votes.valid
    table = Table(show_footer=True)
    table.add_column("party / candidate", footer="total of parties")
    table.add_column("votes", justify="right", footer=num(votes.party_votes))
    table.add_column("% of valid", justify="right")
    table.add_column("seats", justify="right", footer=str(sum(result.seats.values())))
    for choice in votes.parties:
        share = pct(Fraction(100 * choice.votes, valid)) if valid else "-"
        table.add_row(
            shown.get(choice.name, choice.name),
            num(choice.votes),
            share,
            str(result.seats[choice.name]),
        )
    if votes.against_all:
        share = pct(Fraction(100 * votes.against_all, valid))
        table.add_row("against all", num(votes.against_all), share, "")
    return table


def render(
    console: Console,
    result: ListResult | DistrictResult,
    title: str,
    votes: ContestVotes,
    names: Mapping[str, str] | None = None,
) -> None:
    console.print(f"[bold]{title}[/bold]", highlight=False)
    console.print(seat_table(result, votes, names))
    if not result.complete:
        console.print(
            f"[bold red]{result.unfilled} seat(s) not allocated: an unresolved tie or rule "
            "leaves them to the commission.[/bold red]"
        )
    rule_ties = result.rule.ties.value
    if result.rule.legal and result.ties_policy.split(":")[0] != rule_ties:
        console.print(
            f"Note: ties are broken by '{result.ties_policy}' as given on the command line; "
            f"the ruleset's rule is '{rule_ties}'.",
            highlight=False,
            markup=False,
        )
    console.print("[bold]How the seats were allocated[/bold]")
    for step in result.steps:
        for line in step_lines(step, result.ties, names):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
    if result.assumptions:
        console.print("[bold]Assumptions used (the law is silent or unconfirmed)[/bold]")
        for ref in result.assumptions:
            console.print(f"  {ref.rule}: {ref.note}", highlight=False, markup=False)
