"""The portal as a FastAPI router: ``portal_router(source)``, for the service's app to include.

``source`` is a :class:`PortalData` or a function returning the current one (called on every
request, so it should be cheap, e.g. return the object last built). Every page and data file
is rendered once per PortalData and then served from memory with an ETag; a new PortalData
empties the cache. Static assets have content-hashed names and are cached for a year.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from saylau.core.names import LANGUAGES
from saylau.services.portal import PortalData
from saylau.web.assets import by_hashed_name
from saylau.web.i18n import DEFAULT_LANGUAGE
from saylau.web.nist import nist_report
from saylau.web.opendata import encode, page_table
from saylau.web.pages import PageNotFoundError, Portal
from saylau.web.urls import DATA_FORMATS, Urls

PAGE_CACHE = "public, max-age=15"
ASSET_CACHE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}

Source = PortalData | Callable[[], PortalData]


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str


class PortalCache:
    """Rendered pages and files of the current PortalData."""

    def __init__(self, source: Source, urls: Urls):
        self.source = source
        self.urls = urls
        self.lock = threading.Lock()
        self.portal: Portal | None = None
        self.items: dict[str, Rendered] = {}

    def current(self) -> Portal:
        data = self.source() if callable(self.source) else self.source
        portal = self.portal
        if portal is None or portal.data is not data:
            with self.lock:
                if self.portal is None or self.portal.data is not data:
                    self.portal = Portal(data, self.urls)
                    self.items = {}
                portal = self.portal
        return portal

    async def get(self, key: str, media: str, make: Callable[[Portal], bytes | str]) -> Rendered:
        portal = self.current()
        found = self.items.get(key)
        if found is not None:
            return found

        def build() -> Rendered:
            body = make(portal)
            raw = body.encode("utf-8") if isinstance(body, str) else body
            etag = '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'
            return Rendered(raw, MEDIA_TYPES[media], etag)

        rendered = await run_in_threadpool(build)
        if self.portal is portal:
            self.items[key] = rendered
        return rendered


def _respond(request: Request, rendered: Rendered, cache: str = PAGE_CACHE) -> Response:
    headers = {"ETag": rendered.etag, "Cache-Control": cache}
    if request.headers.get("if-none-match") == rendered.etag:
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


def _not_found() -> Response:
    return Response("not found", status_code=404, media_type="text/plain")


def portal_router(source: Source, base: str = "") -> APIRouter:
    """The public portal's routes, under ``base`` (e.g. "" or "/results")."""
    urls = Urls(base)
    cache = PortalCache(source, urls)
    router = APIRouter(prefix=base)

    def add_page(path: str, make: Callable[[Portal, dict[str, str]], str]) -> None:
        # A plain route: no parameter parsing on the way to a page that is usually cached.
        async def endpoint(request: Request) -> Response:
            cache.current()  # a new PortalData empties the cache
            found = cache.items.get(request.url.path)
            if found is None:
                params = request.path_params
                try:
                    found = await cache.get(request.url.path, "html", lambda p: make(p, params))
                except PageNotFoundError:
                    return _not_found()
            return _respond(request, found)

        router.add_route(base + path, endpoint, methods=["GET"], include_in_schema=False)

    @router.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        wanted = request.headers.get("accept-language", "")[:2].lower()
        language = wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE
        return RedirectResponse(urls.national(language), status_code=307)

    add_page("/{lang}/", lambda p, a: p.national(a["lang"]))
    add_page("/{lang}/turnout/", lambda p, a: p.national(a["lang"], "turnout"))
    add_page("/{lang}/districts/", lambda p, a: p.districts(a["lang"]))
    add_page("/{lang}/maslikhats/", lambda p, a: p.maslikhats(a["lang"]))
    add_page("/{lang}/maslikhat/{key}/", lambda p, a: p.maslikhat(a["lang"], a["key"]))
    add_page("/{lang}/commission/{key}/", lambda p, a: p.commission(a["lang"], a["key"]))
    add_page("/{lang}/contest/{key}/", lambda p, a: p.contest(a["lang"], a["key"]))
    add_page("/{lang}/station/{key}/", lambda p, a: p.station(a["lang"], a["key"]))
    # Forensics: the screening is computed once per contest, commission and PortalData
    # (Portal.forensics), then each language's page is cached here like any other.
    add_page(
        "/{lang}/forensics/{contest}/",
        lambda p, a: p.forensics.page(a["lang"], a["contest"]),
    )
    add_page(
        "/{lang}/forensics/{contest}/{key}/",
        lambda p, a: p.forensics.page(a["lang"], a["contest"], a["key"]),
    )

    @router.get("/static/{name}", include_in_schema=False)
    async def static(request: Request, name: str) -> Response:
        asset = by_hashed_name().get(name)
        if asset is None:
            return _not_found()
        etag = '"' + asset.hashed + '"'
        rendered = Rendered(asset.content, asset.media_type, etag)
        return _respond(request, rendered, ASSET_CACHE)

    @router.get("/data/{name:path}", include_in_schema=False)
    async def data_file(request: Request, name: str) -> Response:
        if name in ("results.nist.json", "results-precinct.nist.json"):
            precinct = name.startswith("results-precinct")

            def report(p: Portal) -> bytes:
                document = nist_report(p.data, precinct=precinct)
                return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

            return _respond(request, await cache.get(request.url.path, "json", report))
        stem, _, fmt = name.rpartition(".")
        if fmt not in DATA_FORMATS:
            return _not_found()
        try:
            rendered = await cache.get(
                request.url.path, fmt, lambda p: encode(page_table(p.data, stem), fmt, p.data)
            )
        except KeyError:
            return _not_found()
        return _respond(request, rendered)

    return router
