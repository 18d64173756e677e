"""The application: :func:`create_app` builds the FastAPI app on a store.

Routes live in small routers per resource; errors are answered in one place
(:mod:`saylau.api.errors`); who may call each route is declared on it
(:mod:`saylau.api.access`). The OpenAPI spec is at ``/api/openapi.json``.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence

from fastapi import APIRouter, FastAPI

from saylau.api import (
    errors,
    routes_approval,
    routes_flags,
    routes_pages,
    routes_protocols,
    routes_session,
    routes_users,
)
from saylau.api.access import PUBLIC, rule
from saylau.api.fast_actions import ProtocolActions
from saylau.api.portal import StoreSource
from saylau.store.db import Store, open_store
from saylau.web.router import portal_router

TITLE = "saylau commission service"
INSECURE_COOKIES_VARIABLE = "SAYLAU_INSECURE_COOKIES"


def create_app(
    store: Store, *, secure_cookies: bool = True, routers: Sequence[APIRouter] = ()
) -> FastAPI:
    """The service on ``store`` (migrated by the caller). ``secure_cookies`` false only for
    plain-HTTP development; ``routers`` are included after the service's own (e.g. the
    public portal's, ``saylau.web.router.portal_router``)."""
    app = FastAPI(
        title=TITLE,
        version="1",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.store = store
    app.state.secure_cookies = secure_cookies
    errors.install(app)
    app.add_middleware(ProtocolActions)  # a machine client's protocol actions, answered first
    for module in (
        routes_session,
        routes_users,
        routes_protocols,
        routes_approval,
        routes_flags,
        routes_pages,
    ):
        app.include_router(module.router)
    for router in routers:
        app.include_router(router)

    @app.get("/api/health", openapi_extra=rule(PUBLIC))
    def health() -> dict[str, str]:
        """The service is up."""
        return {"status": "ok"}

    return app


def app_from_environment() -> FastAPI:
    """The service on the store of ``$SAYLAU_DATABASE_URL`` (for ``uvicorn --factory`` and
    its worker processes; the store must be migrated already), with the public portal."""
    insecure = os.environ.get(INSECURE_COOKIES_VARIABLE) == "1"
    store = open_store()
    portal = portal_router(StoreSource(store))
    app = create_app(store, secure_cookies=not insecure, routers=[portal])
    # What is loaded by now (modules, routes, models) lives as long as the process: keep it
    # out of the collector's full passes. Under load they come every few seconds, and walking
    # these objects made each one a pause of about 0.1 s in which no request is served.
    gc.collect()
    gc.freeze()
    return app
