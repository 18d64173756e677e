"""The ``saylau`` command: ``seats``, ``rulesets``, ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from saylau.cli.certify import certify_command
from saylau.cli.demo import demo_command
from saylau.cli.exit_codes import fail_with
from saylau.cli.forensics import forensics_command
from saylau.cli.history import history_command
from saylau.cli.imports import import_command
from saylau.cli.keys import keys_app
from saylau.cli.ledger import publish_command, verify_command
from saylau.cli.night import generate_command
from saylau.cli.render import render
from saylau.cli.results import results_command
from saylau.cli.seats import compute
from saylau.cli.serve import serve_command
from saylau.cli.site import site_command
from saylau.cli.store_option import GIVEN_KEYS, KeysOption
from saylau.cli.users import user_app
from saylau.core.rules import Method, Quota, RemainderRule, ThresholdBase
from saylau.core.serialize import result_data
from saylau.rulesets import available, load_ruleset

app = typer.Typer(
    help="saylau: open election results that anyone can check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
app.command("site")(site_command)
app.command("generate")(generate_command)
app.command("results")(results_command)
app.command("import")(import_command)
app.command("publish")(publish_command)
app.command("verify")(verify_command)
app.command("certify")(certify_command)
app.command("history")(history_command)
app.command("serve")(serve_command)
app.add_typer(user_app, name="user")
app.add_typer(keys_app, name="keys")
app.command("forensics")(forensics_command)
app.command("demo")(demo_command)


@app.callback()
def main(keys: KeysOption = None) -> None:
    """saylau: open election results that anyone can check.

    --keys DIR before a command (or $SAYLAU_KEYS) signs the ledger with the keys of that
    directory instead of demo keys (see 'saylau keys --help')."""
    GIVEN_KEYS.set(keys)


def fail(error: Exception) -> Exception:
    """Report an expected error in one line and choose its exit code."""
    return fail_with(error)


@app.command()
def seats(
    votes_file: Annotated[Path, typer.Argument(metavar="VOTES.csv", help="name,votes[,kind]")],
    seats: Annotated[int | None, typer.Option(help="Seats to allocate.")] = None,
    method: Annotated[Method | None, typer.Option(help="Allocation method.")] = None,
    quota: Annotated[Quota | None, typer.Option(help="Quota of largest remainder.")] = None,
    remainders: Annotated[
        RemainderRule | None, typer.Option(help="Who gets the seats left after whole quotas.")
    ] = None,
    threshold: Annotated[str | None, typer.Option(help="Threshold in per cent, e.g. 5.")] = None,
    threshold_base: Annotated[
        ThresholdBase | None, typer.Option(help="What the threshold is a percentage of.")
    ] = None,
    ties: Annotated[
        str | None,
        typer.Option(help="registration | lot:SEED | none (default: the ruleset's, else none)."),
    ] = None,
    ruleset: Annotated[str | None, typer.Option(help="A ruleset id (kz-2023) or file.")] = None,
    contest: Annotated[str | None, typer.Option(help="A contest of the ruleset.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Allocate the seats of one contest and explain every step."""
    try:
        result, title, votes = compute(
            votes_file,
            seats=seats,
            method=method,
            quota=quota,
            remainders=remainders,
            threshold=threshold,
            threshold_base=threshold_base,
            ties=ties,
            ruleset=ruleset,
            contest=contest,
        )
    except Exception as error:
        raise fail(error) from None
    if as_json:
        data = {"title": title, **result_data(result)}
        out.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)
        return
    render(out, result, title, votes)


@app.command("rulesets")
def list_rulesets(
    name: Annotated[str | None, typer.Argument(help="Show one ruleset in full.")] = None,
) -> None:
    """The shipped rulesets, or one ruleset's contests and rules with their legal sources."""
    try:
        if name is None:
            for ruleset_id in available():
                ruleset = load_ruleset(ruleset_id)
                out.print(f"[bold]{ruleset.id}[/bold]  {ruleset.title}")
                for contest in ruleset.contests.values():
                    out.print(f"  {contest.id}: {contest.title}", highlight=False)
            return
        ruleset = load_ruleset(name)
    except Exception as error:
        raise fail(error) from None
    out.print(f"[bold]{ruleset.id}[/bold]: {ruleset.title}")
    out.print(f"Law: {ruleset.law}", highlight=False)
    for contest in ruleset.contests.values():
        out.print(f"\n[bold]{contest.id}[/bold]: {contest.title}")
        for ref in contest.rule.legal.values():
            value = getattr(contest.rule, ref.rule, None)
            shown = getattr(value, "value", value)
            label = f"  {ref.rule} = {shown}" if shown is not None else f"  {ref.rule}"
            tag = "ASSUMED: " + ref.note + " " if ref.assumption else ""
            out.print(f"{label}\n      {tag}[{ref.source}]", highlight=False, markup=False)
