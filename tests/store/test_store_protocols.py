"""Protocols: idempotent bulk upsert with versions, and column arrays for tallying."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import event, select, update

from saylau.core.controls import check_protocol
from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line, Protocol
from saylau.store import ConflictError, NotFound, Store, StoreError, bulk
from saylau.store.models import ProtocolRecord
from saylau.store.repository import (
    MISSING,
    ProtocolRow,
    UpsertCounts,
    content_sha256,
    finding_data,
    load_contest_arrays,
    save_election,
    upsert_protocols,
)
from saylau.store.testing import temporary_store

Make = Callable[..., ProtocolRow]


def _snapshot(store: Store) -> list[tuple[object, ...]]:
    with store.session() as session:
        records = session.scalars(select(ProtocolRecord).order_by(ProtocolRecord.id)).all()
        return [
            (r.id, r.station_id, r.contest_id, r.version, r.content_sha256, r.updated_at, r.votes)
            for r in records
        ]


def test_insert_then_same_rows_change_nothing(stored: Store, rows: list[ProtocolRow]) -> None:
    with stored.session() as session:
        first = upsert_protocols(session, "test-2024", rows)
    assert first == UpsertCounts(inserted=6, unchanged=0, changed=0)
    before = _snapshot(stored)
    with stored.session() as session:
        second = upsert_protocols(session, "test-2024", rows)
    assert second == UpsertCounts(inserted=0, unchanged=6, changed=0)
    assert second.total == 6
    assert _snapshot(stored) == before
    assert [snapshot[3] for snapshot in before] == [1] * 6


def test_changed_row_gets_version_two(stored: Store, rows: list[ProtocolRow]) -> None:
    with stored.session() as session:
        upsert_protocols(session, "test-2024", rows)
    changed = replace(rows[0], votes=[999, 0], status="rejected", source="fix.csv:2")
    with stored.session() as session:
        counts = upsert_protocols(session, "test-2024", [changed, *rows[1:]])
    assert counts == UpsertCounts(inserted=0, unchanged=5, changed=1)
    assert counts.written == {(changed.station, changed.contest)}
    with stored.session() as session:
        record = session.scalars(
            select(ProtocolRecord).where(
                ProtocolRecord.station_id == changed.station,
                ProtocolRecord.contest_id == changed.contest,
            )
        ).one()
    assert (record.version, record.votes, record.status) == (2, [999, 0], "rejected")
    assert record.source == "fix.csv:2"
    assert record.content_sha256 == content_sha256(changed)
    assert record.updated_at.tzinfo is not None


def test_source_alone_is_not_a_change(stored: Store, rows: list[ProtocolRow]) -> None:
    with stored.session() as session:
        upsert_protocols(session, "test-2024", rows)
        again = [replace(row, source="other.csv") for row in rows]
        assert upsert_protocols(session, "test-2024", again).unchanged == len(rows)


def test_repeated_key_in_one_call(stored: Store, make_protocol: Make) -> None:
    first = make_protocol("001", "list", [5, 5])
    second = make_protocol("001", "list", [6, 4])
    third = make_protocol("001", "list", [7, 3])
    with stored.session() as session:
        counts = upsert_protocols(session, "test-2024", [first, second], batch_size=1)
        assert counts == UpsertCounts(inserted=1, changed=1)
        counts = upsert_protocols(session, "test-2024", [third, first, first])
        assert counts == UpsertCounts(changed=2, unchanged=1)
    assert [(s[1], s[3], s[6]) for s in _snapshot(stored)] == [("001", 4, [5, 5])]
    with stored.session() as session:
        counts = upsert_protocols(session, "test-2024", [second, third, first], batch_size=1)
        assert counts == UpsertCounts(changed=3)
    assert [(s[1], s[3], s[6]) for s in _snapshot(stored)] == [("001", 7, [5, 5])]


def test_batches(stored: Store, rows: list[ProtocolRow]) -> None:
    with stored.session() as session:
        counts = upsert_protocols(session, "test-2024", iter(rows), batch_size=2)
    assert counts.inserted == len(rows)
    assert len(_snapshot(stored)) == len(rows)


def test_unknown_references(stored: Store, make_protocol: Make) -> None:
    cases = [
        ("nowhere", make_protocol("001", "list", [1, 2]), NotFound, "nowhere"),
        ("test-2024", make_protocol("001", "senate", [1, 2]), NotFound, "senate"),
        ("test-2024", make_protocol("999", "list", [1, 2]), NotFound, "999"),
        ("test-2024", make_protocol("001", "list", [1, 2, 3]), StoreError, "2 choices"),
    ]
    for election_id, row, error, text in cases:
        with pytest.raises(error, match=text), stored.session() as session:
            upsert_protocols(session, election_id, [row])
    assert _snapshot(stored) == []


def test_concurrent_change_is_refused(stored: Store, make_protocol: Make) -> None:
    with stored.session() as session:
        upsert_protocols(session, "test-2024", [make_protocol("001", "list", [5, 5])])

    def change_under_a_concurrent_writer() -> None:
        with stored.session() as session:

            def rows() -> Iterator[ProtocolRow]:
                yield make_protocol("001", "list", [6, 4])
                # Another writer moves the version on between our read and our write.
                session.execute(update(ProtocolRecord).values(version=7))

            upsert_protocols(session, "test-2024", rows())

    with pytest.raises(ConflictError, match="another writer"):
        change_under_a_concurrent_writer()
    assert [s[3] for s in _snapshot(stored)] == [1]


def test_findings_are_stored_as_data(stored: Store, make_protocol: Make) -> None:
    row = make_protocol("002", "list", [5, 5])
    lines = dict(row.lines)
    lines[Line.FOUND] = lines[Line.ISSUED] + 5
    findings = check_protocol(Protocol("002", "list", lines, {"amanat": 5, "aq-jol": 5}))
    assert findings
    data = [finding_data(f) for f in findings]
    with stored.session() as session:
        upsert_protocols(
            session, "test-2024", [replace(row, lines=lines, findings=data, status="rejected")]
        )
    with stored.session() as session:
        record = session.scalars(select(ProtocolRecord)).one()
    assert record.findings == data
    assert record.findings[0]["code"] == "E02"


def test_contest_arrays(stored: Store, rows: list[ProtocolRow], make_protocol: Make) -> None:
    partial = make_protocol("004", "list", [7, 8], status="rejected")
    partial = replace(partial, lines={Line.VALID: 16, Line.AGAINST_ALL: 1})
    rows = [row for row in rows if (row.station, row.contest) != ("004", "list")] + [partial]
    with stored.session() as session:
        upsert_protocols(session, "test-2024", rows)
        arrays = load_contest_arrays(session, "test-2024", "list")
        district = load_contest_arrays(session, "test-2024", "north-1")
    assert arrays.choices == ("amanat", "aq-jol")
    assert arrays.station_ids == ["001", "002", "003", "004"]
    assert len(arrays) == 4
    assert arrays.votes.shape == (4, 2)
    assert arrays.votes.dtype == np.int64
    assert arrays.votes.sum(axis=0).tolist() == [10 + 20 + 30 + 7, 11 + 21 + 31 + 8]
    assert set(arrays.lines) == set(Line)
    assert arrays.lines[Line.VALID].tolist() == [22, 42, 62, 16]
    assert arrays.lines[Line.VOTERS].tolist() == [1000, 1000, 1000, MISSING]
    assert arrays.status.tolist() == ["accepted", "accepted", "accepted", "rejected"]
    assert arrays.with_status("accepted").tolist() == [True, True, True, False]
    accepted = arrays.votes[arrays.with_status("accepted")].sum(axis=0)
    assert accepted.tolist() == [60, 63]
    assert district.votes.shape == (2, 3)
    assert district.station_ids == ["001", "002"]


def test_contest_arrays_empty_and_unknown(stored: Store) -> None:
    with stored.session() as session:
        arrays = load_contest_arrays(session, "test-2024", "north-1")
        assert arrays.votes.shape == (0, 3)
        assert arrays.station_ids == []
        assert all(column.shape == (0,) for column in arrays.lines.values())
        with pytest.raises(NotFound, match="senate"):
            load_contest_arrays(session, "test-2024", "senate")


def test_concurrent_insert_is_refused(stored: Store, make_protocol: Make) -> None:
    def insert_under_a_concurrent_writer() -> None:
        with stored.session() as session:

            def rows() -> Iterator[ProtocolRow]:
                yield make_protocol("001", "list", [6, 4])
                # Another writer stores the same protocol between our read and our write.
                with stored.session() as other:
                    upsert_protocols(other, "test-2024", [make_protocol("001", "list", [5, 5])])

            upsert_protocols(session, "test-2024", rows())

    with pytest.raises(ConflictError, match="refused"):
        insert_under_a_concurrent_writer()
    assert [s[6] for s in _snapshot(stored)] == [[5, 5]]


def test_writes_in_batches(
    store: Store, election_data: dict[str, object], make_protocol: Make
) -> None:
    """A thousand rows take a handful of statements, not one per row."""
    stations = election_data["stations"]
    assert isinstance(stations, list)
    stations.extend({"id": f"s{n:04d}", "commission": "south", "voters": 900} for n in range(1200))
    election = parse_election(election_data, "big")
    with store.session() as session:
        save_election(session, election, json.dumps(election_data))
    statements: list[object] = []

    def count(*args: object) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        for votes, expected in (([1, 2], "inserted"), ([2, 1], "changed")):
            rows = [make_protocol(s, "list", votes) for s in election.contest_stations("list")]
            statements.clear()
            with store.session() as session:
                counts = upsert_protocols(session, "test-2024", rows, batch_size=500)
            assert getattr(counts, expected) == len(rows) == 1204
            assert len(statements) <= 20
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    with store.session() as session:
        arrays = load_contest_arrays(session, "test-2024", "list")
    assert arrays.votes.sum(axis=0).tolist() == [2 * 1204, 1204]


def _stored_rows(store: Store) -> list[tuple[object, ...]]:
    """Every stored protocol column but the time of the write."""
    table = ProtocolRecord.__table__
    columns = [c for c in table.columns if c.name != "updated_at"]
    with store.session() as session:
        return [tuple(r) for r in session.execute(select(*columns).order_by(table.c.id))]


def _imports(rows: list[ProtocolRow], make_protocol: Make) -> list[list[ProtocolRow]]:
    """A first import, the same again, and a correcting one (a change, a protocol changed
    twice, an unchanged one, rows of both contests in turn)."""
    fixed = [replace(row, votes=[v + 1 for v in row.votes]) for row in rows[:2]]
    return [
        rows[:4],
        rows[:4],
        [fixed[0], rows[4], fixed[1], rows[2], make_protocol("001", "list", [0, 0]), rows[5]],
    ]


@pytest.mark.parametrize("batch_size", [1, 2, 5_000])
def test_copy_stores_what_inserts_store(
    election: Election,
    definition_json: str,
    rows: list[ProtocolRow],
    *,
    make_protocol: Make,
    monkeypatch: pytest.MonkeyPatch,
    batch_size: int,
) -> None:
    """On PostgreSQL the rows go in with COPY: the same rows as statement by statement."""
    results = []
    for copy in (True, False):
        if not copy:
            monkeypatch.setattr(bulk, "copies", lambda connection: False)
        with temporary_store() as fresh:
            with fresh.session() as session:
                save_election(session, election, definition_json)
            counts = []
            for batch in _imports(rows, make_protocol):
                with fresh.session() as session:
                    counts.append(
                        upsert_protocols(session, "test-2024", batch, batch_size=batch_size)
                    )
            results.append((counts, _stored_rows(fresh)))
    assert results[0] == results[1]
    counts, stored = results[0]
    assert counts == [
        UpsertCounts(inserted=4),
        UpsertCounts(unchanged=4),
        UpsertCounts(inserted=2, changed=3, unchanged=1),
    ]
    versions = {(row[2], row[3]): row[-3] for row in stored}
    assert len(stored) == 6
    assert versions[rows[0].station, rows[0].contest] == 3
    assert versions[rows[1].station, rows[1].contest] == 2


def test_error_after_rows_went_in(
    stored: Store, rows: list[ProtocolRow], make_protocol: Make
) -> None:
    """An error in the middle of the rows (some of them already sent) stores nothing."""
    bad = make_protocol("999", "list", [1, 2])
    with pytest.raises(NotFound, match="999"), stored.session() as session:
        upsert_protocols(session, "test-2024", [*rows, bad], batch_size=1)
    assert _snapshot(stored) == []
    with stored.session() as session:
        assert upsert_protocols(session, "test-2024", rows).inserted == len(rows)
