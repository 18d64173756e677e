"""Fixtures of the portal tests: one generated election night (the real 2023 definition,
10,223 stations, with mistakes added) stored once per session, its PortalData, and an app
that includes the portal router."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from saylau.elections.generate import ErrorOptions
from saylau.services.night import generate_night
from saylau.services.portal import PortalData, portal_data
from saylau.store.testing import temporary_store
from saylau.web.router import portal_router
from saylau.web.site import build_site

ERRORS = ErrorOptions(arithmetic_errors=6, missing_stations=40, late_corrections=4)


@pytest.fixture(scope="session")
def night() -> Iterator[PortalData]:
    with temporary_store() as store:
        generate_night(store, "kz-2023", seed=2023, errors=ERRORS)
        yield portal_data(store)


@pytest.fixture(scope="session")
def site(night: PortalData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static site of the night in Kazakh and English, with three stations' pages."""
    out = tmp_path_factory.mktemp("site")
    stations = [s for s in night.election.stations if s.startswith("kz-astana-")][:3]
    build_site(night, out, workers=1, stations=stations, languages=("kk", "en"))
    return out


@pytest.fixture(scope="session")
def app(night: PortalData) -> FastAPI:
    application = FastAPI()
    application.include_router(portal_router(night))
    return application


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
