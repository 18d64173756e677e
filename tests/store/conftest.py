"""Fixtures of the store tests: a small election and a fresh store (SQLite, or PostgreSQL
when SAYLAU_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from saylau.core.election import Election, parse_election
from saylau.store import Store
from saylau.store.repository import ProtocolRow, save_election
from saylau.store.testing import temporary_store
from small_elections import (
    TEST_TITLE,
    cec,
    definition,
    north_district,
    party_list,
    polling_station,
    protocol_line_values,
    region,
)

ELECTION: dict[str, object] = definition(
    "test-2024",
    title=TEST_TITLE,
    commissions=[
        cec({"kk": "Орталық сайлау комиссиясы", "ru": "ЦИК", "en": "CEC"}),
        region("north", "North"),
        region("south", "South"),
    ],
    stations=[
        polling_station("001", "north"),
        polling_station("002", "north", 800),
        polling_station("003", "south", 1200, number="3A"),
        polling_station("004", "south", 50, abroad=True),
    ],
    contests=[party_list(), north_district(("c3", "Candidate Three"))],
)


@pytest.fixture
def definition_json() -> str:
    return json.dumps(ELECTION, ensure_ascii=False, indent=2)


@pytest.fixture
def election(definition_json: str) -> Election:
    return parse_election(json.loads(definition_json), "test")


@pytest.fixture
def store() -> Iterator[Store]:
    with temporary_store() as fresh:
        yield fresh


@pytest.fixture
def stored(store: Store, election: Election, definition_json: str) -> Store:
    """A store holding the test election."""
    with store.session() as session:
        save_election(session, election, definition_json)
    return store


def _protocol(
    station: str, contest: str, votes: list[int], *, status: str = "accepted"
) -> ProtocolRow:
    """A consistent protocol with ``votes`` (against all: 1, invalid: 2)."""
    valid = sum(votes) + 1
    lines = protocol_line_values(valid=valid, issued=valid + 2, against_all=1)
    return ProtocolRow(station, contest, lines, votes, status, (), f"test.csv:{station}")


@pytest.fixture
def election_data() -> dict[str, object]:
    """The test election's definition document, to modify."""
    return json.loads(json.dumps(ELECTION))


@pytest.fixture
def make_protocol() -> Callable[..., ProtocolRow]:
    return _protocol


@pytest.fixture
def rows(election: Election) -> list[ProtocolRow]:
    """One protocol for each station of each contest, votes varying by station."""
    rows = []
    for contest_id, contest in election.contests.items():
        for position, station in enumerate(election.contest_stations(contest_id), start=1):
            votes = [10 * position + choice for choice in range(len(contest.choices))]
            rows.append(_protocol(station, contest_id, votes))
    return rows
