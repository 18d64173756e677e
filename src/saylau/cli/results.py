"""``saylau results``: results, progress and seats of the stored protocols."""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import fail_with
from saylau.cli.explain import num, pct
from saylau.cli.render import render
from saylau.cli.store_option import DatabaseOption, opened
from saylau.core.districts import DistrictResult
from saylau.core.election import Election
from saylau.core.protocol import Line
from saylau.core.serialize import Data, result_data
from saylau.services.elections import resolve_election
from saylau.services.results import ContestResult, contest_results
from saylau.store.errors import NotFound


def share(part: int, whole: int) -> Fraction:
    return Fraction(100 * part, whole) if whole else Fraction(0)


def choice_names(result: ContestResult, language: str) -> dict[str, str]:
    return {c.id: c.name.get(language) for c in result.contest.choices}


def progress(result: ContestResult, commission: str) -> dict[str, int]:
    tally = result.tally
    row = tally.row(commission)
    return {
        "stations_counted": int(tally.stations_counted[row]),
        "stations_expected": int(tally.stations_expected[row]),
        "voters_counted": int(tally.voters_counted[row]),
        "voters_expected": int(tally.voters_expected[row]),
    }


def contest_data(result: ContestResult, commission: str, language: str) -> dict[str, Data]:
    """The JSON shape of one contest at one commission."""
    tally = result.tally
    votes = tally.votes_at(commission)
    data: dict[str, Data] = {
        "id": result.contest.id,
        "title": result.contest.title.get(language),
        "rule": result.contest.rule,
        "kind": result.kind,
        "commission": commission,
        "status": result.status,
        "progress": dict(progress(result, commission)),
        "protocols_stored": result.stored,
        "protocols_rejected": result.rejected,
        "votes": {cid: votes[cid] for cid in tally.choice_ids},
        "names": dict(choice_names(result, language)),
        "lines": {line.value: tally.line_at(commission, line) for line in Line},
    }
    if result.allocation is not None:
        data["allocation"] = result_data(result.allocation)
    return data


def print_summary(
    console: Console, election: Election, results: list[ContestResult], language: str
) -> None:
    """The party-list contests one line each, the district contests counted by party."""
    lists = Table(title=f"{election.title.get(language)}: party-list contests")
    lists.add_column("contest")
    lists.add_column("status")
    lists.add_column("stations", justify="right")
    lists.add_column("voters covered", justify="right")
    lists.add_column("seats")
    won: dict[str, Counter[str]] = {}
    decided: Counter[str] = Counter()
    contests: Counter[str] = Counter()
    party_names = {p.id: p.short.get(language) for p in election.parties.values()}
    for result in results:
        contest, tally = result.contest, result.tally
        root = tally.total_row()
        if result.kind == "district":
            contests[contest.rule] += 1
            if isinstance(result.allocation, DistrictResult) and result.allocation.elected:
                decided[contest.rule] += 1
                party_of = {c.id: c.party for c in contest.choices}
                for winner in result.allocation.elected:
                    party = party_of[winner]
                    label = party_names.get(party, party) if party else "self-nominated"
                    won.setdefault(contest.rule, Counter())[label] += 1
            continue
        names = {
            c.id: party_names[c.party] if c.party in party_names else c.name.get(language)
            for c in contest.choices
        }
        seats = ""
        if result.allocation is not None:
            seats = ", ".join(f"{names[c]} {n}" for c, n in result.allocation.seats.items() if n)
        lists.add_row(
            contest.title.get(language),
            result.status,
            f"{tally.stations_counted[root]:,}/{tally.stations_expected[root]:,}",
            pct(share(int(tally.voters_counted[root]), int(tally.voters_expected[root]))),
            seats,
        )
    console.print(lists)
    if contests:
        table = Table(title="Single-member district contests")
        table.add_column("ruleset contest")
        table.add_column("decided", justify="right")
        table.add_column("seats won")
        for rule in sorted(contests):
            who = ", ".join(f"{w} {n}" for w, n in won.get(rule, Counter()).most_common())
            table.add_row(rule, f"{decided[rule]:,}/{contests[rule]:,}", who)
        console.print(table)


def print_contest(
    console: Console, election: Election, result: ContestResult, commission: str, language: str
) -> None:
    """One contest at one commission: progress, votes, and the seats explained."""
    tally = result.tally
    whole = progress(result, election_root(election))
    here = progress(result, commission)
    console.print(
        f"[bold]{result.contest.title.get(language)}[/bold] ({result.contest.id}): "
        f"{result.status}; stations counted {whole['stations_counted']:,} of "
        f"{whole['stations_expected']:,}; protocols stored {result.stored:,}, of which "
        f"rejected by the controls (not counted) {result.rejected:,}.",
        highlight=False,
    )
    if commission != election_root(election):
        name = election.commissions[commission].name.get(language)
        console.print(
            f"Under {name} ({commission}): stations {here['stations_counted']:,} of "
            f"{here['stations_expected']:,}, voters covered {num(here['voters_counted'])} of "
            f"{num(here['voters_expected'])}.",
            highlight=False,
        )
    names = choice_names(result, language)
    if result.allocation is None:
        console.print("No protocol counted yet.")
        return
    votes = tally.contest_votes(commission, against_all=result.contest.against_all)
    title = (
        "Votes and seats"
        if commission == election_root(election)
        else f"Votes under {commission}; seats of the whole contest"
    )
    render(console, result.allocation, title, votes, names)


def results_command(
    contest: Annotated[str | None, typer.Option(help="One contest, explained.")] = None,
    commission: Annotated[
        str | None, typer.Option(help="Votes and progress under this commission.")
    ] = None,
    election: Annotated[str | None, typer.Option(help="Election id, if several.")] = None,
    language: Annotated[str, typer.Option("--lang", help="kk, ru or en.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Results, progress and seats from the stored protocols."""
    console = Console()
    try:
        with opened(database) as store:
            chosen = resolve_election(store, election)
            if contest is not None and contest not in chosen.contests:
                raise NotFound(f"no contest {contest!r} in election {chosen.id!r}")
            where = commission or election_root(chosen)
            if where not in chosen.commissions:
                raise NotFound(f"no commission {where!r} in election {chosen.id!r}")
            ids = [contest] if contest else list(chosen.contests)
            if commission and not contest:
                ids = [c for c in ids if _votes_under(chosen, c, where)]
            results = contest_results(store, chosen, ids)
    except Exception as error:
        raise fail_with(error) from None
    if as_json:
        data = {
            "election": chosen.id,
            "contests": [contest_data(r, where, language) for r in results],
        }
        console.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)
        return
    if contest is not None:
        print_contest(console, chosen, results[0], where, language)
        return
    print_summary(console, chosen, results, language)


def election_root(election: Election) -> str:
    return next(c.id for c in election.commissions.values() if c.parent is None)


def _votes_under(election: Election, contest_id: str, commission: str) -> bool:
    under = set(election.subtree_stations(commission))
    return any(s in under for s in election.contest_stations(contest_id))
