"""The portal's pages rendered from :class:`PortalData` with Jinja2 templates.

:class:`Portal` renders one page at a time (the server caches what it renders) and lists
every page (the static-site builder renders them all). Nothing here knows about HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from saylau.core.election import Level
from saylau.core.names import LANGUAGES
from saylau.core.protocol import FIRST_VOTES_LINE, LINE_NUMBERS, LINE_TITLES, Line
from saylau.services.portal import PortalData
from saylau.web import views
from saylau.web.forensics_pages import ForensicsPages
from saylau.web.hemicycle import hemicycle_svg
from saylau.web.i18n import LANGUAGE_NAMES, Texts, texts
from saylau.web.protocol_html import protocol_section
from saylau.web.regionmap import MapRegion, map_data, region_map_svg
from saylau.web.urls import DATA_FORMATS, Urls


class PageNotFoundError(LookupError):
    """No such page: an unknown language, commission, station or contest."""


_LITERAL_CALL = re.compile(r'_\("((?:[^"\\]|\\.)*)"\)')


class TranslatingLoader(PackageLoader):
    """The templates with each ``_("text")`` that has no placeholders replaced by its
    translation when the template is compiled, so a page does not look them up one by one
    (``_("text {n}", n=...)`` stays a call)."""

    def __init__(self, language: str):
        super().__init__("saylau.web", "templates")
        self.language = language

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        gettext = texts(self.language).gettext

        def literal(match: re.Match[str]) -> str:
            return json.dumps(gettext(json.loads(f'"{match[1]}"')), ensure_ascii=False)

        return _LITERAL_CALL.sub(literal, source), filename, uptodate


def _environment(language: str) -> Environment:
    env = Environment(
        loader=TranslatingLoader(language),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        Line=Line,
        LINE_NUMBERS=LINE_NUMBERS,
        LINE_TITLES=LINE_TITLES,
        FIRST_VOTES_LINE=FIRST_VOTES_LINE,
        DATA_FORMATS=DATA_FORMATS,
        Fraction=Fraction,
    )
    return env


@dataclass
class Portal:
    """Renders the pages of one :class:`PortalData`; links start at ``urls.base``."""

    data: PortalData
    urls: Urls

    @cached_property
    def environments(self) -> dict[str, Environment]:
        return {language: _environment(language) for language in LANGUAGES}

    def template(self, name: str, language: str) -> Template:
        return self.environments[language].get_template(name)

    def _context(self, language: str, path: str, **values: Any) -> dict[str, Any]:
        if language not in LANGUAGES:
            raise PageNotFoundError(language)
        t: Texts = texts(language)
        data = self.data
        return {
            "lang": language,
            "t": t,
            "_": t.gettext,
            "url": self.urls,
            "path": path,
            "data": data,
            "election": data.election,
            "name": lambda cid: views.commission_name(data.election, cid, language),
            "protocol_section": lambda p, index: protocol_section(
                p,
                data.election.contests[p.contest],
                index=index,
                t=t,
                urls=self.urls,
                history=data.corrections.get((p.station, p.contest), ()),
            ),
            "progress": views.progress,
            "vote_rows": lambda result, cid: views.vote_rows(data, result, cid, language),
            "choice_names": lambda result: {
                c.id: c.name.get(language) for c in result.contest.choices
            },
            "choice_label": lambda choice: self._party_name(choice, language),
            "party_label": lambda result, choice: self._party_name(
                next(c.party for c in result.contest.choices if c.id == choice), language
            ),
            "party_name": lambda party: self._party_name(party, language),
            "winners": views.district_winner,
            "seats_won": lambda contests: views.maslikhat_seats(data, contests),
            "maslikhat_ids": self.maslikhat_ids,
            "forensics_link": partial(self.forensics.link, language),
            **values,
        }

    @cached_property
    def forensics(self) -> ForensicsPages:
        """The forensics pages, each screening computed once for this PortalData."""
        return ForensicsPages(self)

    @cached_property
    def maslikhat_ids(self) -> frozenset[str]:
        return frozenset(m.id for m in self.data.maslikhats())

    def _party_name(self, party: str | None, language: str) -> str:
        parties = self.data.election.parties
        if party is None or party not in parties:
            return texts(language).gettext("self-nominated")
        return parties[party].short.get(language)

    def render(self, template: str, language: str, path: str, **values: Any) -> str:
        context = self._context(language, path, **values)
        return self.template(template, language).render(context)

    # The pages -------------------------------------------------------------------------

    def national(self, language: str, colour_by: str = "leader") -> str:
        data, t = self.data, texts(language) if language in LANGUAGES else None
        if t is None:
            raise PageNotFoundError(language)
        labels = {
            "list": t.gettext("party list"),
            "district": t.gettext("single-member district"),
            "self": t.gettext("self-nominated"),
            "undecided": t.gettext("not decided yet"),
        }
        groups = views.seat_groups(data, language, labels)
        chamber = hemicycle_svg(
            groups,
            t.gettext("Mazhilis: {seats} seats", seats=sum(g.seats for g in groups)),
            "; ".join(f"{g.label} {g.seats}" for g in groups),
        )
        path = (
            self.urls.turnout(language) if colour_by == "turnout" else self.urls.national(language)
        )
        return self.render(
            "national.html",
            language,
            path,
            result=data.national,
            groups=groups,
            chamber=chamber,
            colour_by=colour_by,
            map=self.region_map(language, colour_by),
            regions=views.child_rows(data, data.root, language),
            download="national",
        )

    def region_map(self, language: str, colour_by: str) -> Markup:
        data, t = self.data, texts(language)
        national = data.national
        regions = {}
        for region in data.regions():
            if region not in map_data().paths:
                continue
            found = views.progress(national, region)
            name = views.commission_name(data.election, region, language)
            winner = views.leader(national, region)
            if colour_by == "turnout":
                fill = turnout_colour(found.ballots_issued, found.voters_on_lists)
                value = t.percent(found.ballots_issued, found.voters_on_lists)
                label = f"{name}: {t.gettext('turnout')} {value}"
            else:
                choice = next((c for c in national.contest.choices if c.id == winner), None)
                fill = views.choice_colour(data.election, choice.party) if choice else "#ddd"
                leading = choice.name.get(language) if choice else t.gettext("no votes yet")
                label = f"{name}: {leading}"
            regions[region] = MapRegion(fill, self.urls.commission(language, region), label)
        title = (
            t.gettext("Turnout by region")
            if colour_by == "turnout"
            else t.gettext("Leading party by region")
        )
        description = t.gettext("Select a region to see its commissions and polling stations.")
        return region_map_svg(regions, title, description)

    def commission(self, language: str, commission: str) -> str:
        data = self.data
        if commission not in data.election.commissions:
            raise PageNotFoundError(commission)
        return self.render(
            "commission.html",
            language,
            self.urls.commission(language, commission),
            commission=data.election.commissions[commission],
            trail=views.breadcrumbs(data.election, commission),
            result=data.national,
            children=views.child_rows(data, commission, language),
            stations=views.station_rows(data, commission),
            contests=views.contests_under(data, commission),
            districts=[
                c
                for child in data.election.children[commission]
                for c in views.contests_under(data, child)
                if data.election.commissions[child].level is Level.DISTRICT
            ],
            download=f"commission/{commission}",
        )

    def station(self, language: str, station: str) -> str:
        data = self.data
        if station not in data.election.stations:
            raise PageNotFoundError(station)
        found = data.election.stations[station]
        return self.render(
            "station.html",
            language,
            self.urls.station(language, station),
            station=found,
            trail=views.breadcrumbs(data.election, found.commission),
            protocols=data.protocols.get(station, ()),
            contests=data.election.station_contests[station],
            download=f"station/{station}",
        )

    def contest(self, language: str, contest: str) -> str:
        data = self.data
        if contest not in data.results:
            raise PageNotFoundError(contest)
        result = data.results[contest]
        where = result.contest.commission
        return self.render(
            "contest.html",
            language,
            self.urls.contest(language, contest),
            result=result,
            where=where,
            trail=views.breadcrumbs(data.election, where),
            download=f"contest/{contest}",
        )

    def districts(self, language: str) -> str:
        return self.render(
            "districts.html",
            language,
            self.urls.districts(language),
            districts=views.mazhilis_districts(self.data),
            download="districts",
        )

    def maslikhats(self, language: str) -> str:
        return self.render(
            "maslikhats.html",
            language,
            self.urls.maslikhats(language),
            maslikhats=self.data.maslikhats(),
            download="maslikhats",
        )

    def maslikhat(self, language: str, maslikhat: str) -> str:
        found = next((m for m in self.data.maslikhats() if m.id == maslikhat), None)
        if found is None:
            raise PageNotFoundError(maslikhat)
        return self.render(
            "maslikhat.html",
            language,
            self.urls.maslikhat(language, maslikhat),
            maslikhat=found,
            trail=views.breadcrumbs(self.data.election, found.commission),
            download=f"maslikhat/{maslikhat}",
        )

    def pages(
        self,
        stations: Collection[str] | None = None,
        languages: Sequence[str] = LANGUAGES,
        *,
        forensics: bool = True,
    ) -> Iterator[tuple[str, Callable[[], str]]]:
        """Every page as (URL, function that renders it), in ``languages``; of the station
        pages only those of ``stations`` if given. The forensics pages come last
        (:meth:`ForensicsPages.pages`; left out with ``forensics=False``)."""
        data, urls = self.data, self.urls
        chosen = data.election.stations if stations is None else stations
        maslikhats = [m.id for m in data.maslikhats()]
        for lang in languages:
            yield urls.national(lang), partial(self.national, lang)
            yield urls.turnout(lang), partial(self.national, lang, "turnout")
            yield urls.districts(lang), partial(self.districts, lang)
            yield urls.maslikhats(lang), partial(self.maslikhats, lang)
            for m in maslikhats:
                yield urls.maslikhat(lang, m), partial(self.maslikhat, lang, m)
            for c in data.election.commissions:
                yield urls.commission(lang, c), partial(self.commission, lang, c)
            for c in data.results:
                yield urls.contest(lang, c), partial(self.contest, lang, c)
            for s in chosen:
                yield urls.station(lang, s), partial(self.station, lang, s)
        if forensics:
            yield from self.forensics.pages(languages)


def turnout_colour(issued: int, voters: int) -> str:
    """A sequential blue scale over turnout 40 %..90 % (grey without counted voters)."""
    if not voters:
        return "#dddddd"
    share = Fraction(issued, voters)
    step = min(max((share - Fraction(2, 5)) * 10, Fraction(0)), Fraction(5))
    scale = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
    return scale[int(step)]
