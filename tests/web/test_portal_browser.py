"""The portal in a real browser (Debian's Chromium driven by Playwright): the national page,
the map drill-down to a station's protocol, the language switch, a download, and the
static site served by a plain static server. Screenshots are kept in artifacts/portal/."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from portal_servers import serve_app, serve_folder

from saylau.services.portal import PortalData

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parents[2] / "artifacts" / "portal"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def portal(app: FastAPI) -> Iterator[str]:
    with serve_app(app) as base:
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_national_page(page: Any, portal: str, night: PortalData) -> None:
    page.goto(f"{portal}/en/")
    chamber = page.locator("svg.hemicycle")
    sync_api.expect(chamber).to_be_visible()
    assert chamber.locator("circle").count() == 98
    sync_api.expect(page.locator("h1")).to_have_text(night.election.title.en)
    sync_api.expect(page.locator("svg.region-map")).to_be_visible()
    sync_api.expect(page.locator(".status")).to_contain_text("Unofficial partial results")
    amanat = page.locator('tr[data-choice="amanat"] td.seats')
    assert night.national.allocation is not None
    sync_api.expect(amanat).to_have_text(str(night.national.allocation.seats["amanat"]))
    shot(page, "national-en")


def test_map_drill_down_to_a_station_protocol(page: Any, portal: str) -> None:
    page.goto(f"{portal}/en/")
    page.locator('svg.region-map a[data-region="kz-pavlodar"] path').click()
    page.wait_for_url("**/en/commission/kz-pavlodar/")
    sync_api.expect(page.locator("h1")).to_have_text("Pavlodar Region")
    shot(page, "region-pavlodar")
    page.locator("table.children tbody a").first.click()
    page.wait_for_url("**/en/commission/kz-pavlodar-*/")
    page.locator("table.stations tbody a").first.click()
    page.wait_for_url("**/en/station/*/")
    protocol = page.locator("section.protocol").first
    sync_api.expect(protocol.locator("table.protocol-lines caption")).to_have_text(
        "Protocol of the count, line by line"
    )
    sync_api.expect(protocol.locator("h3").first).to_have_text("Control findings")
    shot(page, "station-en")


def test_language_switch(page: Any, portal: str) -> None:
    page.goto(f"{portal}/en/districts/")
    page.locator("nav.languages a[data-lang='kk']").click()
    page.wait_for_url("**/kk/districts/")
    assert page.locator("html").get_attribute("lang") == "kk"
    sync_api.expect(page.locator("nav.sections")).to_contain_text("Мәслихаттар")
    page.locator("nav.languages a[data-lang='ru']").click()
    page.wait_for_url("**/ru/districts/")
    sync_api.expect(page.locator("h1")).to_contain_text("одномандатные округа (29)")
    shot(page, "districts-ru")


def test_download_the_numbers_of_a_page(page: Any, portal: str) -> None:
    page.goto(f"{portal}/en/contest/mazhilis-list/")
    with page.expect_download() as info:
        page.locator(".downloads a", has_text="CSV").click()
    path = info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    seats = sum(int(r["seats"]) for r in rows if r["seats"])
    assert seats == 69


def test_static_site_in_the_browser(page: Any, site: Path) -> None:
    station = next((site / "en" / "station").iterdir()).name
    with serve_folder(site) as base:
        page.goto(f"{base}/")
        page.wait_for_url("**/kk/")
        sync_api.expect(page.locator("svg.hemicycle")).to_be_visible()
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('.status')).backgroundColor"
        )
        assert colour != "rgba(0, 0, 0, 0)", "the hashed stylesheet did not load"
        page.locator("nav.languages a[data-lang='en']").click()
        page.wait_for_url("**/en/")
        page.locator('svg.region-map a[data-region="kz-astana"] circle').click()
        page.wait_for_url("**/en/commission/kz-astana/")
        page.goto(f"{base}/en/station/{station}/")
        sync_api.expect(page.locator("section.protocol").first).to_be_visible()
        shot(page, "static-station-en")
