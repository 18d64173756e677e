"""Publishing: the layout, versions, refusals; inclusion proofs; the writer."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from ledger_helpers import KEYS, LINES, VOTES, at, ledger_lines

from saylau.core.ledger.canonical import parse_canonical
from saylau.core.ledger.events import Event
from saylau.core.ledger.merkle import leaf_hash, verify_inclusion
from saylau.ledger import (
    EventRejectedError,
    KeyFileError,
    LedgerWriter,
    PublishError,
    demo_keypair,
    generate_keypair,
    publish,
    verify_bundle,
)
from saylau.ledger.bundle import MANIFEST, load_document
from saylau.ledger.keys import (
    keypair_from_pem,
    keypair_from_raw,
    load_keypair,
    private_pem,
    public_pem,
    save_keypair,
)
from saylau.ledger.proofs import protocol_inclusion
from saylau.ledger.signing import MANIFEST_DOMAIN, verify_document


def test_layout(published: Path, events: tuple[Event, ...]) -> None:
    manifest = load_document(published / MANIFEST)
    names = sorted(p.name for p in published.iterdir())
    assert names[0].startswith("ledger-") and names[1] == MANIFEST  # noqa: PT018
    assert names[2].startswith("tree-head-")
    for entry in manifest["files"]:  # type: ignore[union-attr]
        data = (published / entry["name"]).read_bytes()  # type: ignore[index]
        digest = hashlib.sha256(data).hexdigest()
        assert entry == {  # type: ignore[comparison-overlap]
            "name": entry["name"], "role": entry["role"], "sha256": digest, "size": len(data),  # type: ignore[index]
        }  # fmt: skip
        assert digest[:16] in entry["name"]  # type: ignore[index,operator]
        if entry["role"] != "ledger":  # type: ignore[index]
            parse_canonical(data)  # every JSON file is canonical
    lines = ledger_lines(published)
    assert len(lines) == len(events) == manifest["tree_size"]
    assert all(parse_canonical(line) for line in lines)
    assert (manifest["version"], manifest["previous"], manifest["key_id"]) == (
        1, None, KEYS["CEC"].key_id,
    )  # fmt: skip
    assert verify_document(MANIFEST_DOMAIN, manifest, KEYS["CEC"].public_hex)


def test_versions_and_refusals(
    writer: LedgerWriter, publish_to: Callable[..., Path], tmp_path: Path
) -> None:
    first = publish_to(writer.events, "v1")
    with pytest.raises(PublishError, match="not empty"):
        publish_to(writer.events, "v1")
    writer.enter_protocol("S2", "maslikhat", LINES, VOTES, time=at(55), key=KEYS["S2"])
    second = publish_to(writer.events, "v2", first)
    manifest = load_document(second / MANIFEST)
    assert manifest["version"] == 2
    assert manifest["previous"] == {
        "version": 1,
        "manifest_sha256": hashlib.sha256((first / MANIFEST).read_bytes()).hexdigest(),
        "tree_size": len(writer.events) - 1,
        "root_hash": load_document(first / MANIFEST)["root_hash"],
    }
    (proof,) = second.glob(f"consistency-{len(writer.events) - 1}-{len(writer.events)}-*.json")
    assert json.loads(proof.read_bytes())["format"] == "saylau-consistency/1"
    assert verify_bundle(second, first, workers=1).ok
    with pytest.raises(PublishError, match=r"event 0 \(sequence 1\) does not continue"):
        publish_to(writer.events[1:2] + writer.events[:1], "bad", first)
    shorter = writer.events[:5]
    with pytest.raises(PublishError, match="first 18 events differ from version 1"):
        publish_to(shorter, "shorter", first)
    with pytest.raises(PublishError, match=r"event 1 \(sequence 2\) does not continue"):
        publish(writer.events[::2], tmp_path / "gaps", signer=KEYS["CEC"])
    with pytest.raises(PublishError, match="not a readable bundle"):
        publish_to(writer.events, "v3", tmp_path / "nowhere")


def test_inclusion_of_one_protocol(published: Path) -> None:
    proof = protocol_inclusion(published, "S2", "mazhilis")
    assert proof.index == 12  # the correction set the current numbers
    assert proof.verifies()
    manifest = load_document(published / MANIFEST)
    assert (proof.tree_size, proof.root_hash) == (manifest["tree_size"], manifest["root_hash"])
    data = proof.data()
    leaf = hashlib.sha256(b"\x00" + str(data["line"]).encode()).digest()
    assert leaf == leaf_hash(proof.line)
    hashes = [bytes.fromhex(str(h)) for h in data["proof"]]  # type: ignore[union-attr]
    root = bytes.fromhex(str(data["root_hash"]))
    assert verify_inclusion(proof.index, proof.tree_size, leaf, hashes, root)
    assert not verify_inclusion(proof.index - 1, proof.tree_size, leaf, hashes, root)


def test_writer_refuses_bad_events(writer: LedgerWriter) -> None:
    size = len(writer.events)
    with pytest.raises(EventRejectedError, match="was entered at event 6"):
        writer.enter_protocol("S1", "mazhilis", LINES, VOTES, time=at(59), key=KEYS["S1"])
    with pytest.raises(EventRejectedError, match="not signed by commission S1"):
        writer.enter_protocol("S1", "m2", LINES, VOTES, time=at(59), key=KEYS["S2"])
    with pytest.raises(EventRejectedError, match="was not registered for commission S1"):
        writer.enter_protocol("S1", "m2", LINES, VOTES, time=at(59), key=KEYS["stranger"])
    with pytest.raises(EventRejectedError, match="before the previous event"):
        writer.enter_protocol("S1", "m2", LINES, VOTES, time=at(1), key=KEYS["S1"])
    with pytest.raises(EventRejectedError, match="no protocol of station S9"):
        writer.approve("S9", "mazhilis", at(59), commission="T1", key=KEYS["T1"])
    assert len(writer.events) == size
    writer.enter_protocol("S1", "m2", LINES, VOTES, time=at(59), key=KEYS["S1"])
    assert writer.state().size == size + 1


def test_keys(tmp_path: Path) -> None:
    demo = demo_keypair("CEC")
    assert demo.public_hex == demo_keypair("CEC").public_hex != demo_keypair("cec").public_hex
    assert demo.key_id == hashlib.sha256(demo.public_raw).hexdigest()[:16]
    fresh = generate_keypair()
    assert fresh.key_id != generate_keypair().key_id
    assert keypair_from_pem(private_pem(fresh)).public_hex == fresh.public_hex
    locked = private_pem(fresh, b"passphrase")
    assert keypair_from_pem(locked, b"passphrase").public_hex == fresh.public_hex
    with pytest.raises(KeyFileError, match="not a readable private key"):
        keypair_from_pem(locked, b"wrong")
    assert keypair_from_raw(fresh.private_bytes).public_hex == fresh.public_hex
    with pytest.raises(KeyFileError, match="32 bytes"):
        keypair_from_raw(b"short")
    assert b"PUBLIC KEY" in public_pem(fresh)
    path = tmp_path / "cec.pem"
    save_keypair(fresh, path, b"passphrase")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keypair(path, b"passphrase").key_id == fresh.key_id
    with pytest.raises(FileExistsError):
        save_keypair(fresh, path)
    with pytest.raises(KeyFileError, match="No such file"):
        load_keypair(tmp_path / "missing.pem")
