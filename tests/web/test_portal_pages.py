"""The portal's pages in process (FastAPI TestClient): what each page shows, the drill-down
links, the languages, caching headers and the hashed assets."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.testclient import TestClient

from saylau.core.allocation import ListResult
from saylau.core.allocation.steps import QuotaStep
from saylau.core.protocol import LINE_NUMBERS, Line
from saylau.services.portal import CERTIFIED, PortalData
from saylau.web.assets import assets
from saylau.web.i18n import texts
from saylau.web.router import portal_router


class Links(HTMLParser):
    """The hrefs, headings and captions of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key == "href" and value:
                self.hrefs.append(value)


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def test_root_sends_to_a_language(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False, headers={"accept-language": "ru-RU"})
    assert response.status_code == 307
    assert response.headers["location"] == "/ru/"
    assert client.get("/", follow_redirects=False).headers["location"] == "/kk/"


def test_national_page_shows_the_chamber_seats_and_progress(
    client: TestClient, night: PortalData
) -> None:
    html = client.get("/en/").text
    national = night.national
    assert isinstance(national.allocation, ListResult)
    # 98 seats drawn: 69 list seats and 29 districts (decided or not yet).
    chamber = html[html.index('<svg class="hemicycle"') : html.index("</svg>")]
    assert chamber.count("<circle") == 98
    # The list table shows the seats the rules engine returned, row by row.
    for choice, seats in national.allocation.seats.items():
        row = re.search(rf'<tr data-choice="{choice}">.*?</tr>', html, re.DOTALL)
        assert row is not None
        assert f'<td class="n seats">{seats}</td>' in row[0]
    quota = next(s for s in national.allocation.steps if isinstance(s, QuotaStep))
    assert texts("en").decimal(quota.value, 4) in html
    root = night.root
    counted = int(national.tally.stations_counted[national.tally.row(root)])
    assert texts("en").number(counted) in html
    assert "Unofficial partial results" in html
    assert "<caption>" in html
    assert "<h1>" in html


def test_status_banner_and_update_time_in_each_language(client: TestClient) -> None:
    assert "Неофициальные предварительные итоги" in client.get("/ru/").text
    assert "Ресми емес алдын ала қорытындылар" in client.get("/kk/").text
    assert "Asia/Almaty" in client.get("/en/").text


def test_language_switch_links_to_the_same_page(client: TestClient, night: PortalData) -> None:
    station = next(iter(night.protocols))
    hrefs = parse(client.get(f"/kk/station/{station}/").text).hrefs
    assert f"/ru/station/{station}/" in hrefs
    assert f"/en/station/{station}/" in hrefs


def test_numbers_are_formatted_per_language() -> None:
    ru = texts("ru").number(1234567)
    assert ru == "1\u00a0234\u00a0567"
    assert texts("en").number(1234567) == "1,234,567"
    assert texts("ru").percent(1, 3) == "33,33\u00a0%"


def test_map_drills_down_to_a_station_by_links(client: TestClient, night: PortalData) -> None:
    html = client.get("/en/").text
    regions = [h for h in parse(html).hrefs if h.startswith("/en/commission/")]
    assert len(set(regions)) == 20
    region = "/en/commission/kz-abay/"
    assert f'<a href="{region}" data-region="kz-abay">' in html
    region_links = parse(client.get(region).text).hrefs
    territories = [h for h in region_links if h.startswith("/en/commission/kz-abay-")]
    assert any(h.startswith("/en/contest/mazhilis-district-") for h in region_links)
    assert territories
    stations = [h for h in parse(client.get(territories[0]).text).hrefs if "/station/" in h]
    assert stations
    page = client.get(stations[0])
    assert page.status_code == 200
    assert "Protocol of the count, line by line" in page.text


def test_station_page_shows_every_line_and_the_findings(
    client: TestClient, night: PortalData
) -> None:
    rejected = next(
        p for protocols in night.protocols.values() for p in protocols if p.status == "rejected"
    )
    html = client.get(f"/en/station/{rejected.station}/").text
    section = html[html.index(f'data-contest="{rejected.contest}"') :]
    section = section[: section.index("</section>")]
    for line, value in rejected.lines.items():
        assert f'<td class="n">{LINE_NUMBERS[line]}</td>' in section
        assert texts("en").number(value) in section
    for finding in rejected.findings:
        assert f'data-code="{finding.code}"' in section
    assert "rejected by the controls" in section
    assert "Correction history" in section


def test_a_corrected_protocol_says_so(client: TestClient, night: PortalData) -> None:
    corrected = next(
        p for protocols in night.protocols.values() for p in protocols if p.version > 1
    )
    html = client.get(f"/en/station/{corrected.station}/").text
    assert "version 2" in html
    [correction] = night.corrections[corrected.station, corrected.contest]
    assert correction.version == 2
    assert correction.summary.startswith("late correction (generated); decision generated; ")
    section = html[html.index(f'data-contest="{corrected.contest}"') :]
    history = section[section.index('<table class="history">') :]
    history = history[: history.index("</table>")]
    assert "Earlier versions of this protocol" in history
    assert "late correction (generated)" in history
    assert " -&gt; " in history  # each changed number, before and after


def test_district_and_maslikhat_pages(client: TestClient, night: PortalData) -> None:
    districts = client.get("/en/districts/").text
    assert districts.count('href="/en/contest/mazhilis-district-') == 29
    maslikhats = client.get("/en/maslikhats/").text
    assert maslikhats.count('href="/en/maslikhat/') == len(night.maslikhats()) == 223
    astana = client.get("/en/maslikhat/kz-astana/").text
    assert "regional-list-kz-astana" in astana
    contest = client.get("/ru/contest/mazhilis-district-01/")
    assert contest.status_code == 200
    assert "Подсчёт" in contest.text or "Решение" in contest.text


def test_every_commission_page_renders(client: TestClient, night: PortalData) -> None:
    for commission in night.election.commissions:
        assert client.get(f"/kk/commission/{commission}/").status_code == 200


def test_unknown_pages_are_not_found(client: TestClient) -> None:
    for path in ("/xx/", "/en/station/nowhere/", "/en/commission/nowhere/", "/data/x.csv"):
        assert client.get(path).status_code == 404, path


def test_pages_are_cached_with_an_etag(client: TestClient) -> None:
    first = client.get("/en/districts/")
    etag = first.headers["etag"]
    again = client.get("/en/districts/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert first.headers["cache-control"].startswith("public")


def test_assets_have_hashed_names_and_are_immutable(client: TestClient) -> None:
    html = client.get("/en/").text
    for asset in assets().values():
        assert f"/static/{asset.hashed}" in html
        response = client.get(f"/static/{asset.hashed}")
        assert response.content == asset.content
        assert "immutable" in response.headers["cache-control"]
    assert client.get("/static/portal.css").status_code == 404


def test_the_line_titles_are_translated(client: TestClient, night: PortalData) -> None:
    station = next(iter(night.protocols))
    html = client.get(f"/ru/station/{station}/").text
    assert texts("ru").gettext("ballots found in the boxes") in html
    assert Line.FOUND.value not in html


def test_a_new_portal_data_replaces_the_cached_pages(night: PortalData) -> None:
    current = [night]
    app = FastAPI()
    app.include_router(portal_router(lambda: current[0]))
    with TestClient(app) as client:
        assert "Unofficial partial results" in client.get("/en/districts/").text
        current[0] = replace(night, status=CERTIFIED)
        page = client.get("/en/districts/").text
        assert "Official results, certified by the CEC" in page
        report = client.get("/data/results.nist.json").json()
        assert report["Status"] == "certified"
