"""Fixtures of the ledger tests (the helpers are in ledger_helpers.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ledger_helpers import DEFINITION, KEYS, at, sample_writer

from saylau.core.election import Election, parse_election
from saylau.core.ledger.events import Event
from saylau.ledger import LedgerWriter, publish
from saylau.store import Store
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store


@pytest.fixture
def writer() -> LedgerWriter:
    return sample_writer()


@pytest.fixture
def events(writer: LedgerWriter) -> tuple[Event, ...]:
    return writer.events


@pytest.fixture
def published(tmp_path: Path, events: tuple[Event, ...]) -> Path:
    """Version 1 of the sample ledger, published."""
    publish(events, tmp_path / "v1", signer=KEYS["CEC"], timestamp=at(50))
    return tmp_path / "v1"


@pytest.fixture
def publish_to(tmp_path: Path) -> Callable[..., Path]:
    def run(events: tuple[Event, ...], name: str, previous: Path | None = None) -> Path:
        publish(events, tmp_path / name, previous, signer=KEYS["CEC"], timestamp=at(59))
        return tmp_path / name

    return run


@pytest.fixture
def election() -> Election:
    return parse_election(DEFINITION, "test")


@pytest.fixture
def store(election: Election) -> Iterator[Store]:
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        yield store
