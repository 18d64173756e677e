"""``saylau forensics``: statistical screening of a stored contest, printed and written as an
HTML report with its figures (SVG). Leads for review, never proof."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from jinja2 import Environment
from markupsafe import Markup
from rich.console import Console
from rich.table import Table

from saylau.cli.exit_codes import UsageError, fail_with
from saylau.cli.store_option import DatabaseOption, opened
from saylau.forensics import ForensicsReport
from saylau.forensics.report import COMMISSION_TEST
from saylau.services.forensics import DEFAULT_SEED, ForensicsPage, contest_forensics

CAVEAT = (
    "Flags are leads for review, never proof: each says what was measured, against what "
    "null, and how surprising it is. See docs/methods/forensics.md."
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Forensics: {{ label }}</title>
<style>
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
.yes { color: #c0392b; font-weight: bold; }
figure { display: inline-block; margin: 0.5rem; }
svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>Forensics: {{ label }}</h1>
<p>{{ caveat }}</p>
<p>{{ stations }} stations; leader {{ leader }}; seed {{ seed }}, {{ replicates }} Monte
Carlo replicates; level {{ level }}.</p>
<h2>Tests</h2>
<table><tr><th>test</th><th>measured</th><th>null</th><th>statistic</th><th>p</th>
<th>level</th><th>significant</th></tr>
{% for t in tests %}<tr><td>{{ t.name }}</td><td>{{ t.measured }}</td><td>{{ t.null }}</td>
<td>{{ t.statistic }}</td><td>{{ "%.3g" % t.p_value }}</td><td>{{ "%.2g" % t.level }}</td>
<td class="{{ 'yes' if t.significant else '' }}">{{ 'yes' if t.significant else 'no' }}</td>
</tr>{% endfor %}</table>
<h2>Figures</h2>
{% for name, svg in figures %}<figure>{{ svg }}<figcaption>{{ name }}</figcaption></figure>
{% endfor %}
<h2>Fingerprint in numbers</h2>
<p>Stations with turnout and leader's share both at least {{ corner }}: {{ corner_stations }}
of the stations, {{ corner_votes }} of the leader's votes. Voter-weighted correlation of
turnout and share: {{ correlation }}. Mean turnout {{ mean_turnout }}, mean share
{{ mean_share }}.</p>
<h2>Stations flagged ({{ flags_total }}{% if flags_total > flags|length %}, the first
{{ flags|length }} shown{% endif %})</h2>
<table><tr><th>station</th><th>flag</th><th>measured</th><th>against</th><th>how surprising</th>
</tr>{% for f in flags %}<tr><td>{{ f.station }}</td><td>{{ f.kind }}</td>
<td>{{ f.measured }}</td><td>{{ f.null }}</td><td>{{ f.surprise }}</td></tr>{% endfor %}
</table></body></html>
"""


def html_report(page: ForensicsPage, *, flags: int = 500) -> str:
    """The report as one HTML page with its SVG figures inline."""
    report = page.report
    fp = report.fingerprint
    template = Environment(autoescape=True).from_string(PAGE)
    return template.render(
        label=report.label,
        caveat=CAVEAT,
        stations=f"{report.stations:,}",
        leader=report.leader,
        seed=report.seed,
        replicates=f"{report.replicates:,}",
        level=report.level,
        tests=report.tests,
        # The SVG text is built by saylau.forensics.svg, which escapes every text in it.
        figures=[(name, Markup(svg)) for name, svg in page.figures.items()],
        corner=f"{fp.corner:.0%}",
        corner_stations=f"{fp.corner_stations:.2%}",
        corner_votes=f"{fp.corner_votes:.2%}",
        correlation=f"{fp.correlation:.3f}",
        mean_turnout=f"{fp.mean_turnout:.1%}",
        mean_share=f"{fp.mean_share:.1%}",
        flags_total=len(report.flags),
        flags=report.flags[:flags],
    )


def print_report(console: Console, report: ForensicsReport, shown: int) -> None:
    console.print(
        f"[bold]Forensics: {report.label}[/bold]: {report.stations:,} stations, leader "
        f"{report.leader}; seed {report.seed}, {report.replicates:,} replicates; "
        f"level {report.level}.",
        highlight=False,
    )
    national = [t for t in report.tests if not t.name.startswith(COMMISSION_TEST)]
    by_commission = [t for t in report.tests if t.name.startswith(COMMISSION_TEST)]
    tests = Table(title="Tests of the whole contest")
    for column in ("test", "measured", "statistic", "p", "significant"):
        tests.add_column(column)
    for test in national:
        tests.add_row(
            test.name,
            test.measured,
            test.statistic,
            f"{test.p_value:.3g}",
            "[red]yes[/red]" if test.significant else "no",
        )
    console.print(tests)
    if by_commission:
        console.print(
            f"Commissions with a significant excess of whole percentages: "
            f"{len(by_commission):,}; the strongest:",
            highlight=False,
        )
        for test in by_commission[:10]:
            where = test.name.removeprefix(COMMISSION_TEST)
            console.print(f"  {where}: {test.measured}; {test.statistic}", highlight=False)
    fp = report.fingerprint
    console.print(
        f"Fingerprint: {fp.corner_stations:.2%} of the stations and {fp.corner_votes:.2%} of "
        f"the leader's votes have turnout and share both at least {fp.corner:.0%}; "
        f"correlation of turnout and share {fp.correlation:.3f}.",
        highlight=False,
    )
    kinds: dict[str, int] = {}
    for flag in report.flags:
        kinds[flag.kind] = kinds.get(flag.kind, 0) + 1
    summary = ", ".join(f"{kind} {count:,}" for kind, count in kinds.items()) or "none"
    console.print(f"Stations flagged: {summary}.", highlight=False)
    if shown and report.flags:
        table = Table(title=f"First {min(shown, len(report.flags))} station flags")
        for column in ("station", "flag", "measured", "how surprising"):
            table.add_column(column)
        for flag in report.flags[:shown]:
            table.add_row(flag.station, flag.kind, flag.measured, flag.surprise)
        console.print(table)
    significant = [t.name for t in national if t.significant]
    if by_commission:
        significant.append(f"{len(by_commission):,} commissions' whole percentages")
    verdict = (
        "Significant at the level: " + "; ".join(significant) + "."
        if significant
        else "No test is significant at the level."
    )
    console.print(verdict, highlight=False)
    console.print(CAVEAT, highlight=False)


def forensics_command(
    contest: Annotated[
        str | None, typer.Option(help="Contest (default: the one most stations vote in).")
    ] = None,
    commission: Annotated[
        str | None, typer.Option(help="Only the stations under this commission.")
    ] = None,
    election: Annotated[str | None, typer.Option(help="Election id, if several.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo null.")] = DEFAULT_SEED,
    replicates: Annotated[int, typer.Option(help="Monte Carlo replicates.")] = 1000,
    level: Annotated[float, typer.Option(help="Level of the tests, e.g. 0.01.")] = 0.01,
    out: Annotated[Path, typer.Option("--out", help="HTML report to write.")] = Path(
        "forensics.html"
    ),
    flags: Annotated[int, typer.Option(help="Station flags to print.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Screen a stored contest: fingerprint, integer percentages, second digits, outliers."""
    console = Console()
    try:
        if replicates < 2:
            raise UsageError(f"option --replicates: expected at least 2, found {replicates}")
        if not 0 < level < 1:
            raise UsageError(f"option --level: expected a number between 0 and 1, found {level}")
        if flags < 0:
            raise UsageError(f"option --flags: expected at least 0, found {flags}")
        with opened(database) as store:
            page = contest_forensics(
                store,
                election_id=election,
                contest_id=contest,
                commission=commission,
                seed=seed,
                replicates=replicates,
                level=level,
            )
        out.write_text(html_report(page), encoding="utf-8")
    except Exception as error:
        raise fail_with(error) from None
    if as_json:
        console.out(json.dumps(page.data, ensure_ascii=False), highlight=False)
        return
    print_report(console, page.report, flags)
    console.print(f"HTML report with figures: {out}", highlight=False, soft_wrap=True)
