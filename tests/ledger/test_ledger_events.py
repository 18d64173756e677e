"""Events: hash, chain, lines; signing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from ledger_helpers import KEYS, at

from saylau.core.ledger.canonical import canonical
from saylau.core.ledger.events import (
    EVENT_DOMAIN,
    Event,
    Kind,
    LedgerError,
    check_chain,
    decode_line,
    encode_line,
    event_hash,
    new_event,
    signing_message,
    utc_time,
)
from saylau.core.ledger.payloads import key_id_of, key_registered
from saylau.ledger.signing import sign_event, verify_event_signature


def test_the_hash_is_sha256_of_the_canonical_body_without_signatures() -> None:
    payload = key_registered("CEC", KEYS["CEC"].public_hex)
    event = new_event(None, Kind.KEY_REGISTERED, at(0), "CEC", payload)
    body = {
        "actor": "CEC",
        "kind": "key-registered",
        "payload": payload,
        "previous": None,
        "sequence": 0,
        "time": at(0),
    }
    assert event.hash == hashlib.sha256(canonical(body)).hexdigest() == event_hash(event)
    signed = sign_event(event, KEYS["CEC"])
    assert signed.hash == event.hash == event_hash(signed)
    nxt = new_event(signed, Kind.ELECTION_DEFINED, at(1), "CEC", {"election": "e"})
    assert (nxt.sequence, nxt.previous) == (1, event.hash)


def test_line_round_trip(events: tuple[Event, ...]) -> None:
    for event in events:
        line = encode_line(event)
        assert line == canonical(json.loads(line))
        again = decode_line(line)
        assert again == event
        assert encode_line(again) == line  # without the cached body too
        record = json.loads(line)
        assert set(record) == {"body", "hash", "signatures"}
        assert hashlib.sha256(canonical(record["body"])).hexdigest() == record["hash"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"not json", "not valid JSON"),
        (b'{"body":{},"hash":"00","signatures":[]}', "body must have"),
        (b"[1]", "expected an object with body, hash and signatures"),
        (b'{"a":1}', "expected an object with body, hash and signatures"),
    ],
)
def test_unreadable_lines(line: bytes, problem: str) -> None:
    with pytest.raises(LedgerError, match=problem):
        decode_line(line, number=7)


def test_decode_checks_fields(events: tuple[Event, ...]) -> None:
    record = json.loads(encode_line(events[3]))
    for path, value, problem in [
        (("body", "sequence"), -1, "sequence must be a whole number"),
        (("body", "kind"), 5, "kind must be a string"),
        (("body", "previous"), "abc", "previous must be a hash or null"),
        (("hash",), "xyz", "hash must be 64 hex digits"),
        (("signatures",), [{"key_id": "k", "signature": "s"}], "a signature must be"),
        (("body", "payload"), [], "payload must be an object"),
    ]:
        changed = json.loads(json.dumps(record))
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(LedgerError, match=problem):
            decode_line(canonical(changed))


def test_new_event_refuses_bad_input() -> None:
    with pytest.raises(LedgerError, match="unknown event kind"):
        new_event(None, "protocol-deleted", at(0), "CEC", {})
    with pytest.raises(LedgerError, match="YYYY-MM-DDTHH:MM:SSZ"):
        new_event(None, Kind.LOT_DRAWN, "2026-11-29 20:00", "CEC", {})
    with pytest.raises(LedgerError, match="float"):
        new_event(None, Kind.LOT_DRAWN, at(0), "CEC", {"share": 0.5})
    first = new_event(None, Kind.LOT_DRAWN, at(5), "CEC", {})
    with pytest.raises(LedgerError, match="before the previous event"):
        new_event(first, Kind.LOT_DRAWN, at(4), "CEC", {})


def test_utc_time() -> None:
    almaty = timezone(timedelta(hours=5))
    assert utc_time(datetime(2026, 11, 30, 1, 15, 7, tzinfo=almaty)) == "2026-11-29T20:15:07Z"
    assert utc_time(datetime(2026, 11, 29, 20, 15, 7, 999, tzinfo=UTC)) == "2026-11-29T20:15:07Z"
    with pytest.raises(LedgerError, match="time zone"):
        utc_time(datetime(2026, 11, 29))


def test_chain_findings_name_the_cause(events: tuple[Event, ...]) -> None:
    assert check_chain(events) == []
    dropped = [*events[:5], *events[6:]]
    assert [str(f) for f in check_chain(dropped)] == [
        "event 5: sequence 6 follows 4",
        "event 5: previous hash does not match event 4",
    ]
    swapped = [*events[:5], events[6], events[5], *events[7:]]
    assert [(f.code, f.sequence) for f in check_chain(swapped)] == [
        ("sequence", 5), ("previous-hash", 5),
        ("sequence", 6), ("previous-hash", 6), ("time-order", 6),
        ("sequence", 7), ("previous-hash", 7),
    ]  # fmt: skip
    changed = list(events)
    changed[4] = replace(events[4], actor="T1", body=b"")
    assert [str(f) for f in check_chain(changed)] == ["event 4: hash does not match its content"]
    first = check_chain(events[1:])[0]
    assert str(first) == "event 0: sequence 1, the ledger starts at 0"


def test_signatures_cover_the_domain_and_hash(events: tuple[Event, ...]) -> None:
    event = events[2]
    assert signing_message(event.hash) == EVENT_DOMAIN + bytes.fromhex(event.hash)
    (signature,) = event.signatures
    assert signature.key_id == KEYS["CEC"].key_id == key_id_of(KEYS["CEC"].public_hex)
    public = KEYS["CEC"].public_hex
    assert verify_event_signature(public, event.hash, signature.signature)
    assert not verify_event_signature(public, events[3].hash, signature.signature)
    assert not verify_event_signature(KEYS["T1"].public_hex, event.hash, signature.signature)
    assert not verify_event_signature(public, "zz", signature.signature)
    assert not verify_event_signature(public, event.hash, "00" * 64)
