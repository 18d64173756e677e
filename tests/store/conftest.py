"""Fixtures of the store tests: a small election and a fresh store (SQLite, or PostgreSQL
when SAYLAU_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line
from saylau.store import Store
from saylau.store.repository import ProtocolRow, save_election
from saylau.store.testing import temporary_store

ELECTION: dict[str, object] = {
    "format": "saylau-election/1",
    "id": "test-2024",
    "date": "2024-03-17",
    "title": {"kk": "Сынақ сайлауы", "ru": "Тестовые выборы", "en": "Test election"},
    "ruleset": "kz-2023",
    "commissions": [
        {
            "id": "cec",
            "level": "cec",
            "name": {"kk": "Орталық сайлау комиссиясы", "ru": "ЦИК", "en": "CEC"},
        },
        {"id": "north", "level": "region", "parent": "cec", "name": "North"},
        {"id": "south", "level": "region", "parent": "cec", "name": "South"},
    ],
    "stations": [
        {"id": "001", "commission": "north", "voters": 1000},
        {"id": "002", "commission": "north", "voters": 800},
        {"id": "003", "commission": "south", "voters": 1200, "number": "3A"},
        {"id": "004", "commission": "south", "voters": 50, "abroad": True},
    ],
    "parties": [
        {"id": "amanat", "name": "Amanat", "color": "#1f77b4"},
        {"id": "aq-jol", "name": "Aq Jol", "color": "#ff7f0e"},
    ],
    "contests": [
        {
            "id": "list",
            "rule": "mazhilis-list",
            "title": "Party lists",
            "commission": "cec",
            "seats": 10,
            "area": ["cec"],
            "choices": [{"id": "amanat", "party": "amanat"}, {"id": "aq-jol", "party": "aq-jol"}],
        },
        {
            "id": "north-1",
            "rule": "mazhilis-district",
            "title": "North district 1",
            "commission": "north",
            "seats": 1,
            "area": ["north"],
            "choices": [
                {"id": "c1", "name": "Candidate One", "party": "amanat"},
                {"id": "c2", "name": "Candidate Two"},
                {"id": "c3", "name": "Candidate Three"},
            ],
        },
    ],
}


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
    lines = {
        Line.VOTERS: 1000,
        Line.RECEIVED: 1000,
        Line.ISSUED: valid + 2,
        Line.CANCELLED: 1000 - valid - 2,
        Line.FOUND: valid + 2,
        Line.INVALID: 2,
        Line.VALID: valid,
        Line.AGAINST_ALL: 1,
    }
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
