"""Elections: stored whole and unpacked, loaded back, never silently replaced."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from saylau.core.election import Election, parse_election
from saylau.store import ConflictError, NotFound, Store, StoreError, repository
from saylau.store.copying import copies, copy_rows
from saylau.store.models import CommissionRecord, ContestRecord, ElectionRecord, StationRecord
from saylau.store.repository import election_ids, load_election, save_election
from saylau.store.testing import temporary_store


def test_round_trip(store: Store, election: Election, definition_json: str) -> None:
    with store.session() as session:
        assert save_election(session, election, definition_json) is True
    with store.session() as session:
        loaded = load_election(session, election.id)
        assert election_ids(session) == ["test-2024"]
    assert loaded == election
    assert loaded.contest_stations("north-1") == ("001", "002")


def test_unpacked_rows(stored: Store) -> None:
    with stored.session() as session:
        counts = [
            session.scalar(select(func.count()).select_from(record))
            for record in (CommissionRecord, StationRecord, ContestRecord)
        ]
        station = session.get(StationRecord, ("test-2024", "003"))
        abroad = session.get(StationRecord, ("test-2024", "004"))
        contest = session.get(ContestRecord, ("test-2024", "north-1"))
        record = session.get(ElectionRecord, "test-2024")
    assert counts == [3, 4, 2]
    assert station is not None
    assert (station.commission_id, station.number, station.voters) == ("south", "3A", 1200)
    assert abroad is not None
    assert abroad.abroad is True
    assert contest is not None
    assert [c["id"] for c in contest.choices] == ["c1", "c2", "c3"]
    assert contest.choices[0]["party"] == "amanat"
    assert record is not None
    assert record.title_en == "Test election"
    assert record.created_at.tzinfo is not None


def test_same_definition_is_idempotent(
    stored: Store, election: Election, definition_json: str
) -> None:
    reformatted = json.dumps(json.loads(definition_json), sort_keys=True)
    with stored.session() as session:
        before = session.get(ElectionRecord, election.id)
        assert before is not None
        created = before.created_at
        assert save_election(session, election, definition_json) is False
        assert save_election(session, election, reformatted) is False
    with stored.session() as session:
        after = session.get(ElectionRecord, election.id)
        assert after is not None
        assert after.created_at == created
        assert after.definition == definition_json


def test_different_definition_conflicts(stored: Store, election_data: dict[str, object]) -> None:
    stations = election_data["stations"]
    assert isinstance(stations, list)
    stations[0]["voters"] = 1001
    changed = parse_election(election_data, "changed")
    with (
        pytest.raises(ConflictError, match="test-2024"),
        stored.session() as session,
    ):
        save_election(session, changed, json.dumps(election_data))


def test_document_must_match_election(store: Store, election: Election) -> None:
    with pytest.raises(StoreError, match="other"), store.session() as session:
        save_election(session, election, json.dumps({"id": "other"}))
    with pytest.raises(StoreError, match="not JSON"), store.session() as session:
        save_election(session, election, "{")


def test_missing_election(store: Store) -> None:
    with pytest.raises(NotFound, match="nowhere"), store.session() as session:
        load_election(session, "nowhere")
    with store.session() as session:
        assert election_ids(session) == []


def test_copied_definition_rows_equal_inserted_ones(
    election: Election, definition_json: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL commissions and stations go in with COPY: the same rows as with
    INSERT (elsewhere both stores take the INSERT path)."""
    stored = []
    for copy in (True, False):
        if not copy:
            monkeypatch.setattr(repository, "copies", lambda connection: False)
        with temporary_store() as fresh:
            with fresh.session() as session:
                assert save_election(session, election, definition_json) is True
            with fresh.session() as session:
                stored.append(
                    [
                        [tuple(row) for row in session.execute(select(table).order_by(*key))]
                        for table, key in (
                            (CommissionRecord.__table__, ["id"]),
                            (StationRecord.__table__, ["id"]),
                        )
                    ]
                )
                assert load_election(session, election.id) == election
    assert stored[0] == stored[1]
    commissions, stations = stored[0]
    assert len(commissions) == 3
    assert stations[2] == ("test-2024", "003", "south", "3A", 1200, False)
    assert stations[3][-1] is True


def test_copy_refuses_a_stored_key(stored: Store) -> None:
    with stored.session() as session:
        if not copies(session.connection()):
            pytest.skip("COPY is PostgreSQL's")
    station = ("test-2024", "001", "north", "1", 10, False)
    columns = ("election_id", "id", "commission_id", "number", "voters", "abroad")
    types = ("text", "text", "text", "text", "int4", "bool")
    with pytest.raises(ConflictError, match="refused"), stored.session() as session:
        copy_rows(session, "stations", columns, types, [station])
