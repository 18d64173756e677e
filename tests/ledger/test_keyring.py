"""Commission keys from a key directory: registered before a commission's first event,
rotated mid-election (a precinct's and the CEC's), later events signed with the new keys,
a rotated-out key refused, missing and encrypted key files."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from saylau.core.election import Election, parse_election
from saylau.core.ledger.events import Event, decode_line
from saylau.core.ledger.replay import replay
from saylau.core.protocol import Line
from saylau.ledger import KeyFileError, KeyPair, publish, verify_bundle, verify_event_signature
from saylau.ledger.keyring import PASSPHRASE_VARIABLE, Keyring, keyring_at
from saylau.services.keyring import (
    generate_keys,
    key_records,
    loose_keys,
    rotate_key,
    without_keys,
)
from saylau.services.ledger import LedgerAppender, demo_key, record_protocols
from saylau.store import ConflictError, NotFound, Store, StoreError
from saylau.store.ledger_events import ledger_lines
from saylau.store.protocols import ProtocolRow, upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import cec, definition, north_district, party_list, polling_station, region

TIME = "2024-03-17T21:00:00Z"
LATER = "2024-03-17T23:00:00Z"
# cec ── north ── 001, 002; two contests, so a station enters a protocol after a rotation
DEFINITION: dict[str, object] = definition(
    "keys-2024",
    title="Key election",
    commissions=[cec(), region("north", "North")],
    stations=[polling_station("001", "north"), polling_station("002", "north", 800)],
    contests=[party_list(), north_district()],
)


def row(station: str, contest: str, a: int, b: int) -> ProtocolRow:
    lines = {Line.VOTERS: 1000, Line.INVALID: 0, Line.AGAINST_ALL: 0}
    lines[Line("ballots_valid")] = a + b
    return ProtocolRow(station, contest, lines, [a, b], "accepted")


def store_rows(store: Store, election: Election, rows: list[ProtocolRow], time: str) -> int:
    with store.session() as session:
        upsert_protocols(session, election.id, rows)
        return record_protocols(session, election, rows, time=time)


def events_of(store: Store) -> list[Event]:
    with store.session() as session:
        return [decode_line(line) for line in ledger_lines(session)]


def signer(event: Event) -> str:
    assert event.signatures is not None
    (signature,) = event.signatures
    return signature.key_id


@pytest.fixture
def election() -> Election:
    return parse_election(DEFINITION, "test")


@pytest.fixture
def store(election: Election, tmp_path: Path) -> Iterator[Store]:
    """A store of the election with a key directory holding every commission's first key."""
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        store.keys = tmp_path / "keys"
        store.keys.mkdir(mode=0o700)
        yield store


def first_keys(store: Store, election: Election) -> dict[str, str]:
    wanted = without_keys(store, election)
    assert wanted == ["cec", "north", "001", "002"]
    return dict(zip(wanted, generate_keys(store, election, wanted), strict=True))


def test_a_written_election_is_signed_with_the_directory_keys(
    store: Store, election: Election, tmp_path: Path
) -> None:
    ids = first_keys(store, election)
    assert store.keys is not None
    for commission, key_id in ids.items():
        path = store.keys / commission / f"{key_id}.pem"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert b"BEGIN PRIVATE KEY" in path.read_bytes()
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    events = events_of(store)
    registered = {
        str(e.payload["commission"]): str(e.payload["key_id"])
        for e in events
        if e.kind == "key-registered"
    }
    assert registered == {"cec": ids["cec"], "north": ids["north"], "001": ids["001"]}
    assert {e.actor: signer(e) for e in events} == {
        "cec": ids["cec"],
        "north": ids["north"],
        "001": ids["001"],
    }
    demo_ids = {demo_key(election.id, c).key_id for c in ids}
    assert not demo_ids & {signer(e) for e in events}
    assert replay(events, verifier=verify_event_signature).ok
    assert [(r.commission, r.key_id, r.retired) for r in key_records(store)] == [
        ("cec", ids["cec"], None),
        ("001", ids["001"], None),  # the station enters first, then its commission accepts
        ("north", ids["north"], None),
    ]
    assert loose_keys(store, key_records(store))[0].commission == "002"


def test_rotations_mid_election_sign_the_later_events_with_the_new_keys(
    store: Store, election: Election, tmp_path: Path
) -> None:
    ids = first_keys(store, election)
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    precinct = rotate_key(store, election, "001", "the precinct's laptop was lost", time=LATER)
    cec = rotate_key(store, election, "cec", "scheduled rotation", time=LATER)
    assert (precinct.old_key_id, cec.old_key_id) == (ids["001"], ids["cec"])
    assert len({precinct.key_id, cec.key_id, *ids.values()}) == 6
    store_rows(
        store, election, [row("001", "north-1", 280, 220), row("002", "list", 100, 50)], LATER
    )
    with store.session() as session:
        appender = LedgerAppender.open(session, election, time=LATER)
        appender.action("officer", "note", "keys", {"text": "rotations done"})
        appender.flush()

    events = events_of(store)
    result = replay(events, verifier=verify_event_signature)
    assert result.ok, result.findings
    rotations = [e for e in events if e.kind == "key-rotated"]
    assert [(e.payload["commission"], signer(e)) for e in rotations] == [
        ("001", ids["cec"]),  # by the CEC's current key
        ("cec", ids["cec"]),  # the CEC's own rotation: by the key it retires
    ]
    assert rotations[0].payload["reason"] == "the precinct's laptop was lost"
    after = events[rotations[-1].sequence + 1 :]
    assert {(e.actor, signer(e)) for e in after} == {
        ("cec", cec.key_id),  # registering 002's key, the action
        ("001", precinct.key_id),  # 001's district protocol
        ("002", ids["002"]),
        ("north", ids["north"]),
    }
    keys = result.state.keys
    assert keys[ids["001"]].retired == rotations[0].sequence
    assert keys[ids["001"]].replaced_by == precinct.key_id
    assert keys[ids["cec"]].replaced_by == cec.key_id
    assert [k.key_id for k in result.state.current_keys("cec")] == [cec.key_id]

    # published with the CEC's new key, the bundle verifies from its files alone
    new_cec = keyring_at(tmp_path / "keys").load("cec", cec.key_id)
    publish(events, tmp_path / "v1", signer=new_cec, timestamp=LATER)
    report = verify_bundle(tmp_path / "v1", workers=1, trusted_root_key=ids["cec"])
    assert report.ok, report.findings


def test_an_event_signed_with_a_rotated_out_key_fails_verification(
    store: Store, election: Election, tmp_path: Path
) -> None:
    ids = first_keys(store, election)
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    rotate_key(store, election, "001", "compromised", time=LATER)
    ring = keyring_at(tmp_path / "keys")
    old = ring.load("001", ids["001"])

    def stolen(_election: str, commission: str) -> KeyPair:
        if commission == "001":
            return old  # what the holder of the lost key could still sign
        return ring.load(commission, ids[commission])

    with store.session() as session:
        appender = LedgerAppender.open(session, election, time=LATER, keys=stolen)
        forged = appender.action("intruder", "entered", "001", {}, commission="001")
        appender.flush()
    events = events_of(store)
    publish(events, tmp_path / "v1", signer=ring.load("cec", ids["cec"]), timestamp=LATER)
    report = verify_bundle(tmp_path / "v1", workers=1)
    found = {(f.code, f.sequence) for f in report.findings}
    assert found == {("key-not-valid", forged.sequence), ("unsigned", forged.sequence)}
    messages = [f.message for f in report.findings]
    assert f"key {ids['001']} was not registered for commission 001 at that time" in messages[0]


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the key files read so far, as a process started now would."""
    monkeypatch.setattr("saylau.ledger.keyring._KEYRINGS", {})


def test_a_missing_key_file_is_an_error_naming_the_commission_and_the_key(
    store: Store, election: Election, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = first_keys(store, election)
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    before = events_of(store)
    path = tmp_path / "keys" / "north" / f"{ids['north']}.pem"
    path.unlink()
    new_process(monkeypatch)
    with pytest.raises(KeyFileError) as caught:
        store_rows(store, election, [row("002", "list", 100, 50)], LATER)
    assert str(caught.value) == (
        f"the key directory {tmp_path / 'keys'} lacks key {ids['north']} of commission north "
        f"(expected the file {path})"
    )
    assert events_of(store) == before  # nothing of the failed transaction


def test_no_key_for_a_new_commission_is_an_error_not_a_demo_key(
    store: Store, election: Election, tmp_path: Path
) -> None:
    generate_keys(store, election, ["cec", "north", "001"])
    with pytest.raises(KeyFileError) as caught:
        store_rows(store, election, [row("002", "list", 100, 50)], TIME)
    assert str(caught.value) == (
        f"commission 002 has no key yet and the key directory {tmp_path / 'keys'} holds "
        "none for it: create one with 'saylau keys generate --commission 002'"
    )
    assert events_of(store) == []


def test_a_rotation_that_does_not_commit_leaves_the_old_key_current(
    store: Store, election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = first_keys(store, election)
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    written: list[str] = []

    def refuse(self: LedgerAppender, *, defer: bool = False) -> int:
        written.extend(str(e.payload["key_id"]) for e in self.added)
        raise ConflictError("another writer appended first")

    with monkeypatch.context() as patch:
        patch.setattr(LedgerAppender, "flush", refuse)
        with pytest.raises(ConflictError):
            rotate_key(store, election, "001", "compromised", time=LATER)
    (uncommitted,) = written
    assert store.keys is not None
    assert (store.keys / "001" / f"{uncommitted}.pem").is_file()
    store_rows(store, election, [row("001", "north-1", 280, 220)], LATER)
    events = events_of(store)
    entered = [e for e in events if e.kind == "protocol-entered"]
    assert [signer(e) for e in entered] == [ids["001"], ids["001"]]
    assert replay(events, verifier=verify_event_signature).ok
    loose = loose_keys(store, key_records(store))
    assert [(k.commission, k.key_id, k.waiting) for k in loose] == [
        ("001", uncommitted, False),  # never used
        ("002", ids["002"], True),  # registered before 002's first event
    ]


def test_refusals(store: Store, election: Election) -> None:
    with pytest.raises(NotFound, match="has no commission 'nowhere'"):
        generate_keys(store, election, ["nowhere"])
    ids = first_keys(store, election)
    with pytest.raises(StoreError, match="waiting to be registered already"):
        generate_keys(store, election, ["002"])
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    with pytest.raises(StoreError, match=f"has a key in the ledger already \\({ids['001']}\\)"):
        generate_keys(store, election, ["001"])
    with pytest.raises(NotFound, match="commission 002 has no current key in the ledger"):
        rotate_key(store, election, "002", "why not")
    with pytest.raises(NotFound, match="has no commission 'nowhere'"):
        rotate_key(store, election, "nowhere", "why not")
    with pytest.raises(StoreError, match="needs a reason"):
        rotate_key(store, election, "001", "  ")
    store.keys = None
    with pytest.raises(StoreError, match="no key directory"):
        rotate_key(store, election, "001", "compromised")


def test_the_cec_rotation_needs_the_old_cec_key(
    store: Store, election: Election, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = first_keys(store, election)
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    before = events_of(store)
    (tmp_path / "keys" / "cec" / f"{ids['cec']}.pem").unlink()
    new_process(monkeypatch)
    with pytest.raises(KeyFileError, match=f"lacks key {ids['cec']} of commission cec"):
        rotate_key(store, election, "cec", "lost")
    assert events_of(store) == before
    assert [k.commission for k in loose_keys(store, key_records(store))] == ["002"]


def test_a_lost_precinct_key_is_rotated(
    store: Store, election: Election, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = first_keys(store, election)
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    (tmp_path / "keys" / "001" / f"{ids['001']}.pem").unlink()
    new_process(monkeypatch)
    rotation = rotate_key(store, election, "001", "lost")
    store_rows(store, election, [row("001", "north-1", 280, 220)], LATER)
    events = events_of(store)
    assert signer(events[-2]) == rotation.key_id  # 001's district protocol, entered
    assert replay(events, verifier=verify_event_signature).ok


def test_encrypted_key_files(
    store: Store, election: Election, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_VARIABLE, "correct horse battery staple")
    ids = first_keys(store, election)
    path = tmp_path / "keys" / "cec" / f"{ids['cec']}.pem"
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in path.read_bytes()
    store_rows(store, election, [row("001", "list", 300, 200)], TIME)
    assert replay(events_of(store), verifier=verify_event_signature).ok

    without = Keyring(tmp_path / "keys")
    with pytest.raises(KeyFileError) as caught:
        without.load("cec", ids["cec"])
    assert str(caught.value).startswith(f"{path}: key {ids['cec']} of commission cec: ")
    assert str(caught.value).endswith(f"; its passphrase is read from ${PASSPHRASE_VARIABLE}")
    wrong = Keyring(tmp_path / "keys", b"wrong horse")
    with pytest.raises(KeyFileError, match="not a readable private key"):
        wrong.load("cec", ids["cec"])


def test_a_key_file_others_can_read_is_refused(
    store: Store, election: Election, tmp_path: Path
) -> None:
    ids = first_keys(store, election)
    path = tmp_path / "keys" / "cec" / f"{ids['cec']}.pem"
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match=r"can be read by others \(mode 0644\)"):
        Keyring(tmp_path / "keys").load("cec", ids["cec"])


def test_a_file_holding_another_key_is_refused(
    store: Store, election: Election, tmp_path: Path
) -> None:
    ids = first_keys(store, election)
    keys = tmp_path / "keys"
    (keys / "north" / f"{ids['north']}.pem").replace(keys / "north" / f"{ids['001']}.pem")
    with pytest.raises(KeyFileError, match=f"holds key {ids['north']}, not key {ids['001']}"):
        Keyring(keys).load("north", ids["001"])


def test_without_a_key_directory_the_demo_keys_sign(election: Election) -> None:
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        store_rows(store, election, [row("001", "list", 300, 200)], TIME)
        events = events_of(store)
    assert {e.actor: signer(e) for e in events} == {
        c: demo_key(election.id, c).key_id for c in ("cec", "north", "001")
    }
