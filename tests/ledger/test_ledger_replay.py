"""Replay: the projections, and each finding with its exact cause."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_helpers import KEYS, LINES, VOTES, at, sample_writer

from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, decode_line, encode_line, new_event
from saylau.core.ledger.replay import Ledger, replay
from saylau.core.ledger.state import ACCEPTED, APPROVED
from saylau.core.protocol import Line
from saylau.ledger.keys import KeyPair
from saylau.ledger.signing import sign_event, verify_event_signature


def extend(
    events: tuple[Event, ...] | list[Event],
    kind: Kind,
    actor: str,
    payload: Mapping[str, Data],
    *keys: KeyPair,
) -> list[Event]:
    event = new_event(events[-1], kind, at(59), actor, payload)
    for key in keys:
        event = sign_event(event, key)
    return [*events, event]


def messages(events: list[Event]) -> list[str]:
    return [str(f) for f in replay(events, verifier=verify_event_signature).findings]


def test_projections(events: tuple[Event, ...]) -> None:
    result = replay(events, verifier=verify_event_signature)
    assert result.ok
    state = result.state
    assert (state.size, state.head, state.root_commission) == (len(events), events[-1].hash, "CEC")
    assert state.election is not None
    assert state.election.election == "kz-test"
    s1, s2, s3 = (state.protocols[s, "mazhilis"] for s in ("S1", "S2", "S3"))
    assert (s1.version, s1.status, s1.votes, s1.entered_by) == (1, APPROVED, VOTES, "S1")
    assert (s3.status, s3.accepted_by, s3.approvals) == (ACCEPTED, "T1", ())
    assert s2.version == 2
    assert s2.votes == {"amanat": 399, "ak-zhol": 150, "auyl": 131}
    (correction,) = s2.corrections
    assert (correction.commission, correction.time, correction.reason, correction.decision) == (
        "T1", at(30), "recount of the auyl pile", "T1 decision 2026/14",
    )  # fmt: skip
    assert correction.before == {"lines": LINES, "votes": VOTES}
    assert correction.after == {"lines": LINES, "votes": s2.votes}
    assert s2.event == events[correction.sequence].hash
    assert [a.station for a in state.approvals] == ["S1", "S2"]
    assert s2.approvals[0].protocol == s2.event
    assert s2.protocol().line(Line.AGAINST_ALL) == 20
    (lot,) = state.lots
    assert lot.winners == tuple(payloads.lot_winners(lot.seed, lot.context, lot.contenders, 1))
    assert state.certified["mazhilis"].results == {"seats": {"amanat": 2, "ak-zhol": 1}}
    assert [k.commission for k in state.keys.values()] == ["CEC", "T1", "S1", "S2", "S3"]
    assert state.current_keys("S1")[0].key_id == KEYS["S1"].key_id


def test_key_rotation_limits_the_old_key(events: tuple[Event, ...]) -> None:
    new_key = KEYS["stranger"]
    payload = payloads.key_rotated("S3", KEYS["S3"].key_id, new_key.public_hex, "lost laptop")
    rotated = extend(events, Kind.KEY_ROTATED, "CEC", payload, KEYS["CEC"])
    entry = payloads.protocol_entered("S3", "maslikhat", LINES, VOTES)
    state = replay(rotated).state
    old = state.keys[KEYS["S3"].key_id]
    at_rotation = len(rotated) - 1
    assert (old.retired, old.replaced_by) == (at_rotation, new_key.key_id)
    assert state.keys[new_key.key_id].registered == at_rotation
    assert [k.key_id for k in state.current_keys("S3")] == [new_key.key_id]
    assert [k.key_id for k in state.commission_keys("S3")] == [KEYS["S3"].key_id, new_key.key_id]
    assert messages(extend(rotated, Kind.PROTOCOL_ENTERED, "S3", entry, new_key)) == []
    assert messages(extend(rotated, Kind.PROTOCOL_ENTERED, "S3", entry, KEYS["S3"])) == [
        f"event {len(rotated)}: key {KEYS['S3'].key_id} was not registered for commission S3 "
        "at that time",
        f"event {len(rotated)}: not signed by commission S3",
    ]
    again = extend(rotated, Kind.KEY_ROTATED, "CEC", payload, KEYS["CEC"])
    assert messages(again)[0] == f"event {len(rotated)}: key {new_key.key_id} was registered before"


@pytest.mark.parametrize(
    ("kind", "actor", "payload", "signer", "expected"),
    [
        (
            Kind.PROTOCOL_ENTERED, "S3", payloads.protocol_entered("S3", "m2", LINES, VOTES),
            "stranger",
            ["key {stranger} was not registered for commission S3 at that time",
             "not signed by commission S3"],
        ),
        (
            Kind.PROTOCOL_ENTERED, "S1", payloads.protocol_entered("S3", "m2", LINES, VOTES),
            "S1", ["protocol S3/m2 is entered by its precinct commission S3, not S1"],
        ),
        (
            Kind.PROTOCOL_ENTERED, "S1", payloads.protocol_entered("S1", "mazhilis", LINES, VOTES),
            "S1", ["protocol S1/mazhilis was entered at event 6: a change is a correction"],
        ),
        (
            Kind.PROTOCOL_CORRECTED, "T1",
            payloads.protocol_corrected("S1", "mazhilis", 2, before=payloads.content(LINES, {}),
                                        after=payloads.content(LINES, VOTES), reason="r",
                                        decision="d"),
            "T1", ["the correction's before values differ from version 1 of protocol S1/mazhilis"],
        ),
        (
            Kind.PROTOCOL_CORRECTED, "T1",
            payloads.protocol_corrected("S1", "mazhilis", 3, before=payloads.content(LINES, VOTES),
                                        after=payloads.content(LINES, VOTES), reason="r",
                                        decision="d"),
            "T1", ["correction to version 3 of protocol S1/mazhilis, whose current version is 1"],
        ),
        (
            Kind.PROTOCOL_APPROVED, "T1", payloads.protocol_approved("S1", "mazhilis", 1, "0" * 64),
            "T1", ["protocol-approved names a protocol hash that is not the one of version 1 "
                   "of protocol S1/mazhilis (event 6)"],
        ),
        (
            Kind.PROTOCOL_ACCEPTED, "T1", payloads.protocol_accepted("S9", "mazhilis", 1, "0" * 64),
            "T1", ["protocol S9/mazhilis was never entered"],
        ),
        (
            Kind.LOT_DRAWN, "CEC",
            {**payloads.lot_drawn("m", "seat", "seed", ["a", "b"], 1), "winners": ["zzz"]},
            "CEC", ["lot in m: winners zzz do not follow from the seed (it gives {winner})"],
        ),
        (
            Kind.KEY_REGISTERED, "T1", payloads.key_registered("S9", KEYS["stranger"].public_hex),
            "T1", ["key-registered is made by the root commission CEC, not T1"],
        ),
        (
            Kind.PROTOCOL_ENTERED, "S3",
            payloads.protocol_entered("S3", "m2", {**LINES, "voters": -1}, VOTES), "S3",
            ["protocol-entered: payload.lines.voters: expected a whole number of at least 0, "
             "found '-1'"],
        ),
        (
            Kind.PROTOCOL_ENTERED, "S3",
            payloads.protocol_entered("S3", "m2", {"turnout": 5}, VOTES), "S3",
            ["protocol-entered: payload.lines.turnout: expected a line of the protocol form"],
        ),
        (
            Kind.BUNDLE_PUBLISHED, "CEC", payloads.bundle_published(1, 999, "0" * 64), "CEC",
            ["records a tree of 999 events, before event 999"],
        ),
    ],
)  # fmt: skip
def test_findings_name_the_cause(  # noqa: PLR0917 (parametrized)
    events: tuple[Event, ...],
    kind: Kind,
    actor: str,
    payload: dict[str, Data],
    signer: str,
    expected: list[str],
) -> None:
    position = len(events)
    winner = payloads.lot_winners("seed", "seat", ["a", "b"], 1)[0]
    wanted = [
        f"event {position}: " + text.format(stranger=KEYS["stranger"].key_id, winner=winner)
        for text in expected
    ]
    assert messages(extend(events, kind, actor, payload, KEYS[signer])) == wanted


def test_approval_needs_acceptance_and_another_commission() -> None:
    writer = sample_writer()
    writer.enter_protocol("S1", "m2", LINES, VOTES, time=at(59), key=KEYS["S1"])
    record = writer.state().protocols["S1", "m2"]
    approval = payloads.protocol_approved("S1", "m2", 1, record.event)
    n = len(writer.events)
    assert messages(extend(writer.events, Kind.PROTOCOL_APPROVED, "T1", approval, KEYS["T1"])) == [
        f"event {n}: protocol S1/m2 version 1 is not accepted"
    ]
    writer.accept("S1", "m2", at(59), commission="T1", key=KEYS["T1"])
    own = extend(writer.events, Kind.PROTOCOL_APPROVED, "S1", approval, KEYS["S1"])
    assert messages(own) == [f"event {n + 1}: commission S1 cannot approve its own protocol"]


def test_signatures_and_genesis(events: tuple[Event, ...]) -> None:
    forged = new_event(events[-1], Kind.LOT_DRAWN, at(59), "CEC", events[-2].payload)
    stolen = [*events, replace(forged, signatures=events[-2].signatures)]
    assert messages(stolen) == [
        f"event {len(events)}: signature by key {KEYS['CEC'].key_id} of commission CEC "
        "does not verify",
        f"event {len(events)}: not signed by commission CEC",
    ]
    assert replay(stolen).ok  # without a verifier only the keys are checked
    first = sign_event(new_event(None, Kind.ELECTION_DEFINED, at(0), "CEC",
                                 payloads.election_defined("e", {})), KEYS["CEC"])  # fmt: skip
    assert messages([first]) == [
        f"event 0: key {KEYS['CEC'].key_id} was not registered for commission CEC at that time",
        "event 0: not signed by commission CEC",
    ]
    unsigned = new_event(None, Kind.KEY_REGISTERED, at(0), "CEC",
                         payloads.key_registered("CEC", KEYS["CEC"].public_hex))  # fmt: skip
    assert messages([unsigned]) == ["event 0: not signed by commission CEC"]


# -- replay equals the state built one event at a time --------------------------------

STATIONS = ("S1", "S2", "S3")
operation = st.tuples(
    st.sampled_from(["enter", "accept", "approve", "correct", "bad-correct", "lot", "certify"]),
    st.sampled_from(STATIONS),
    st.sampled_from(["c1", "c2"]),
    st.integers(min_value=0, max_value=500),
)


def _events_of(operations: list[tuple[str, str, str, int]]) -> list[Event]:
    events = list(sample_writer().events)
    ledger = Ledger()
    for event in events:
        ledger.apply(event)
    for op, station, contest, number in operations:
        current = ledger.state().protocols.get((station, contest))
        version, digest = (1, "0" * 64) if current is None else (current.version, current.event)
        votes = {"a": number, "b": 500 - number}
        if op == "enter":
            made = (
                Kind.PROTOCOL_ENTERED,
                station,
                payloads.protocol_entered(station, contest, LINES, votes),
                KEYS[station],
            )
        elif op in ("accept", "approve"):
            build = payloads.protocol_accepted if op == "accept" else payloads.protocol_approved
            kind = Kind.PROTOCOL_ACCEPTED if op == "accept" else Kind.PROTOCOL_APPROVED
            made = (kind, "T1", build(station, contest, version, digest), KEYS["T1"])
        elif op in ("correct", "bad-correct"):
            before = {} if current is None or op == "bad-correct" else current.votes
            payload = payloads.protocol_corrected(
                station, contest, version + 1, before=payloads.content(LINES, before),
                after=payloads.content(LINES, votes), reason="recount", decision=f"d{number}",
            )  # fmt: skip
            made = (Kind.PROTOCOL_CORRECTED, "T1", payload, KEYS["T1"])
        elif op == "lot":
            payload = payloads.lot_drawn(contest, f"tie {number}", str(number), ["a", "b", "c"], 1)
            made = (Kind.LOT_DRAWN, "CEC", payload, KEYS["CEC"])
        else:
            made = (
                Kind.RESULTS_CERTIFIED,
                "CEC",
                payloads.results_certified(contest, {"n": number}),
                KEYS["CEC"],
            )
        kind, actor, payload, key = made
        event = sign_event(new_event(events[-1], kind, at(59), actor, payload), key)
        ledger.apply(event)
        events.append(event)
    return events


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=25))
def test_replay_equals_incremental_application(operations: list[tuple[str, str, str, int]]) -> None:
    events = _events_of(operations)
    ledger = Ledger()
    incremental = []
    for index, event in enumerate(events):
        incremental.extend(ledger.apply(event))
        if index % 7 == 0 or index == len(events) - 1:
            prefix = replay(events[: index + 1])
            assert prefix.state == ledger.state()
            assert list(prefix.findings) == incremental
    assert replay(events).state == ledger.state()
    read_back = [decode_line(encode_line(e)) for e in events]
    assert replay(read_back) == replay(events)
