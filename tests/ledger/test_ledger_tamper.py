"""Every way of tampering with a published bundle makes ``verify`` fail and name the cause."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from ledger_helpers import KEYS, at, ledger_lines, ledger_path, republish, write_lines

from saylau.core.ledger.canonical import CanonicalError, Data, canonical, parse_canonical
from saylau.core.ledger.events import Event, Kind, decode_line, encode_line, event_hash
from saylau.ledger import LedgerWriter, verify_bundle
from saylau.ledger.bundle import MANIFEST, load_document
from saylau.ledger.signing import MANIFEST_DOMAIN, sign_document, sign_event

CEC = KEYS["CEC"].key_id


def messages(bundle: Path, previous: Path | None = None) -> list[str]:
    return [str(f) for f in verify_bundle(bundle, previous, workers=1).findings]


def test_an_untouched_bundle_verifies(published: Path, events: tuple[Event, ...]) -> None:
    report = verify_bundle(published, workers=1)
    assert report.ok, report.findings
    assert (report.version, report.tree_size) == (1, len(events))
    assert (report.root_commission, report.root_key_id) == ("CEC", CEC)
    assert report.state is not None
    assert report.state.protocols["S2", "mazhilis"].version == 2
    assert verify_bundle(published, workers=1, trusted_root_key=CEC).ok


@pytest.fixture
def two_versions(writer: LedgerWriter, publish_to: Callable[..., Path]) -> tuple[Path, Path]:
    first = publish_to(writer.events, "v1")
    writer.enter_protocol("S1", "maslikhat", {"voters": 10}, {"a": 3}, time=at(55), key=KEYS["S1"])
    return first, publish_to(writer.events, "v2", first)


def test_flip_any_byte_of_any_file(two_versions: tuple[Path, Path]) -> None:
    first, second = two_versions
    assert verify_bundle(second, first, workers=1).ok
    for path in sorted(second.iterdir()):
        original = path.read_bytes()
        step = max(1, len(original) // 25)
        for position in [*range(0, len(original), step), len(original) - 1]:
            changed = bytearray(original)
            changed[position] ^= 0x01
            path.write_bytes(bytes(changed))
            report = verify_bundle(second, first, workers=1)
            path.write_bytes(original)
            where = f"{path.name} byte {position}"
            assert not report.ok, where
            if path.name != MANIFEST:
                assert any(
                    f.code == "file-hash" and str(f).startswith(f"{path.name}: SHA-256 ")
                    for f in report.findings
                ), where
                continue
            try:
                parse_canonical(bytes(changed))
            except CanonicalError:
                assert [f.code for f in report.findings] == ["manifest-form"], where
            else:
                assert report.codes & {"manifest-signature", "manifest-form"}, where
                assert any(str(f).startswith(f"{MANIFEST}: ") for f in report.findings), where


def test_drop_an_event(published: Path) -> None:
    lines = ledger_lines(published)
    write_lines(published, [*lines[:16], *lines[17:]])
    found = messages(published)
    assert "event 16: sequence 17 follows 15" in found
    assert "event 16: previous hash does not match event 15" in found
    assert any(m.startswith(f"{ledger_path(published).name}: SHA-256 ") for m in found)
    republish(published, [*lines[:16], *lines[17:]])
    assert messages(published) == [
        "event 16: sequence 17 follows 15",
        "event 16: previous hash does not match event 15",
    ]


def test_drop_the_last_event(published: Path) -> None:
    lines = ledger_lines(published)
    write_lines(published, lines[:-1])
    found = verify_bundle(published, workers=1)
    assert {"file-hash", "file-size", "tree-head-size", "manifest-root"} <= found.codes


def test_reorder_events(published: Path) -> None:
    lines = ledger_lines(published)
    lines[10], lines[11] = lines[11], lines[10]
    republish(published, lines)
    found = messages(published)
    assert found[:2] == [
        "event 10: sequence 11 follows 9",
        "event 10: previous hash does not match event 9",
    ]
    assert "event 11: sequence 10 follows 11" in found


def _with_signature(line: bytes, signature: dict[str, str]) -> bytes:
    record = json.loads(line)
    record["signatures"] = [signature]
    return canonical(record)


def test_replace_a_signature(published: Path) -> None:
    lines = ledger_lines(published)
    other = json.loads(lines[2])["signatures"][0]  # also by the CEC key, of another event
    lines[3] = _with_signature(lines[3], other)
    republish(published, lines)
    assert messages(published) == [
        f"event 3: signature by key {CEC} of commission CEC does not verify"
    ]


def test_sign_with_an_unregistered_key(published: Path, events: tuple[Event, ...]) -> None:
    lines = ledger_lines(published)
    event = decode_line(lines[6])
    stranger = sign_event(replace(event, signatures=()), KEYS["stranger"])
    lines[6] = encode_line(stranger)
    republish(published, lines)
    assert messages(published) == [
        f"event 6: key {KEYS['stranger'].key_id} was not registered for commission S1 at that time",
        "event 6: not signed by commission S1",
    ]


def test_replace_a_registered_key(published: Path) -> None:
    lines = ledger_lines(published)
    record = json.loads(lines[3])
    assert record["body"]["payload"]["commission"] == "S1"
    record["body"]["payload"]["public_key"] = KEYS["stranger"].public_hex
    record["body"]["payload"]["key_id"] = KEYS["stranger"].key_id
    lines[3] = canonical(record)
    republish(published, lines)
    found = messages(published)
    assert found[:2] == [
        "event 3: hash does not match its content",
        f"event 3: signature by key {CEC} of commission CEC does not verify",
    ]
    assert (
        f"event 6: key {KEYS['S1'].key_id} was not registered for commission S1 at that time"
        in found
    )
    # a server holding the CEC key re-hashes and re-signs it: the chain breaks after it
    changed = decode_line(lines[3])
    rehashed = sign_event(_rehash(changed), KEYS["CEC"])
    lines[3] = encode_line(rehashed)
    republish(published, lines)
    found = messages(published)
    assert found[0] == "event 4: previous hash does not match event 3"


def _rehash(event: Event) -> Event:
    unsigned = replace(event, signatures=(), body=b"")
    return replace(unsigned, hash=event_hash(unsigned))


def test_change_a_result_number(published: Path) -> None:
    lines = ledger_lines(published)
    assert b'"amanat":400' in lines[6]
    lines[6] = lines[6].replace(b'"amanat":400', b'"amanat":401')
    write_lines(published, lines)
    found = messages(published)
    assert "event 6: hash does not match its content" in found
    assert (
        f"event 6: signature by key {KEYS['S1'].key_id} of commission S1 does not verify" in found
    )
    republish(published, lines)
    assert messages(published) == [
        "event 6: hash does not match its content",
        f"event 6: signature by key {KEYS['S1'].key_id} of commission S1 does not verify",
    ]
    certified = ledger_lines(published)
    certified[-1] = certified[-1].replace(b'"amanat":2', b'"amanat":3')
    republish(published, certified)
    assert "event 17: hash does not match its content" in messages(published)


def _more_votes(event: Event) -> dict[str, Data]:
    votes = event.payload["votes"]
    assert isinstance(votes, dict)
    return {**event.payload, "votes": {**votes, "amanat": 401}}


def rebuild(events: Sequence[Event], change: Callable[[Event], Mapping[str, Data]]) -> LedgerWriter:
    """The same history with ``change`` applied to payloads, every hash recomputed and every
    event signed again with the same keys (protocol references follow the new hashes)."""
    forged = LedgerWriter()
    for event in events:
        payload = dict(change(event))
        if "protocol" in payload:
            current = forged.state().protocols[str(payload["station"]), str(payload["contest"])]
            payload["protocol"] = current.event
        signers = [k for k in KEYS.values() if k.key_id in {s.key_id for s in event.signatures}]
        forged.append(Kind(event.kind), event.actor, payload, event.time, *signers)
    return forged


def test_rewrite_an_earlier_version(writer: LedgerWriter, publish_to: Callable[..., Path]) -> None:
    real = publish_to(writer.events, "v1")
    # the server rewrites protocol S1 (it has every key here) and rebuilds the chain after it
    forged = rebuild(
        writer.events, lambda event: _more_votes(event) if event.sequence == 6 else event.payload
    )
    fake = publish_to(forged.events, "v1-forged")
    assert verify_bundle(fake, workers=1).ok
    forged.enter_protocol("S3", "maslikhat", {"voters": 9}, {"a": 1}, time=at(56), key=KEYS["S3"])
    second = publish_to(forged.events, "v2", fake)
    assert verify_bundle(second, fake, workers=1).ok  # consistent with the forged version
    report = verify_bundle(second, real, workers=1)
    assert "consistency-proof" in report.codes
    assert (
        "the consistency proof from version 1 (18 events) to this one (19) does not verify: "
        "an earlier event was rewritten"
    ) in [str(f) for f in report.findings]
    assert {"history-rewritten", "previous-mismatch", "consistency-mismatch"} <= report.codes


def test_rewrite_before_a_recorded_publication(
    writer: LedgerWriter, publish_to: Callable[..., Path]
) -> None:
    first = publish_to(writer.events, "v1")
    v1 = verify_bundle(first, workers=1)
    assert v1.root_hash is not None
    writer.record_publication(1, v1.tree_size, v1.root_hash, at(57), root="CEC", key=KEYS["CEC"])
    # rewrite event 1 and rebuild every later hash and signature with the known keys
    definition = {"id": "kz-test", "ruleset": "kz-2021"}
    rebuilt = rebuild(
        writer.events,
        lambda event: (
            {**event.payload, "definition": definition} if event.sequence == 1 else event.payload
        ),
    ).events
    second = publish_to(tuple(rebuilt), "v2")
    found = verify_bundle(second, workers=1)
    assert found.codes == {"publication-root"}


def test_tree_head_signed_by_another_commission(published: Path) -> None:
    republish(published, ledger_lines(published), head_key=KEYS["T1"])
    (head,) = published.glob("tree-head-*.json")
    assert messages(published) == [
        f"{head.name}: key {KEYS['T1'].key_id} is not a key of the root commission CEC"
    ]


def test_missing_extra_and_untrusted(published: Path) -> None:
    assert [
        f.code for f in verify_bundle(published, workers=1, trusted_root_key="0" * 16).findings
    ] == ["root-key"]
    (published / "extra.txt").write_text("x")
    assert messages(published) == ["extra.txt: not in the manifest"]
    (published / "extra.txt").unlink()
    (tree_head,) = published.glob("tree-head-*.json")
    tree_head.unlink()
    report = verify_bundle(published, workers=1)
    assert {"file-missing", "tree-head-form"} == report.codes
    (published / MANIFEST).unlink()
    assert [f.code for f in verify_bundle(published, workers=1).findings] == ["manifest-missing"]


def test_a_line_that_is_not_canonical(published: Path) -> None:
    lines = ledger_lines(published)
    lines[5] = lines[5].replace(b'{"body":', b'{ "body":', 1)
    republish(published, lines)
    found = messages(published)
    assert found[0].startswith("event 5: line 6: ")
    assert "not in canonical form" in found[0]


def test_a_manifest_cannot_point_outside_the_bundle(published: Path) -> None:
    manifest = load_document(published / MANIFEST)
    files = manifest["files"]
    assert isinstance(files, list)
    files[0] = {**files[0], "name": "../ledger.jsonl"}  # type: ignore[dict-item]
    body = {k: v for k, v in manifest.items() if k not in ("key_id", "signature")}
    signed = sign_document(MANIFEST_DOMAIN, body, KEYS["CEC"])
    (published / MANIFEST).write_bytes(canonical(signed))
    found = messages(published)
    assert "manifest.json: bad file name '../ledger.jsonl'" in found
    assert "manifest.json: no readable ledger" in found
