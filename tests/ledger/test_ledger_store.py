"""The ledger in the store: events written with the protocols, in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import TIME, row, store_night
from sqlalchemy.event import listen
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from saylau.cli.exit_codes import VERIFICATION_FAILED
from saylau.cli.main import app
from saylau.core.election import Election
from saylau.core.ledger.events import decode_line
from saylau.core.ledger.replay import replay
from saylau.ledger import verify_bundle, verify_event_signature
from saylau.services.ledger import GENERATED_REASON, demo_key, record_protocols
from saylau.services.publishing import publish_ledger
from saylau.store import ConflictError, NotFound, Store, ledger_events
from saylau.store.ledger_events import LedgerRow, append_lines, ledger_head, ledger_lines
from saylau.store.protocols import upsert_protocols


def lines(store: Store) -> list[bytes]:
    with store.session() as session:
        return list(ledger_lines(session))


def test_append_read_and_head(store: Store) -> None:
    rows = [LedgerRow(n, f"{n:064x}", "kind", "cec", TIME, b"line %d" % n) for n in range(3)]
    with store.session() as session:
        assert ledger_head(session) is None
        assert append_lines(session, rows) == 3
    with store.session() as session:
        assert list(ledger_lines(session)) == [b"line 0", b"line 1", b"line 2"]
        assert ledger_head(session) == (3, f"{2:064x}")
    with pytest.raises(ConflictError), store.session() as session:
        append_lines(session, [LedgerRow(2, "f" * 64, "kind", "cec", TIME, b"again")])
    assert lines(store) == [b"line 0", b"line 1", b"line 2"]


def test_protocols_are_entered_signed_and_accepted(store: Store, election: Election) -> None:
    added = store_night(store, election, [row("001", 600, 300), row("002", 1, 1, "rejected")])
    events = [decode_line(line) for line in lines(store)]
    assert added == len(events)
    kinds = [e.kind for e in events]
    assert kinds == [
        "key-registered",
        "election-defined",
        "key-registered",
        "protocol-entered",
        "key-registered",
        "protocol-accepted",
        "key-registered",
        "protocol-entered",
    ]
    # the commission above the station accepts, with its own key, registered by the CEC
    assert events[4].payload["commission"] == "north"
    assert events[5].actor == "north"
    result = replay(events, verifier=verify_event_signature)
    assert result.ok, result.findings
    assert result.state.protocols["001", "list"].status == "accepted"
    assert result.state.protocols["002", "list"].status == "entered"
    assert result.state.protocols["001", "list"].votes == {"amanat": 600, "aq-jol": 300}
    entered = events[3]
    assert entered.actor == "001"
    assert entered.signatures[0].key_id == demo_key(election.id, "001").key_id


def test_storing_again_adds_nothing_and_a_change_is_a_correction(
    store: Store, election: Election
) -> None:
    store_night(store, election, [row("001", 600, 300)])
    before = lines(store)
    assert store_night(store, election, [row("001", 600, 300)]) == 0
    assert lines(store) == before
    assert store_night(store, election, [row("001", 599, 301)]) == 2
    events = [decode_line(line) for line in lines(store)]
    corrected = events[-2]
    assert corrected.kind == "protocol-corrected"
    assert corrected.payload["reason"] == GENERATED_REASON
    assert corrected.payload["before"]["votes"] == {"amanat": 600, "aq-jol": 300}  # type: ignore[index,call-overload]
    assert corrected.payload["after"]["votes"] == {"amanat": 599, "aq-jol": 301}  # type: ignore[index,call-overload]
    assert events[-1].kind == "protocol-accepted"
    result = replay(events, verifier=verify_event_signature)
    assert result.ok, result.findings
    assert result.state.protocols["001", "list"].version == 2


def test_a_failed_transaction_leaves_no_event(store: Store, election: Election) -> None:
    def store_then_fail() -> None:
        with store.session() as session:
            good = [row("001", 600, 300)]
            upsert_protocols(session, election.id, good)
            record_protocols(session, election, good, time=TIME)
            upsert_protocols(session, election.id, [row("999", 1, 1)])

    with pytest.raises(NotFound):
        store_then_fail()
    assert lines(store) == []
    with store.session() as session:
        assert ledger_head(session) is None
    # what the failed transaction wrote is not taken for granted by the next one
    store_night(store, election, [row("001", 600, 300)])
    events = [decode_line(line) for line in lines(store)]
    assert [e.kind for e in events[:2]] == ["key-registered", "election-defined"]
    result = replay(events, verifier=verify_event_signature)
    assert result.ok, result.findings


def test_what_a_committed_transaction_wrote_is_not_read_again(
    store: Store, election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_night(store, election, [row("001", 600, 300)])
    statements: list[str] = []
    fetched = ledger_events.fetch  # PostgreSQL: reads sent together, past SQLAlchemy

    def fetch(session: Session, queries: Any) -> Any:
        statements.extend(sql for sql, _ in queries)
        return fetched(session, queries)

    monkeypatch.setattr(ledger_events, "fetch", fetch)
    with store.session() as session:
        listen(session.get_bind(), "before_cursor_execute", lambda *a: statements.append(a[2]))
        upsert_protocols(session, election.id, [row("002", 400, 350)])
        record_protocols(session, election, [row("002", 400, 350)], time=TIME)
    ledger_reads = [s for s in statements if "FROM ledger_events" in s]
    # the head, the new station's key registration and its protocol's history; not the
    # definition event nor the keys of the CEC and of the region, known from before
    assert len(ledger_reads) == 3, "\n\n".join(ledger_reads)
    events = [decode_line(line) for line in lines(store)]
    assert replay(events, verifier=verify_event_signature).ok


def test_publish_twice_then_verify(store: Store, election: Election, tmp_path: Path) -> None:
    store_night(store, election, [row("001", 600, 300), row("002", 400, 350)])
    first = publish_ledger(store, tmp_path / "v1", time=TIME)
    store_night(store, election, [row("001", 599, 301)])
    second = publish_ledger(store, tmp_path / "v2", tmp_path / "v1", time=TIME)
    assert (first.version, second.version) == (1, 2)
    assert second.tree_size == first.tree_size + 1 + 2  # bundle-published, corrected, accepted
    report = verify_bundle(tmp_path / "v2", tmp_path / "v1")
    assert report.ok, report.findings
    assert report.root_key_id == demo_key(election.id, "cec").key_id
    assert report.state is not None
    assert report.state.publications[0].root_hash == first.root_hash
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "v2")])
    assert result.exit_code == 0, result.output
    assert "ok: the bundle verifies" in result.stdout
    amanat = next(line for line in result.stdout.splitlines() if "│ amanat " in line)
    assert "999" in amanat


def test_a_changed_byte_fails_with_exit_code_5(
    store: Store, election: Election, tmp_path: Path
) -> None:
    store_night(store, election, [row("001", 600, 300)])
    publish_ledger(store, tmp_path / "v1", time=TIME)
    (ledger,) = (tmp_path / "v1").glob("ledger-*.jsonl")
    ledger.write_bytes(ledger.read_bytes().replace(b'"amanat":600', b'"amanat":700'))
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "v1")])
    assert result.exit_code == VERIFICATION_FAILED, result.output
    assert "file-hash" in result.stdout
