"""Opening a store, transactions, and recorded imports."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saylau.core.election import Election
from saylau.store import ConflictError, NotFound, Store, StoreError, database_url, open_store
from saylau.store.models import ElectionRecord, ProtocolRecord
from saylau.store.repository import (
    ProtocolRow,
    election_ids,
    find_import,
    record_import,
    save_election,
    upsert_protocols,
)


def test_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAYLAU_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///saylau.db"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", "postgresql+psycopg://postgres@db/saylau")
    assert database_url() == "postgresql+psycopg://postgres@db/saylau"
    assert database_url("sqlite:///other.db") == "sqlite:///other.db"


def test_bad_url() -> None:
    with pytest.raises(StoreError, match="cannot use the database"):
        open_store("nosuchdialect://x")


def test_failing_transaction_leaves_nothing(
    store: Store, election: Election, definition_json: str, rows: list[ProtocolRow]
) -> None:
    def import_then_fail() -> None:
        with store.session() as session:
            save_election(session, election, definition_json)
            upsert_protocols(session, election.id, rows)
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        import_then_fail()
    with store.session() as session:
        assert election_ids(session) == []
        assert session.scalar(select(func.count()).select_from(ProtocolRecord)) == 0


def test_database_errors_become_store_errors(stored: Store, election: Election) -> None:
    duplicate = ElectionRecord(
        id=election.id,
        title_kk="",
        title_ru="",
        title_en="",
        date=election.date,
        ruleset="",
        definition="{}",
        definition_sha256="",
    )
    with pytest.raises(ConflictError, match="refused"), stored.session() as session:
        session.add(duplicate)
    with pytest.raises(StoreError, match="database error"), stored.session() as session:
        session.execute(select(func.nosuchfunction()))


def test_imports(stored: Store) -> None:
    details = {
        "file_sha256": "a" * 64,
        "mapping_sha256": "b" * 64,
        "rows_total": 10,
        "rows_stored": 8,
        "rows_rejected": 2,
    }
    with stored.session() as session:
        assert find_import(session, "test-2024", "a" * 64, "b" * 64) is None
        recorded = record_import(session, "test-2024", file_name="north.csv", **details)
    with stored.session() as session:
        found = find_import(session, "test-2024", "a" * 64, "b" * 64)
        assert find_import(session, "test-2024", "a" * 64, "c" * 64) is None
    assert found == recorded
    assert (found.file_name, found.rows_stored, found.rows_rejected) == ("north.csv", 8, 2)
    assert found.created_at.tzinfo is not None
    with pytest.raises(ConflictError, match="already imported"), stored.session() as session:
        record_import(session, "test-2024", file_name="copy.csv", **details)
    with pytest.raises(NotFound, match="nowhere"), stored.session() as session:
        record_import(session, "nowhere", file_name="x.csv", **details)
