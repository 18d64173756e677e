"""The public portal inside the service app, as `saylau serve` builds it."""

from __future__ import annotations

import copy
import gc
import json
import threading
import time
from collections.abc import Iterator

import pytest
from api_helpers import DEFINITION
from fastapi.testclient import TestClient

from saylau.api.app import app_from_environment
from saylau.api.portal import StoreSource
from saylau.core.election import parse_election
from saylau.services.portal import NATIONAL_LIST, PortalData
from saylau.store import Store
from saylau.store.db import ENVIRONMENT_VARIABLE
from saylau.store.errors import StoreError
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store


@pytest.fixture
def portal_store() -> Iterator[Store]:
    """The helpers' small election, its party-list contest named as the portal expects."""
    definition = copy.deepcopy(DEFINITION)
    for contest in definition["contests"]:
        if contest["id"] == "list":
            contest["id"] = NATIONAL_LIST
    with temporary_store() as fresh:
        with fresh.session() as session:
            save_election(session, parse_election(definition, "test"), json.dumps(definition))
        yield fresh


def _service(store: Store, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    url = store.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, url)
    try:
        app = app_from_environment()
        # a worker's heap as it starts is kept out of the collector's full passes
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this is a test process, not a worker
    return TestClient(app, base_url="https://testserver")


def test_the_service_serves_the_national_page_at_the_root(
    portal_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _service(portal_store, monkeypatch) as client:
        page = client.get("/", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert str(page.url) == "https://testserver/en/"
        assert "Test election" in page.text
        assert client.get("/api/health").json() == {"status": "ok"}


def test_a_store_without_an_election_answers_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    with temporary_store() as empty, _service(empty, monkeypatch) as client:
        answer = client.get("/en/")
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not-found"


def test_the_data_is_rebuilt_in_the_background_once_old(portal_store: Store) -> None:
    now = [0.0]
    built: list[PortalData] = []
    release = threading.Event()

    def build(_store: Store) -> PortalData:
        if built:
            release.wait(10)  # the second build takes a while
        data = object.__new__(PortalData)
        built.append(data)
        return data

    changes = [0]
    source = StoreSource(
        portal_store, refresh=5, build=build, version=lambda _: changes[0], clock=lambda: now[0]
    )
    first = source()
    changes[0] += 1  # the store changed
    now[0] = 4.0
    assert source() is first  # still young: no rebuild
    assert len(built) == 1
    now[0] = 6.0
    assert source() is first  # old: rebuilt in the background, the old data served meanwhile
    assert source() is first
    release.set()
    deadline = time.monotonic() + 10
    while source() is first and time.monotonic() < deadline:
        time.sleep(0.01)
    assert source() is built[1]
    assert len(built) == 2  # one rebuild, however many requests came meanwhile


def test_a_failed_rebuild_keeps_the_last_data(portal_store: Store) -> None:
    now = [0.0]
    built: list[PortalData] = []

    def build(_store: Store) -> PortalData:
        if built:
            raise StoreError("the database is away")
        data = object.__new__(PortalData)
        built.append(data)
        return data

    changes = [0]
    source = StoreSource(
        portal_store, refresh=5, build=build, version=lambda _: changes[0], clock=lambda: now[0]
    )
    first = source()
    changes[0] += 1
    now[0] = 6.0
    assert source() is first
    deadline = time.monotonic() + 10
    while source.error is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert isinstance(source.error, StoreError)
    assert source() is first
