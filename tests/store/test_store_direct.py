"""Statements on the driver's connection: a deferred write is sent with the next statement
(direct or through SQLAlchemy) or the commit, is seen by what follows it in the transaction,
is discarded by a rollback, and its error is raised by the statement that sent it."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, select, update

from saylau.store import ConflictError, Store
from saylau.store.direct import Direct, SpeculationError
from saylau.store.ledger_events import ledger_lines
from saylau.store.models import LedgerEventRecord, table

_EVENTS = table(LedgerEventRecord)
_INSERT = Direct(insert(_EVENTS))


def _row(sequence: int) -> dict[str, object]:
    return {
        "sequence": sequence,
        "hash": f"hash-{sequence}",
        "kind": "test",
        "actor": "cec",
        "time": "2024-03-17T20:00:00Z",
        "line": f"line-{sequence}".encode(),
        "subject": None,
        "contest": None,
    }


def test_a_deferred_write_is_seen_by_the_next_statements_and_committed(store: Store) -> None:
    with store.session() as session:
        _INSERT.later(session, [_row(0)])
        _INSERT.later(session, [_row(1), _row(2)])
        assert [bytes(line) for line in ledger_lines(session)] == [b"line-0", b"line-1", b"line-2"]
        _INSERT.later(session, [_row(3)])  # sent with the commit
    with store.session() as session:
        assert len(list(ledger_lines(session))) == 4


class StopError(Exception):
    pass


def _defer_then_fail(store: Store) -> None:
    with store.session() as session:
        _INSERT.later(session, [_row(0)])
        raise StopError


def _defer_a_taken_sequence(store: Store) -> None:
    with store.session() as session:
        _INSERT.later(session, [_row(0)])  # the same sequence again
        _INSERT.execute(session, _row(1))  # sends it: raises


def test_a_rollback_discards_deferred_writes(store: Store) -> None:
    with pytest.raises(StopError):
        _defer_then_fail(store)
    with store.session() as session:
        assert list(ledger_lines(session)) == []
        _INSERT.later(session, [_row(5)])
    with store.session() as session:
        assert [bytes(line) for line in ledger_lines(session)] == [b"line-5"]


def test_the_error_of_a_deferred_write_is_raised_by_what_sends_it(store: Store) -> None:
    with store.session() as session:
        _INSERT.execute(session, _row(0))
    with pytest.raises(ConflictError):
        _defer_a_taken_sequence(store)
    with store.session() as session:
        assert [bytes(line) for line in ledger_lines(session)] == [b"line-0"]


_RENAME = Direct(
    update(_EVENTS).where(_EVENTS.c.sequence == bindparam("s")).values(kind=bindparam("k"))
)


def _rename_missing(store: Store, *, at_commit: bool) -> None:
    with store.session() as session:
        _INSERT.later(session, [_row(1)])
        _RENAME.expect_later(session, {"s": 7, "k": "renamed"})  # no event 7: no row
        if not at_commit:
            ledger_lines(session)  # sends it (a read through SQLAlchemy): raises


@pytest.mark.parametrize("at_commit", [False, True])
def test_a_deferred_conditional_write_that_changes_no_row_fails_its_transaction(
    store: Store, at_commit: bool
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("writes are deferred on PostgreSQL only")
    with store.session() as session:
        _INSERT.execute(session, _row(0))
        _RENAME.expect_later(session, {"s": 0, "k": "renamed"})  # one row: as expected
    with pytest.raises(SpeculationError, match="changed 0 rows, not 1"):
        _rename_missing(store, at_commit=at_commit)
    with store.session() as session:
        kinds = session.execute(select(_EVENTS.c.sequence, _EVENTS.c.kind)).all()
    assert [tuple(row) for row in kinds] == [(0, "renamed")]  # event 1 rolled back
