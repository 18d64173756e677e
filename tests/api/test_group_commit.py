"""Group commit (PostgreSQL): the writes of concurrent threads share transactions, each is
acknowledged only once its transaction committed, and one that fails fails alone."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from api_helpers import ELECTION_ID, Person, ledger_findings, values
from sqlalchemy.orm import Session

from saylau.core.entry import Submit
from saylau.core.ledger.events import Kind, decode_line
from saylau.core.roles import Permission, Role
from saylau.services import entry, group_commit, ledger
from saylau.services.accounts import authenticate, record_action
from saylau.services.entry import ProtocolRef, act, build_protocol, election_for
from saylau.services.errors import InvalidRequestError
from saylau.services.group_commit import grouped_write
from saylau.store import Store, StoreError
from saylau.store.entries import StoredEntry, insert_entry, load_entry
from saylau.store.ledger_events import ledger_lines


def _recorded(store: Store) -> list[str]:
    with store.session() as session:
        events = [decode_line(line, checked=False) for line in ledger_lines(session)]
    return [str(e.payload["user"]) for e in events if e.kind == Kind.ACTION_RECORDED]


def test_concurrent_writes_are_grouped_and_a_failure_stays_alone(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("group commit is PostgreSQL's; on SQLite each write is a transaction")
    sizes: list[int] = []
    run = group_commit._run

    def counted(store: Store, batch: list[Any]) -> None:
        sizes.append(len(batch))
        run(store, batch)

    monkeypatch.setattr(group_commit, "_run", counted)
    started = threading.Event()

    def work(n: int) -> Any:
        def run(session: Session) -> int:
            if n == 0:
                started.set()
                time.sleep(0.3)  # the first group is slow: the others queue meanwhile
            record_action(session, f"user-{n}", "test", f"user-{n}", {})
            if n % 5 == 4:
                raise InvalidRequestError("refused", field="n", expected="not 4 modulo 5")
            return n

        return run

    results: dict[int, object] = {}

    def client(n: int) -> None:
        if n:
            started.wait(5)
        try:
            results[n] = grouped_write(store, work(n))
        except InvalidRequestError as error:
            results[n] = error

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(results[n] == n for n in range(20) if n % 5 != 4)
    assert all(isinstance(results[n], InvalidRequestError) for n in range(20) if n % 5 == 4)
    assert max(sizes) > 1
    assert sum(sizes) == 20
    assert sorted(_recorded(store)) == sorted(f"user-{n}" for n in range(20) if n % 5 != 4)
    assert ledger_findings(store) == []


def test_nothing_of_a_group_is_acknowledged_when_its_transaction_fails(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("group commit is PostgreSQL's")

    def fine(session: Session) -> int:
        record_action(session, "ana", "test", "ana", {})
        return 1

    def lost(session: Session) -> int:
        # The database ends this connection, as a crash of the server would.
        session.connection().exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")
        return 2

    works = [group_commit._Work(fine), group_commit._Work(lost)]
    group_commit._run(store, works)
    assert all(isinstance(work.error, StoreError) for work in works)  # answered 503
    assert all(work.result is None for work in works)
    assert "ana" not in _recorded(store)
    assert ledger_findings(store) == []


def test_a_conditional_write_that_fails_in_a_speculative_group_fails_alone(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("group commit is PostgreSQL's")
    again: list[int] = []
    with_savepoints = group_commit._run_with_savepoints

    def counted(store: Store, batch: list[Any]) -> None:
        again.append(len(batch))
        with_savepoints(store, batch)

    monkeypatch.setattr(group_commit, "_run_with_savepoints", counted)

    def claim(user: str, station: str) -> Any:
        def run(session: Session) -> bool:
            state = {"stage": "first-claimed", "claimant": user}
            row = StoredEntry(station, "list", "first-claimed", 1, state)
            return insert_entry(session, ELECTION_ID, row)

        return run

    # the second and the fourth claim the entry the first claimed: the first wins
    works = [group_commit._Work(claim(u, s)) for u, s in (("ana", "001"), ("bek", "001"),
             ("chen", "002"), ("dana", "001"))]  # fmt: skip
    group_commit._run(store, works)
    assert [work.result for work in works] == [True, False, True, False]
    assert [work.error for work in works] == [None] * 4
    assert again == [4]  # the speculative run failed at its commit and was run again
    with store.session() as session:
        stored = {s: load_entry(session, ELECTION_ID, s, "list") for s in ("001", "002")}
    assert {s: e.state["claimant"] for s, e in stored.items() if e} == {"001": "ana", "002": "chen"}


def test_a_group_reads_the_ledger_for_all_its_actions_at_once(
    store: Store, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("group commit is PostgreSQL's")
    ana, bek = (
        authenticate(store, person(n, Role.TYPIST)["Authorization"].split()[1])
        for n in ("ana", "bek")
    )
    first = ProtocolRef(ELECTION_ID, "005", "list")
    chosen = election_for(store, ana, first, Permission.TYPE_ENTRY)
    stations = ("001", "002", "003", "004")
    typed = {s: build_protocol(chosen, s, "list", **values()) for s in stations}
    for station in stations:  # the first entries, one at a time
        ref = ProtocolRef(ELECTION_ID, station, "list")
        act(store, ana, ref, Submit("ana", typed[station]), expected_version=0)
    done = build_protocol(chosen, "005", "list", **values())  # the ledger has a protocol
    act(store, ana, first, Submit("ana", done), expected_version=0)
    act(store, bek, first, Submit("bek", done), expected_version=1)
    read: list[int] = []
    reads = ledger.protocol_lines_and_keys

    def counted(session: Session, pairs: Any, *more: Any) -> Any:
        read.append(len(pairs))
        return reads(session, pairs, *more)

    monkeypatch.setattr(ledger, "protocol_lines_and_keys", counted)
    works = []
    for station in stations:  # the second entries, accepted together
        ref = ProtocolRef(ELECTION_ID, station, "list")
        submit = Submit("bek", typed[station])
        work, _ = entry._action(store, bek, ref, submit, expected_version=1,
                                idempotency_key=None, request=None)  # fmt: skip
        works.append(group_commit._Work(work, reads=entry._reads(store, ref, submit)))
    group_commit._run(store, works)
    assert [work.error for work in works] == [None] * 4
    assert [work.result.body["stage"] for work in works] == ["accepted"] * 4
    assert sum(read) == 0  # no protocol's history read by the actions themselves
    with store.session() as session:
        kinds = [decode_line(line, checked=False).kind for line in ledger_lines(session)]
    assert kinds.count(Kind.PROTOCOL_ACCEPTED) == 5
    assert ledger_findings(store) == []
