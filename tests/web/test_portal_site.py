"""The static site: every file listed with its hash, links that resolve to files, the same
pages as the server, and the command's error when the store is empty."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from saylau.cli.main import app as cli
from saylau.services.portal import PortalData
from saylau.store.testing import temporary_store
from saylau.web.assets import assets

HREF = re.compile(r'(?:href|src)="(/[^"#]*)"')


def test_every_file_has_its_hash(site: Path) -> None:
    listed = {}
    for line in (site / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    for name in ("index.html", "en/index.html", "data/results.nist.json"):
        assert hashlib.sha256((site / name).read_bytes()).hexdigest() == listed[name]


def test_assets_are_content_hashed(site: Path) -> None:
    for asset in assets().values():
        written = (site / "static" / asset.hashed).read_bytes()
        assert hashlib.sha256(written).hexdigest().startswith(asset.hashed.split(".")[1])


def test_links_resolve_to_files(site: Path, night: PortalData) -> None:
    built = {p.name for p in (site / "en" / "station").iterdir()}
    for page in ("en/index.html", "kk/commission/kz-astana/index.html", "en/maslikhats/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        for link in HREF.findall(html):
            if "/station/" in link and link.rstrip("/").rsplit("/", 1)[1] not in built:
                continue  # only some stations were built
            if link.startswith("/ru/"):
                continue  # built in kk and en only
            target = site / link.lstrip("/")
            if link.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page}: {link}"


def test_static_pages_equal_the_served_ones(site: Path, client: TestClient) -> None:
    for url in ("/en/", "/kk/districts/", "/en/contest/mazhilis-district-03/"):
        written = (site / url.lstrip("/") / "index.html").read_text(encoding="utf-8")
        assert written == client.get(url).text, url


def test_site_command_on_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    with temporary_store() as store:
        url = store.engine.url.render_as_string(hide_password=False)
        result = CliRunner().invoke(cli, ["site", "--out", str(tmp_path / "s"), "--database", url])
    assert result.exit_code != 0
    assert "saylau generate" in result.output
