"""The portal's live source (``saylau serve`` and ``saylau demo``): built on first use, built
again in the background when the store changed and the interval allows, never half-built,
the old data kept when a build fails, 404 before an election is stored."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from portal_election import DEFINITION, store_protocol

from saylau.core.election import parse_election
from saylau.services.live_portal import LivePortal, store_version
from saylau.services.portal import PortalData
from saylau.store import Store
from saylau.store.errors import NotFound, StoreError
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store


class Fake:
    """Builds that count, a store version to change and a clock to move by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.version = 0
        self.built: list[PortalData] = []
        self.fail = False
        self.release = threading.Event()
        self.release.set()

    def build(self, _store: Store) -> PortalData:
        self.release.wait(10)
        if self.fail:
            raise StoreError("the database is away")
        data = object.__new__(PortalData)
        self.built.append(data)
        return data

    def source(self, interval: float = 5, clock: Callable[[], float] | None = None) -> LivePortal:
        return LivePortal(
            object.__new__(Store),
            interval=interval,
            build=self.build,
            version=lambda _: self.version,
            clock=clock or (lambda: self.now),
        )


def _eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.005)


def _settle(source: LivePortal) -> None:
    """Wait for a background refresh started by a call to end."""
    _eventually(lambda: not source._refreshing)


def test_an_unchanged_store_is_not_built_again() -> None:
    fake = Fake()
    source = fake.source()
    first = source()
    for moment in (6.0, 12.0, 30.0):
        fake.now = moment
        assert source() is first
        _settle(source)
    assert len(fake.built) == 1
    assert source.builds == 1


def test_a_changed_store_is_built_again_at_most_every_interval() -> None:
    fake = Fake()
    source = fake.source()
    first = source()
    fake.version += 1
    fake.now = 4.9
    assert source() is first  # changed, but within the interval
    _settle(source)
    assert len(fake.built) == 1
    fake.now = 5.0
    source()
    _eventually(lambda: source() is not first)
    assert len(fake.built) == 2
    fake.version += 1  # changed again right after the build
    fake.now = 9.0
    second = source()
    _settle(source)
    assert source() is second
    assert len(fake.built) == 2
    fake.now = 10.0
    source()
    _eventually(lambda: len(fake.built) == 3)


def test_changed_rebuilds_without_asking_the_store() -> None:
    fake = Fake()
    source = fake.source()
    first = source()
    source.changed()
    fake.now = 5.0
    source()
    _eventually(lambda: source() is not first)


def test_the_old_data_is_served_until_the_new_is_complete() -> None:
    fake = Fake()
    source = fake.source()
    first = source()
    fake.release.clear()  # the next build takes a while
    fake.version += 1
    fake.now = 6.0
    calls = [source() for _ in range(20)]
    assert all(data is first for data in calls)
    fake.release.set()
    _eventually(lambda: source() is not first)
    assert source() is fake.built[1]
    assert len(fake.built) == 2


def test_a_failed_build_keeps_the_old_data_and_is_tried_again_later() -> None:
    fake = Fake()
    source = fake.source()
    first = source()
    fake.fail = True
    fake.version += 1
    fake.now = 6.0
    source()
    _eventually(lambda: source.error is not None)
    assert isinstance(source.error, StoreError)
    assert source() is first
    fake.fail = False
    fake.now = 8.0  # not yet: the failure waits an interval too
    source()
    _settle(source)
    assert source() is first
    fake.now = 11.0
    source()
    _eventually(lambda: source() is not first)
    assert source.error is None


def test_builds_wait_twice_as_long_as_a_build_takes() -> None:
    fake = Fake()
    source = fake.source(interval=1)
    source()
    source.build_seconds = 3.0  # as if the build had taken 3 s
    fake.version += 1
    fake.now = 5.0
    source()
    _settle(source)
    assert len(fake.built) == 1
    fake.now = 6.0
    source()
    _eventually(lambda: len(fake.built) == 2)


def test_the_background_thread_rebuilds_after_changes_at_most_every_interval() -> None:
    fake = Fake()
    finished: list[float] = []
    build = fake.build

    def timed(store: Store) -> PortalData:
        data = build(store)
        finished.append(time.monotonic())
        return data

    fake.build = timed  # type: ignore[method-assign]
    source = fake.source(interval=0.2, clock=time.monotonic)
    source.start()
    try:
        first = source()
        for _ in range(20):  # changes all at once: one build
            source.changed()
        _eventually(lambda: source() is not first)
        time.sleep(0.5)
        assert source.builds == 2  # nothing changed since: nothing built
        until = time.monotonic() + 1.0
        while time.monotonic() < until:  # changes all the time: a build every interval
            source.changed()
            time.sleep(0.01)
        gaps = [b - a for a, b in itertools.pairwise(finished)]
        assert len(gaps) >= 3
        assert min(gaps) >= 0.2
        time.sleep(0.5)
        builds = source.builds
        fake.version += 1  # a change nobody announced: seen by asking the store
        _eventually(lambda: source.builds == builds + 1)
    finally:
        source.stop()
    assert source._thread is None


@pytest.fixture
def empty() -> Iterator[Store]:
    with temporary_store() as store:
        yield store


def test_on_a_store_before_and_after_an_election_and_its_protocols(empty: Store) -> None:
    source = LivePortal(empty, interval=0.05)
    with pytest.raises(NotFound):  # the portal answers 404
        source()
    assert source.builds == 0
    election = parse_election(DEFINITION, "test")
    with empty.session() as session:
        save_election(session, election, json.dumps(DEFINITION))
    before = store_version(empty)
    first = source()
    assert first.election.id == "live-2024"
    assert not first.protocols
    source.start()
    try:
        store_protocol(empty, election, "s1")
        assert store_version(empty) != before
        _eventually(lambda: "s1" in source().protocols)
        assert source().status == "unofficial partial"
    finally:
        source.stop()
