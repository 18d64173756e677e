"""``load_election_arrays``: a few contests asked for read only their own rows, with the same
arrays as when the whole election is read."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import event

from saylau.core.election import Election
from saylau.store import Store, election_arrays
from saylau.store.arrays import ContestArrays
from saylau.store.election_arrays import load_election_arrays
from saylau.store.repository import ProtocolRow, upsert_protocols


def _load(store: Store, election: Election, contests: list[str]) -> dict[str, ContestArrays]:
    choices = {cid: [c.id for c in election.contests[cid].choices] for cid in contests}
    with store.session() as session:
        return load_election_arrays(session, election.id, choices)


def _same(a: ContestArrays, b: ContestArrays) -> bool:
    return (
        a.station_ids == b.station_ids
        and np.array_equal(a.votes, b.votes)
        and a.status.tolist() == b.status.tolist()
        and all(np.array_equal(a.lines[line], b.lines[line]) for line in a.lines)
    )


def test_one_contest_reads_only_its_rows(
    stored: Store, election: Election, rows: list[ProtocolRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    with stored.session() as session:
        upsert_protocols(session, election.id, rows)
    sent: list[tuple[str, Any]] = []

    def spy(_c: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if "FROM protocols" in statement:
            sent.append((statement, parameters))

    event.listen(stored.engine, "before_cursor_execute", spy)
    try:
        one = _load(stored, election, ["north-1"])
    finally:
        event.remove(stored.engine, "before_cursor_execute", spy)
    ((statement, parameters),) = sent
    assert " IN " in statement
    values = parameters.values() if isinstance(parameters, dict) else parameters
    assert "north-1" in values
    assert "list" not in values
    assert list(one) == ["north-1"]
    assert one["north-1"].station_ids == ["001", "002"]

    monkeypatch.setattr(election_arrays, "FEW_CONTESTS", 0)  # the whole election read
    everything = _load(stored, election, list(election.contests))
    assert _same(one["north-1"], everything["north-1"])
    assert len(everything["list"]) == 4
