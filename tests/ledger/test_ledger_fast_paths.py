"""The fast paths of verifying give the answer of the general code they stand in front of:
the payload check of the usual protocol events, the signatures read from the end of a line,
the protocol records the replay changes without ``dataclasses.replace``."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_helpers import KEYS, sample_writer

from saylau.core.ledger.canonical import CanonicalError, Data
from saylau.core.ledger.events import EVENT_DOMAIN, Kind, LedgerFinding, encode_line
from saylau.core.ledger.payloads import PayloadError, check_payload, check_payload_fully
from saylau.core.ledger.replay import Ledger, _changed
from saylau.core.ledger.state import ACCEPTED, Approval
from saylau.ledger import checks
from saylau.ledger.fastjson import parse_canonical

HASH = "ab" * 32
LINES = sorted(["voters", "ballots_valid", "ballots_invalid", "against_all", "voterz", "x"])
KINDS = [Kind.PROTOCOL_ENTERED, Kind.PROTOCOL_ACCEPTED, Kind.PROTOCOL_APPROVED]

odd = st.sampled_from([None, True, False, -1, 0, 1, 2, 1.0, "", "S1", HASH, HASH.upper(), [], {}])
numbers = st.one_of(st.integers(-2, 10**6), st.booleans(), st.sampled_from([1.5, "3", None]))
counts = st.dictionaries(st.sampled_from(LINES), numbers, max_size=5)
texts = st.sampled_from(["S1", "c", "", "é"]) | odd
payloads = st.fixed_dictionaries(
    {},
    optional={
        "station": texts,
        "contest": texts,
        "lines": counts | odd,
        "votes": st.dictionaries(st.sampled_from(["amanat", "auyl"]), numbers) | odd,
        "version": st.integers(-1, 3) | odd,
        "protocol": st.sampled_from([HASH, HASH[:-1], HASH + "0", "g" * 64]) | odd,
        "acknowledged": st.lists(st.sampled_from(["W1", 1, None]), max_size=3) | odd,
        "extra": odd,
    },
)


def outcome(check: object, kind: str, payload: dict[str, Data]) -> str | None:
    try:
        check(kind, payload)  # type: ignore[operator]
    except PayloadError as error:
        return str(error)
    return None


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(KINDS), payloads)
def test_the_payload_fast_path_agrees(kind: str, payload: dict[str, Data]) -> None:
    assert outcome(check_payload, kind, payload) == outcome(check_payload_fully, kind, payload)


def test_the_usual_payloads_pass() -> None:
    lines = {"voters": 10, "ballots_valid": 7}
    entered = {"station": "S1", "contest": "c", "lines": lines, "votes": {"a": 7}}
    accepted = {"station": "S1", "contest": "c", "version": 1, "protocol": HASH}
    for kind, payload in (
        (Kind.PROTOCOL_ENTERED, entered),
        (Kind.PROTOCOL_ACCEPTED, {**accepted, "acknowledged": ["W1"]}),
        (Kind.PROTOCOL_APPROVED, accepted),
    ):
        assert outcome(check_payload, kind, payload) is None
    assert outcome(check_payload, Kind.PROTOCOL_ENTERED, {**entered, "votes": {"a": True}})


# -- signatures read from the end of a line ------------------------------------------------


def reference_chunk(blob: bytes, start: int) -> list[LedgerFinding]:
    """The line checks as they were written first: parse each line (canonical or, failing
    that, the part after the stated hash) and check each signature it lists."""
    found: list[LedgerFinding] = []
    for offset, line in enumerate(blob.split(b"\n")[:-1]):
        position = start + offset
        record: Data = None
        with contextlib.suppress(CanonicalError):
            record = parse_canonical(line)
        cut = line.rfind(b',"hash":"')
        if not line.startswith(b'{"body":') or cut < 0:
            continue
        end = cut + 9 + 64
        if line[end : end + 15] != b'","signatures":':
            continue
        digest = hashlib.sha256(line[8:cut]).digest()
        if digest.hex().encode() != line[cut + 9 : end]:
            found.append(LedgerFinding("event-hash", position, f"event {position}: hash does "
                                       "not match its content"))  # fmt: skip
        if isinstance(record, dict):
            signatures = record.get("signatures")
        else:
            try:
                signatures = json.loads(line[end + 15 : -1])
            except ValueError:
                continue
        if not isinstance(signatures, list):
            continue
        for item in signatures:
            if not isinstance(item, dict):
                continue
            key_id, signature = item.get("key_id"), item.get("signature")
            if not isinstance(key_id, str) or key_id not in checks._table:
                continue
            if not checks._verifies(key_id, signature, EVENT_DOMAIN + digest):
                found.append(checks._bad_signature(position, key_id))
    return found


SAMPLE = [encode_line(event) for event in sample_writer().events]
FRAGMENTS = [
    b'"', b"\\", b",", b"]", b"}", b"[", b"{", b"0", b"a", b"A", b" ", b"\n", b"1.5", b"e+1",
    b'","signatures":', b'"key_id":"', b'"signature":"', b',"hash":"', b'{"body":',
    b'[{"key_id":"' + KEYS["S1"].key_id.encode() + b'","signature":"' + b"a" * 128 + b'"}]}',
    b',{"key_id":"' + KEYS["T1"].key_id.encode() + b'","signature":"' + b"0" * 128 + b'"}',
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SAMPLE) - 1),
            st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), st.sampled_from(FRAGMENTS)),
                     max_size=3),
        ),
        min_size=1, max_size=6,
    )
)  # fmt: skip
def test_the_line_checks_agree_with_a_full_parse(
    picks: list[tuple[int, list[tuple[float, int, bytes]]]],
) -> None:
    lines = []
    for index, edits in picks:
        line = SAMPLE[index]
        for where, cut, fragment in edits:
            at = int(where * len(line))
            line = line[:at] + fragment + line[at + cut :]
        lines.append(line.replace(b"\n", b""))
    blob = b"".join(line + b"\n" for line in lines)
    checks.start_worker(checks.key_table(SAMPLE), blob)
    result = checks.check_chunk(blob, 5)
    assert list(result.findings) == reference_chunk(blob, 5)
    assert result.leaf_hashes == b"".join(hashlib.sha256(b"\x00" + line).digest() for line in lines)


def test_a_tampered_signature_is_found_on_both_paths() -> None:
    line = SAMPLE[3]
    at = line.rfind(b'"signature":"') + 13
    bad = line[:at] + (b"b" if line[at : at + 1] != b"b" else b"c") + line[at + 1 :]
    twice = bad[:-2] + b',{"key_id":"' + KEYS["T1"].key_id.encode() + b'","signature":"'
    twice += b"0" * 128 + b'"}]}'
    blob = b"".join(x + b"\n" for x in (line, bad, twice))
    checks.start_worker(checks.key_table(SAMPLE), blob)
    found = checks.check_chunk(blob, 0).findings
    assert [(f.code, f.sequence) for f in found] == [("signature", 1)] + [("signature", 2)] * 2


# -- the replay's records ------------------------------------------------------------------


def test_changed_is_replace() -> None:
    ledger = Ledger()
    for event in sample_writer().events:
        ledger.apply(event)
    record = next(iter(ledger.state().protocols.values()))
    approval = Approval(1, "t", "T1", record.station, record.contest, 1, HASH)
    for changes in (
        {"status": ACCEPTED, "accepted_by": "T1"},
        {"accepted_by": None, "version": 3, "lines": {}, "votes": {}, "event": HASH},
        {"sequence": 9, "corrections": (), "approvals": (approval,)},
        {},
    ):
        assert _changed(record, **changes) == replace(record, **changes)  # type: ignore[arg-type]
