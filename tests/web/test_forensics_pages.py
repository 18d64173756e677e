"""The portal's forensics pages in process: a small generated night, clean, with ballots
stuffed at four stations, or with turnouts rounded at eighty; the flagged stations on the
page with what was measured, against what null, how surprising, each linking to its station;
pages per commission; the three languages; links from the contest and commission pages; the
screening computed once per contest, commission and data version."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from forensics_night import CONTEST, night_data, round_turnouts, stored_night, stuff

from saylau.api.app import create_app
from saylau.services.portal import PortalData, portal_data
from saylau.web import forensics_pages
from saylau.web.pages import Portal
from saylau.web.router import portal_router
from saylau.web.urls import Urls

CAVEAT = "These flags are leads for review, never proof."
PAGE = f"/en/forensics/{CONTEST}/"


def client_of(data: PortalData) -> TestClient:
    app = FastAPI()
    app.include_router(portal_router(data))
    return TestClient(app)


@pytest.fixture(scope="module")
def clean() -> PortalData:
    return night_data(1)[0]


@pytest.fixture(scope="module")
def stuffed() -> tuple[PortalData, set[str]]:
    return night_data(1, stuff(4, seed=7))


@pytest.fixture(scope="module")
def rounded() -> PortalData:
    return night_data(1, round_turnouts(80, seed=7))[0]


@pytest.fixture(scope="module")
def stuffed_client(stuffed: tuple[PortalData, set[str]]) -> Iterator[TestClient]:
    with client_of(stuffed[0]) as client:
        yield client


def flag_rows(html: str) -> dict[str, list[list[str]]]:
    """Station id -> the cells of each of its rows in the table of flags."""
    table = html[html.index('<table class="forensics-flags">') :]
    table = table[: table.index("</table>")]
    rows: dict[str, list[list[str]]] = {}
    for station, row in re.findall(r'<tr data-station="([^"]+)">(.*?)</tr>', table, re.DOTALL):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        rows.setdefault(station, []).append(cells)
    return rows


def test_stuffed_stations_are_flagged_with_what_how_and_against_what(
    stuffed_client: TestClient, stuffed: tuple[PortalData, set[str]]
) -> None:
    answer = stuffed_client.get(PAGE)
    assert answer.status_code == 200
    html = answer.text
    assert CAVEAT in html
    joint = re.search(r'<p data-test="joint">(.*?)</p>', html, re.DOTALL)
    assert joint is not None
    assert "Significant: yes" in re.sub(r"<[^>]+>", "", joint[1])
    rows = flag_rows(html)
    _, touched = stuffed
    corner = {
        station
        for station, station_rows in rows.items()
        for cells in station_rows
        if cells[1] == "Turnout and leader&#39;s share both high"
    }
    assert corner, rows
    assert corner <= touched  # only stuffed stations in the corner
    for station in corner:
        cells = next(c for c in rows[station] if "both high" in c[1])
        assert f'href="/en/station/{station}/"' in cells[0]
        assert re.match(r"turnout 9\d\.\d\xa0%", cells[2])  # what was measured
        assert "robust SD above the commission&#39;s median" in cells[2]
        assert "vary independently around the medians of" in cells[3]  # the null
        assert re.search(
            r"both: 3, where 0\.04 were expected .* \(p = [\d.]+ × 10⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+\)", cells[4]
        )
        assert cells[5] == "yes"
    # Every figure is drawn inline.
    assert html.count("<svg ") >= 5


def test_a_clean_night_shows_no_significant_flag(clean: PortalData) -> None:
    with client_of(clean) as client:
        html = client.get(PAGE).text
    assert CAVEAT in html
    assert "No test is significant at the level." in html
    for station_rows in (flag_rows(html) if "forensics-flags" in html else {}).values():
        for cells in station_rows:
            assert cells[5] == "lead", cells
    assert re.search(r'<tr data-test="integers-turnout">.*?<td>no</td></tr>', html)


def test_rounded_turnouts_show_an_excess_of_whole_percentages(rounded: PortalData) -> None:
    with client_of(rounded) as client:
        html = client.get(PAGE).text
    row = re.search(r'<tr data-test="integers-turnout">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1])
    observed, null, excess = cells[2:5]
    mean = float(null.split(" ± ")[0].replace(",", ""))
    assert int(observed.replace(",", "")) - mean == pytest.approx(float(excess), abs=0.11)
    assert float(excess) > 40
    assert cells[-1] == "yes"
    assert "Commissions with a significant excess of whole percentages" in html


def test_a_page_per_commission_shows_its_own_stations(
    stuffed_client: TestClient, stuffed: tuple[PortalData, set[str]]
) -> None:
    _, touched = stuffed
    south = stuffed_client.get(f"/en/forensics/{CONTEST}/south/")
    north = stuffed_client.get(f"/en/forensics/{CONTEST}/north/")
    assert south.status_code == north.status_code == 200
    assert "200 stations screened" in south.text
    assert all(s.startswith("south-") for s in flag_rows(south.text))
    if "forensics-flags" in north.text:
        assert not set(flag_rows(north.text)) & touched
    # Stuffing in the south is found against the southern commissions too.
    assert set(flag_rows(south.text)) & touched


def test_the_pages_in_kazakh_and_russian(stuffed_client: TestClient) -> None:
    ru = stuffed_client.get(f"/ru/forensics/{CONTEST}/").text
    kk = stuffed_client.get(f"/kk/forensics/{CONTEST}/").text
    assert "Эти отметки — зацепки для проверки, а не доказательства." in ru
    assert "И явка, и доля лидера высоки" in ru
    assert "Бұл белгілер — тексеруге арналған белгілер, дәлел емес." in kk
    assert "Қатысу да, көшбасшы үлесі де жоғары" in kk
    assert 'lang="ru"' in ru


def test_contest_and_commission_pages_link_to_the_screening(stuffed_client: TestClient) -> None:
    contest = stuffed_client.get(f"/en/contest/{CONTEST}/").text
    assert f'href="/en/forensics/{CONTEST}/"' in contest
    commission = stuffed_client.get("/en/commission/south-a/").text
    assert f'href="/en/forensics/{CONTEST}/south-a/"' in commission
    root = stuffed_client.get("/kk/commission/cec/").text
    assert root.count(f'href="/kk/forensics/{CONTEST}/"') == 1


@pytest.mark.parametrize(
    "path",
    [
        "/en/forensics/senate/",
        f"/en/forensics/{CONTEST}/nowhere/",
        f"/xx/forensics/{CONTEST}/",
        f"/en/forensics/{CONTEST}/south-a-001/",
    ],
)
def test_unknown_pages_are_not_found(stuffed_client: TestClient, path: str) -> None:
    assert stuffed_client.get(path).status_code == 404


def test_too_few_protocols_make_a_page_without_tests(
    stuffed: tuple[PortalData, set[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forensics_pages, "MIN_STATIONS", 101)  # south-a has 100 stations
    portal = Portal(stuffed[0], Urls())
    html = portal.forensics.page("en", CONTEST, "south-a")
    assert "Too few protocols counted here for a screening: 100, at least 101 are needed." in html
    assert CAVEAT in html
    assert "forensics-flags" not in html
    assert "/forensics/" not in portal.commission("en", "south-a")
    assert "/forensics/mazhilis-list/south/" in portal.commission("en", "south")


def test_the_screening_is_computed_once_per_contest_commission_and_data(
    stuffed: tuple[PortalData, set[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str | None]] = []
    real = forensics_pages.portal_forensics

    def counting(data: PortalData, contest: str, commission: str | None, **kw: Any) -> Any:
        calls.append((contest, commission))
        return real(data, contest, commission, **kw)

    monkeypatch.setattr(forensics_pages, "portal_forensics", counting)
    current = [stuffed[0]]
    app = FastAPI()
    app.include_router(portal_router(lambda: current[0]))
    with TestClient(app) as client:
        for language in ("en", "ru", "kk", "en"):
            assert client.get(f"/{language}/forensics/{CONTEST}/").status_code == 200
        assert calls == [(CONTEST, None)]
        client.get(f"/en/forensics/{CONTEST}/south/")
        assert calls[-1] == (CONTEST, "south")
        current[0] = dataclasses.replace(stuffed[0])  # a new data version
        client.get(f"/ru/forensics/{CONTEST}/")
    assert calls == [(CONTEST, None), (CONTEST, "south"), (CONTEST, None)]


def test_the_static_site_lists_every_screening_page(stuffed: tuple[PortalData, set[str]]) -> None:
    portal = Portal(stuffed[0], Urls("/results"))
    urls = [url for url, _ in portal.pages(stations=(), languages=("en",))]
    screening = [url for url in urls if "/forensics/" in url]
    assert screening == [
        f"/results/en/forensics/{CONTEST}/",
        *(
            f"/results/en/forensics/{CONTEST}/{c}/"
            for c in ("north", "north-a", "north-b", "south", "south-a", "south-b")
        ),
    ]
    pages = dict(portal.forensics.pages(("kk",)))
    html = pages[f"/results/kk/forensics/{CONTEST}/south-a/"]()
    assert "Бұл белгілер — тексеруге арналған белгілер, дәлел емес." in html
    assert "/results/kk/station/south-a-" in html


def test_the_service_serves_the_pages_from_its_store() -> None:
    with stored_night(1, stuff(4, seed=7)) as (store, touched):
        data = portal_data(store)
        app = create_app(store, routers=[portal_router(lambda: data)])
        with TestClient(app, base_url="https://testserver") as client:
            answer = client.get(f"/ru/forensics/{CONTEST}/south/")
            again = client.get(
                f"/ru/forensics/{CONTEST}/south/", headers={"if-none-match": answer.headers["etag"]}
            )
    assert answer.status_code == 200
    assert set(flag_rows(answer.text)) & touched
    assert again.status_code == 304
