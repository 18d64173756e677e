"""One station's protocol as an HTML section: every line, the votes, the control findings
and the correction history.

Written in Python rather than in a template because the static site renders some 50,000 of
them; the markup is the same a template would give (headings, captioned tables)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from saylau.core.controls import Finding
from saylau.core.election import ContestDef
from saylau.core.protocol import FIRST_VOTES_LINE, LINE_NUMBERS, LINE_TITLES
from saylau.i18n import describe_finding
from saylau.services.portal import Correction, StationProtocol
from saylau.web.i18n import Texts
from saylau.web.urls import Urls


def describe(finding: Finding, language: str) -> str:
    """The finding as a sentence for people (its code and key if no sentence is known)."""
    try:
        return describe_finding(finding, language)
    except (KeyError, IndexError, ValueError):
        return f"{finding.code}: {finding.key}"


def protocol_section(
    p: StationProtocol,
    contest: ContestDef,
    *,
    index: int,
    t: Texts,
    urls: Urls,
    history: tuple[Correction, ...],
) -> Markup:
    _ = t.gettext
    lang = t.language
    status = escape(p.status)
    when = ""
    if p.updated is not None:
        when = f' · <time datetime="{p.updated.isoformat()}">{escape(t.time(p.updated))}</time>'
    out = [
        f'<section class="protocol" aria-labelledby="p-{index}" '
        f'data-contest="{escape(p.contest)}">',
        f'<h2 id="p-{index}">{escape(contest.title.get(lang))}</h2>',
        f'<p class="protocol-status status-{status}">{escape(_("Protocol status"))}: '
        f"<strong>{escape(_('protocol ' + p.status))}</strong> · "
        f"{escape(_('version {version}', version=p.version))}{when} · "
        f'<a href="{escape(urls.contest(lang, p.contest))}">{escape(_("The contest"))}</a></p>',
        '<table class="protocol-lines">',
        f"<caption>{escape(_('Protocol of the count, line by line'))}</caption>",
        f'<thead><tr><th scope="col" class="n">{escape(_("Line"))}</th>'
        f'<th scope="col">{escape(_("What it counts"))}</th>'
        f'<th scope="col" class="n">{escape(_("Number"))}</th></tr></thead><tbody>',
    ]
    for line, value in sorted(p.lines.items(), key=lambda item: LINE_NUMBERS[item[0]]):
        out.append(
            f'<tr><td class="n">{LINE_NUMBERS[line]}</td>'
            f'<th scope="row">{escape(_(LINE_TITLES[line]))}</th>'
            f'<td class="n">{t.number(value)}</td></tr>'
        )
    for offset, choice in enumerate(contest.choices):
        out.append(
            f'<tr><td class="n">{FIRST_VOTES_LINE + offset}</td>'
            f'<th scope="row">{escape(choice.name.get(lang))}</th>'
            f'<td class="n">{t.number(p.votes[choice.id])}</td></tr>'
        )
    out.append("</tbody></table>")
    out.append(f"<h3>{escape(_('Control findings'))}</h3>")
    if p.findings:
        out.append('<ul class="findings">')
        for f in p.findings:
            severity = f.severity.value
            out.append(
                f'<li class="finding {escape(severity)}" data-code="{escape(f.code)}">'
                f"<strong>{escape(_('severity ' + severity))}</strong> "
                f"{escape(describe(f, lang))}</li>"
            )
        out.append("</ul>")
    else:
        out.append(f"<p>{escape(_('All control relations hold.'))}</p>")
    # Correction history: PortalData.corrections, from the ledger.
    out.append(f"<h3>{escape(_('Correction history'))}</h3>")
    if history:
        out.append(
            f'<table class="history"><caption>{escape(_("Earlier versions of this protocol"))}'
            f'</caption><thead><tr><th scope="col" class="n">{escape(_("Version"))}</th>'
            f'<th scope="col">{escape(_("Time"))}</th><th scope="col">{escape(_("By"))}</th>'
            f'<th scope="col">{escape(_("Change"))}</th></tr></thead><tbody>'
        )
        for c in history:
            out.append(
                f'<tr><td class="n">{c.version}</td><td>{escape(c.time)}</td>'
                f"<td>{escape(c.actor)}</td><td>{escape(c.summary)}</td></tr>"
            )
        out.append("</tbody></table>")
    elif p.version > 1:
        text = _(
            "This protocol was corrected {times} time(s); its versions are in the published "
            "ledger (saylau history).",
            times=p.version - 1,
        )
        out.append(f'<p class="history-pending">{escape(text)}</p>')
    else:
        out.append(f"<p>{escape(_('No correction.'))}</p>")
    out.append("</section>")
    return Markup("".join(out))
