"""The whole portal as static files, for any static server or CDN on election night.

:func:`build_site` renders every page of a :class:`PortalData` in every language
(``<lang>/.../index.html``), every page's numbers (``data/<name>.csv|json|parquet``), the NIST
SP 1500-100 reports (``data/results.nist.json``, ``data/results-precinct.nist.json``), the
static assets under content-hashed names (``static/portal.<hash>.css``) and ``SHA256SUMS``,
the hash of every file written (as ``sha256sum -c`` reads it). The work is split over
processes (forked, so the data is shared, not copied) where the platform allows it.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from saylau.core.names import LANGUAGES
from saylau.services.portal import PortalData
from saylau.web.assets import assets
from saylau.web.i18n import DEFAULT_LANGUAGE
from saylau.web.nist import nist_report
from saylau.web.opendata import encode, page_table
from saylau.web.pages import Portal
from saylau.web.urls import DATA_FORMATS, Urls

ROOT_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>saylau</title>
<meta http-equiv="refresh" content="0; url={target}">
<script>try{{var l=localStorage.getItem("saylau-lang");if(l&&/^(kk|ru|en)$/.test(l))
location.replace("{base}/"+l+"/")}}catch(e){{}}</script></head>
<body><p><a href="{target}">{target}</a></p></body></html>
"""


SHARES_PER_WORKER = 8
"""Tasks per process, so that processes that finish early take more work."""


@dataclass(frozen=True)
class SiteReport:
    """What was written: pages, data files, all files, their bytes, the seconds it took."""

    pages: int
    data_files: int
    files: int
    bytes: int
    seconds: float


@dataclass(frozen=True)
class _Work:
    data: PortalData
    urls: Urls
    out: Path
    stations: Collection[str] | None
    languages: Sequence[str]


_WORK: _Work | None = None
"""The data a forked worker renders from (set before forking, inherited)."""


def data_names(data: PortalData, stations: Collection[str] | None = None) -> list[str]:
    """The name of every page's table (see :func:`saylau.web.opendata.page_table`)."""
    names = ["national", "districts", "maslikhats", "protocols"]
    names += [f"maslikhat/{m.id}" for m in data.maslikhats()]
    names += [f"commission/{c}" for c in data.election.commissions]
    names += [f"contest/{c}" for c in data.results]
    chosen = data.election.stations if stations is None else stations
    names += [f"station/{s}" for s in chosen]
    return names


def _target(out: Path, url: str, base: str) -> Path:
    relative = url[len(base) :].lstrip("/")
    if relative.endswith("/") or not relative:
        return out / relative / "index.html"
    return out / relative


class _Writer:
    """Writes files under ``out`` and remembers each one's SHA-256."""

    def __init__(self, out: Path):
        self.out = out
        self.sums: list[tuple[str, str]] = []
        self.size = 0
        self.folders: set[Path] = set()

    def write(self, path: Path, content: bytes) -> None:
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        path.write_bytes(content)
        self.sums.append(
            (path.relative_to(self.out).as_posix(), hashlib.sha256(content).hexdigest())
        )
        self.size += len(content)


_PORTAL: list[tuple[_Work, Portal]] = []


def _portal(work: _Work) -> Portal:
    """One renderer per process and build (its templates compiled once)."""
    if not _PORTAL or _PORTAL[0][0] is not work:
        _PORTAL[:] = [(work, Portal(work.data, work.urls))]
    return _PORTAL[0][1]


def _render_share(share: int, shares: int) -> tuple[int, int, int, list[tuple[str, str]]]:
    """Render every ``shares``-th page and data table starting at ``share``."""
    assert _WORK is not None
    work = _WORK
    data, urls, out, stations = work.data, work.urls, work.out, work.stations
    portal = _portal(work)
    writer = _Writer(out)
    pages = files = 0
    for index, (url, render) in enumerate(portal.pages(stations, work.languages, forensics=False)):
        if index % shares == share:
            writer.write(_target(out, url, urls.base), render().encode("utf-8"))
            pages += 1
    # A forensics screening is computed once per contest and commission: all languages of
    # one screening go to the same share, so no two processes compute it.
    forensics = portal.forensics
    for index, (contest, commission) in enumerate(forensics.keys()):
        if index % shares == share:
            for language in work.languages:
                url = forensics.url(language, contest, commission)
                page = forensics.page(language, contest, commission)
                writer.write(_target(out, url, urls.base), page.encode("utf-8"))
                pages += 1
    for index, name in enumerate(data_names(data, stations)):
        if index % shares == share:
            table = page_table(data, name)
            for fmt in DATA_FORMATS:
                writer.write(out / "data" / f"{name}.{fmt}", encode(table, fmt, data))
                files += 1
    return pages, files, writer.size, writer.sums


def _render_reports() -> tuple[int, int, int, list[tuple[str, str]]]:
    """The two NIST reports (summary and precinct-level)."""
    assert _WORK is not None
    writer = _Writer(_WORK.out)
    for precinct, name in ((False, "results.nist.json"), (True, "results-precinct.nist.json")):
        document = nist_report(_WORK.data, precinct=precinct)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        writer.write(_WORK.out / "data" / name, text.encode("utf-8"))
    return 0, 2, writer.size, writer.sums


def _run_share(args: tuple[int, int]) -> tuple[int, int, int, list[tuple[str, str]]]:
    """One task of the pool: a share of the pages and tables, or (share -1) the reports."""
    share, shares = args
    return _render_reports() if share < 0 else _render_share(share, shares)


def build_site(
    data: PortalData,
    out: Path,
    *,
    base: str = "",
    workers: int | None = None,
    stations: Collection[str] | None = None,
    languages: Sequence[str] = LANGUAGES,
) -> SiteReport:
    """Write the whole portal into ``out`` (created if missing; files there are replaced).

    ``stations`` limits the station pages and files to those stations (e.g. the ones whose
    protocols changed since the last build), ``languages`` the languages of the pages;
    every other page and data file is always written."""
    global _WORK  # noqa: PLW0603 (shared with forked workers, never changed while they run)
    start = time.perf_counter()
    urls = Urls(base)
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    for asset in assets().values():
        writer.write(out / "static" / asset.hashed, asset.content)
    first = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in languages else languages[0]
    target = urls.national(first)
    root = ROOT_PAGE.format(lang=first, target=target, base=base)
    writer.write(out / "index.html", root.encode("utf-8"))
    count = workers or os.cpu_count() or 1
    fork = "fork" in multiprocessing.get_all_start_methods()
    _WORK = _Work(data, urls, out, stations, tuple(languages))
    try:
        if count > 1 and fork:
            context = multiprocessing.get_context("fork")
            shares = count * SHARES_PER_WORKER
            tasks = [(-1, shares), *((i, shares) for i in range(shares))]
            with context.Pool(count) as pool:
                results = pool.map(_run_share, tasks, chunksize=1)
        else:
            results = [_render_reports(), _render_share(0, 1)]
    finally:
        _WORK = None
        _PORTAL.clear()
    pages = sum(r[0] for r in results)
    data_files = sum(r[1] for r in results)
    size = writer.size + sum(r[2] for r in results)
    sums = sorted([*writer.sums, *(item for r in results for item in r[3])])
    lines = "".join(f"{digest}  {name}\n" for name, digest in sums)
    (out / "SHA256SUMS").write_text(lines, encoding="utf-8")
    return SiteReport(pages, data_files, len(sums) + 1, size, time.perf_counter() - start)
