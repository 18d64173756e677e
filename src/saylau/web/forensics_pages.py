"""The portal's forensics pages: the statistical screening of one contest's station results,
of every station that votes in it or of those under one commission, with its figures and the
stations flagged, in kk, ru and en. Leads for review, never proof.

:class:`ForensicsPages` renders them for one :class:`~saylau.web.pages.Portal` (one
PortalData): each screening (:func:`saylau.services.forensics.portal_forensics`) is computed
once per contest and commission and kept for the life of the PortalData, so the three
languages and every later request share it; a new PortalData (new protocols) gets a new
:class:`ForensicsPages`. A page exists where at least :data:`MIN_STATIONS` protocols of the
contest are counted under the commission; the contest and commission pages link to it then.

The sentences of the flags are written here, per kind, from the numbers the screening
returns (:attr:`saylau.forensics.StationFlag.numbers`), so that each language says the same
thing: what was measured, against what null, and how surprising it is.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from markupsafe import Markup

from saylau.core.election import Election
from saylau.core.names import LANGUAGES
from saylau.forensics import StationFlag
from saylau.forensics.benford import NONCONFORMITY
from saylau.forensics.flags import CORRECTED, ORDER, SHARE, STUFFING, TURNOUT, WARNINGS
from saylau.forensics.outliers import JointTest
from saylau.forensics.report import ForensicsReport
from saylau.services.forensics import ForensicsPage, portal_forensics
from saylau.store.errors import NotFound
from saylau.web import views
from saylau.web.i18n import Texts, texts

if TYPE_CHECKING:
    from saylau.web.pages import Portal

MIN_STATIONS = 50
"""Counted protocols a contest needs under a commission for its page: below that, the
tests have too little to say (a commission's outliers are compared with 8 or more)."""
SHOWN_FLAGS = 200
"""Station flags listed on a page (strongest first); the page says how many there are."""
FIGURES = ("fingerprint", "peaks-turnout", "peaks-share", "integers-turnout", "integers-share")


@dataclass(frozen=True, slots=True)
class FlagView:
    """One flagged station as a page shows it: where, what kind, and the three sentences."""

    station: str
    number: str
    commission: str
    kind: str
    measured: str
    null: str
    surprise: str
    significant: bool


class ForensicsPages:
    """The forensics pages of one portal (see the module's description)."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self._lock = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._pages: dict[tuple[str, str], ForensicsPage | None] = {}

    # Which pages exist -----------------------------------------------------------------

    def where(self, commission: str | None = None) -> str:
        """The commission whose stations a page screens: the root for a whole contest
        (every station that votes in it), as ``saylau forensics`` does."""
        return commission or self.portal.data.root

    def counted(self, contest: str, commission: str | None = None) -> int:
        """Protocols of ``contest`` counted under ``commission`` (0 if none or unknown)."""
        result = self.portal.data.results.get(contest)
        where = self.where(commission)
        if result is None or where not in result.tally.tree.position:
            return 0
        return int(result.tally.stations_counted[result.tally.row(where)])

    def exists(self, contest: str, commission: str | None = None) -> bool:
        return self.counted(contest, commission) >= MIN_STATIONS

    def link(self, language: str, contest: str, commission: str | None = None) -> str | None:
        """The page's URL if it exists (the short one for the whole contest)."""
        if not self.exists(contest, commission):
            return None
        return self.url(language, contest, commission)

    def url(self, language: str, contest: str, commission: str | None = None) -> str:
        urls = self.portal.urls
        if commission is None or commission == self.portal.data.root:
            return urls.forensics(language, contest)
        return urls.forensics(language, contest, commission)

    def keys(self) -> list[tuple[str, str | None]]:
        """Every page that exists: each contest under its own commission, then the national
        list under each commission."""
        data = self.portal.data
        found: list[tuple[str, str | None]] = [(c, None) for c in data.results if self.exists(c)]
        national = data.national.contest.id
        for commission in data.election.commissions:
            if commission != data.root and self.exists(national, commission):
                found.append((national, commission))
        return found

    def pages(
        self, languages: Sequence[str] = LANGUAGES
    ) -> Iterator[tuple[str, Callable[[], str]]]:
        """Every page as (URL, function that renders it), like ``Portal.pages``."""
        for contest, commission in self.keys():
            for language in languages:
                yield (
                    self.url(language, contest, commission),
                    _renderer(self, language, contest, commission),
                )

    # The screening, once per contest and commission --------------------------------------

    def screening(self, contest: str, commission: str | None = None) -> ForensicsPage | None:
        """The screening (None when nothing is counted there), computed once."""
        key = (contest, self.where(commission))
        if key in self._pages:
            return self._pages[key]
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one computation per key; other requests for it wait for it
            if key not in self._pages:
                try:
                    under = None if key[1] == self.portal.data.root else key[1]
                    data = self.portal.data
                    found: ForensicsPage | None = portal_forensics(
                        data,
                        contest,
                        under,
                        arrivals=data.arrivals or None,
                        flags=SHOWN_FLAGS,
                    )
                except NotFound:
                    found = None
                self._pages[key] = found
            return self._pages[key]

    # A page ------------------------------------------------------------------------------

    def page(self, language: str, contest: str, commission: str | None = None) -> str:
        """The page in ``language``; :class:`PageNotFoundError` for an unknown language,
        contest or commission, or a commission where the contest is not voted."""
        from saylau.web.pages import PageNotFoundError  # noqa: PLC0415 (pages imports this)

        data = self.portal.data
        election = data.election
        if language not in LANGUAGES or contest not in data.results:
            raise PageNotFoundError(contest)
        if commission is not None and commission not in election.commissions:
            raise PageNotFoundError(commission)
        result = data.results[contest]
        where = self.where(commission)
        if where not in result.tally.tree.position or not int(
            result.tally.stations_expected[result.tally.row(where)]
        ):
            raise PageNotFoundError(where)
        t = texts(language)
        counted = self.counted(contest, commission)
        found = self.screening(contest, commission) if counted >= MIN_STATIONS else None
        own = election.contests[contest].commission
        whole = where == data.root
        values: dict[str, object] = {
            "contest": election.contests[contest],
            "where": None if whole else where,
            "trail": views.breadcrumbs(election, own if whole else where),
            "counted": counted,
            "minimum": MIN_STATIONS,
            "screening": found,
            "download": f"contest/{contest}" if whole else f"commission/{where}",
        }
        if found is not None:
            values.update(_report_values(self.portal, found, t, language))
        return self.portal.render(
            "forensics.html", language, self.url(language, contest, commission), **values
        )


def _renderer(
    pages: ForensicsPages, language: str, contest: str, commission: str | None
) -> Callable[[], str]:
    return lambda: pages.page(language, contest, commission)


# What a page shows, in words of its language --------------------------------------------


def number(t: Texts, value: float, places: int = 1) -> str:
    """A statistic rounded to ``places`` decimals in this language (a dash if not a number)."""
    if math.isnan(value) or math.isinf(value):
        return "–"
    return t.decimal(Fraction(value), places)


def percent(t: Texts, fraction: float, places: int = 1) -> str:
    return number(t, 100 * fraction, places) + "\u00a0%"


def p_value(t: Texts, p: float) -> str:
    """Three significant digits; below 0.001 as mantissa times a power of ten."""
    if math.isnan(p):
        return "–"
    if p >= 0.001 or p == 0.0:
        return t.decimal(Fraction(p), max(3, 2 - math.floor(math.log10(p))) if p else 3)
    exponent = math.floor(math.log10(p))
    mantissa = p / 10**exponent
    return f"{t.decimal(Fraction(mantissa), 1)} × 10{str(exponent).translate(_SUPERSCRIPT)}"


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def _report_values(
    portal: Portal, page: ForensicsPage, t: Texts, language: str
) -> dict[str, object]:
    report = page.report
    election = portal.data.election
    choice_names = {c.id: c.name.get(language) for c in page.contest.choices}
    groups = report.integers.groups
    group_level = report.level / len(groups) if groups else report.level
    return {
        "report": report,
        "leader_name": choice_names.get(report.leader, report.leader),
        "choice_names": choice_names,
        "figures": {
            # The SVG made by saylau.forensics.svg, every text in it escaped.
            name: Markup(svg)
            for name, svg in page.figures.items()
        },
        "figure_names": [f for f in (*FIGURES, "benford") if f in page.figures],
        "integer_level": report.level / 3,
        "benford_level": report.level / len(report.benford) if report.benford else report.level,
        "nonconformity": NONCONFORMITY,
        "excess_groups": [g for g in groups if g.p_value < group_level],
        "group_level": group_level,
        "flags": [flag_view(election, report, f, t) for f in report.flags[:SHOWN_FLAGS]],
        "flags_total": len(report.flags),
        "quantity_names": {
            "turnout": t.gettext("turnout"),
            "leader share": t.gettext("leader's share"),
            "either": t.gettext("turnout or leader's share"),
        },
        "num": lambda value, places=1: number(t, value, places),
        "pct": lambda value, places=1: percent(t, value, places),
        "p": lambda value: p_value(t, value),
    }


def _name(election: Election, commission: str, language: str) -> str:
    if commission in election.commissions:
        return views.commission_name(election, commission, language)
    return commission


def flag_view(election: Election, report: ForensicsReport, flag: StationFlag, t: Texts) -> FlagView:
    """One flag in words of ``t``'s language."""
    where = _name(election, flag.commission, t.language)
    measured, null, surprise = flag_sentences(flag, where, t, report.joint)
    station = election.stations.get(flag.station)
    return FlagView(
        station=flag.station,
        number=station.number if station is not None else flag.station,
        commission=where,
        kind=kind_label(t, flag.kind),
        measured=measured,
        null=null,
        surprise=surprise,
        significant=flag.significant,
    )


def kind_label(t: Texts, kind: str) -> str:
    """The name of a kind of flag in ``t``'s language."""
    _ = t.gettext
    labels = {
        STUFFING: _("flag: turnout-and-share-high"),
        TURNOUT: _("flag: turnout"),
        SHARE: _("flag: leader-share"),
        ORDER: _("flag: reporting-order"),
        WARNINGS: _("flag: warnings"),
        CORRECTED: _("flag: corrected"),
    }
    return labels.get(kind, kind)


TOP_SO_FAR = "both in the contest's top 1 % so far; a lead, not a test"
"""What is said of the surprise of a stuffing lead without the contest's joint test (a
protocol just arrived, for the coordinators)."""


def flag_sentences(
    flag: StationFlag, where: str, t: Texts, joint: JointTest | None
) -> tuple[str, str, str]:
    """What was measured, against what null, and how surprising, in ``t``'s language;
    ``joint``: the contest's joint test of turnout and share (``None`` for a protocol just
    arrived, whose contest was not screened as a whole)."""
    _ = t.gettext
    n = flag.numbers
    if flag.kind == STUFFING and n and joint is None:
        return (*_stuffing_sentences(flag, where, t), _(TOP_SO_FAR))
    if flag.kind == STUFFING and n:
        assert joint is not None
        return (
            *_stuffing_sentences(flag, where, t),
            _(
                "stations in the top {tail} for both: {observed}, where {expected} were "
                "expected if the two were independent (p = {p})",
                observed=t.number(joint.observed),
                tail=percent(t, joint.tail, 0),
                expected=number(t, joint.expected, 2),
                p=p_value(t, joint.p_value),
            ),
        )
    if flag.kind in (TURNOUT, SHARE, ORDER):
        return _lead_sentences(flag, where, t)
    if flag.kind == WARNINGS:
        codes = sorted(n)
        return (
            _("protocol accepted with control warnings {codes}", codes=", ".join(codes)),
            _("a protocol that passes every control relation"),
            "; ".join(
                _("{code} on {share} of the protocols", code=code, share=percent(t, n[code]))
                for code in codes
            ),
        )
    if flag.kind == CORRECTED:
        return (
            _("protocol in version {version}", version=t.number(int(flag.value))),
            _("a protocol stored once and never changed"),
            _(
                "{share} of the protocols were corrected",
                share=percent(t, n.get("rate", math.nan)),
            ),
        )
    return flag.measured, flag.null, flag.surprise


def _stuffing_sentences(flag: StationFlag, where: str, t: Texts) -> tuple[str, str]:
    _ = t.gettext
    n = flag.numbers
    return (
        _(
            "turnout {turnout} ({turnout_z} robust SD above the commission's median "
            "{turnout_median}) and leader's share {share} ({share_z} above {share_median})",
            turnout=percent(t, n["turnout"]),
            turnout_z=number(t, n["turnout_z"]),
            turnout_median=percent(t, n["turnout_median"]),
            share=percent(t, n["share"]),
            share_z=number(t, n["share_z"]),
            share_median=percent(t, n["share_median"]),
        ),
        _(
            "turnout and leader's share vary independently around the medians of {commission}",
            commission=where,
        ),
    )


def _lead_sentences(flag: StationFlag, where: str, t: Texts) -> tuple[str, str, str]:
    _ = t.gettext
    n = flag.numbers
    if flag.kind == ORDER:
        measured = _(
            "arrived {minutes} minutes after the first protocol of the contest",
            minutes=number(t, flag.value, 0),
        )
        null = _(
            "arrival like the other stations of {commission} (median minute {median}, "
            "robust scale {scale} min)",
            commission=where,
            median=number(t, flag.reference, 0),
            scale=number(t, n.get("scale", math.nan), 0),
        )
    else:
        what = _("turnout") if flag.kind == TURNOUT else _("leader's share")
        measured = f"{what} {percent(t, flag.value)}"
        null = _(
            "{what} like the other stations of {commission} (median {median}; robust z on "
            "the logit scale)",
            what=what,
            commission=where,
            median=percent(t, flag.reference),
        )
    score = flag.score or 0.0
    side = (
        _("{z} robust SD above the median", z=number(t, abs(score)))
        if score > 0
        else _("{z} robust SD below the median", z=number(t, abs(score)))
    )
    if "rank" in n:
        side += "; " + _(
            "number {rank} of {ranked} stations by distance",
            rank=t.number(int(n["rank"])),
            ranked=t.number(int(n["ranked"])),
        )
    return measured, null, side + "; " + _("a lead, not a test")
