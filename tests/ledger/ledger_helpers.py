"""Helpers of the ledger tests: a small election ledger (a CEC, a territorial commission,
three precincts) and ways to tamper with a published bundle."""

from __future__ import annotations

import hashlib
from pathlib import Path

from saylau.core.election import Election
from saylau.core.ledger.canonical import canonical
from saylau.core.ledger.merkle import MerkleTree
from saylau.core.protocol import Line
from saylau.ledger import LedgerWriter, demo_keypair
from saylau.ledger.bundle import LEDGER, MANIFEST, TREE_HEAD, leaf_hashes, load_document
from saylau.ledger.keys import KeyPair
from saylau.ledger.signing import MANIFEST_DOMAIN, TREE_HEAD_DOMAIN, sign_document
from saylau.services.ledger import record_protocols
from saylau.store import Store
from saylau.store.protocols import ProtocolRow, upsert_protocols
from small_elections import cec, definition, polling_station, region

LINES = {
    "voters": 1000,
    "ballots_received": 900,
    "ballots_issued": 700,
    "ballots_issued_outside": 10,
    "ballots_cancelled": 190,
    "ballots_found": 705,
    "ballots_invalid": 5,
    "ballots_valid": 700,
    "against_all": 20,
}
VOTES = {"amanat": 400, "ak-zhol": 150, "auyl": 130}
KEYS: dict[str, KeyPair] = {
    name: demo_keypair(name) for name in ("CEC", "T1", "S1", "S2", "S3", "stranger")
}


def at(second: int) -> str:
    return f"2026-11-29T20:{second // 60:02d}:{second % 60:02d}Z"


def sample_writer() -> LedgerWriter:
    """Keys, the election, three protocols (one corrected, approved), a lot, a result."""
    cec = KEYS["CEC"]
    writer = LedgerWriter()
    writer.genesis("CEC", cec, at(0))
    definition = {"id": "kz-test", "ruleset": "kz-2023"}
    writer.define_election("kz-test", definition, at(1), root="CEC", key=cec)
    for second, name in enumerate(("T1", "S1", "S2", "S3"), start=2):
        writer.register_key(name, KEYS[name].public_hex, at(second), root="CEC", root_key=cec)
    for second, station in enumerate(("S1", "S2", "S3"), start=10):
        writer.enter_protocol(station, "mazhilis", LINES, VOTES, time=at(second), key=KEYS[station])
    for second, station in enumerate(("S1", "S2", "S3"), start=20):
        writer.accept(station, "mazhilis", at(second), commission="T1", key=KEYS["T1"])
    fixed = {**VOTES, "amanat": 399, "auyl": 131}
    writer.correct(
        "S2", "mazhilis", LINES, fixed, at(30), commission="T1", key=KEYS["T1"],
        reason="recount of the auyl pile", decision="T1 decision 2026/14",
    )  # fmt: skip
    writer.accept("S2", "mazhilis", at(31), commission="T1", key=KEYS["T1"])
    writer.approve("S1", "mazhilis", at(32), commission="T1", key=KEYS["T1"])
    writer.approve("S2", "mazhilis", at(33), commission="T1", key=KEYS["T1"])
    writer.draw_lot(
        "mazhilis", "last seat", "published-seed-2026", ["ak-zhol", "auyl"], 1,
        time=at(40), commission="CEC", key=cec,
    )  # fmt: skip
    writer.certify(
        "mazhilis", {"seats": {"amanat": 2, "ak-zhol": 1}}, at(41), commission="CEC", key=cec
    )
    return writer


def ledger_path(bundle: Path) -> Path:
    (path,) = bundle.glob("ledger-*.jsonl")
    return path


def ledger_lines(bundle: Path) -> list[bytes]:
    return ledger_path(bundle).read_bytes().splitlines()


def write_lines(bundle: Path, lines: list[bytes]) -> None:
    """Change the ledger file in place (the manifest still lists the old hash)."""
    ledger_path(bundle).write_bytes(b"".join(line + b"\n" for line in lines))


def republish(bundle: Path, lines: list[bytes], head_key: KeyPair = KEYS["CEC"]) -> None:
    """What a server holding the CEC key could do: replace the ledger and sign a new tree
    head and manifest for it, so that every file matches its manifest again."""
    tree = MerkleTree(leaf_hashes(lines))
    manifest = load_document(bundle / MANIFEST)
    files = []
    for entry in manifest["files"]:  # type: ignore[union-attr]
        assert isinstance(entry, dict)
        path = bundle / str(entry["name"])
        if entry["role"] == LEDGER:
            data = b"".join(line + b"\n" for line in lines)
        elif entry["role"] == TREE_HEAD:
            head = {
                k: v for k, v in load_document(path).items() if k not in ("key_id", "signature")
            }
            head.update(tree_size=tree.size, root_hash=tree.root().hex())
            data = canonical(sign_document(TREE_HEAD_DOMAIN, head, head_key))
        else:
            data = path.read_bytes()
        path.write_bytes(data)
        files.append({**entry, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    body = {k: v for k, v in manifest.items() if k not in ("key_id", "signature")}
    body.update(files=files, tree_size=tree.size, root_hash=tree.root().hex())
    (bundle / MANIFEST).write_bytes(canonical(sign_document(MANIFEST_DOMAIN, body, KEYS["CEC"])))


# -- a small election in a store (two stations under one region) -------------------

DEFINITION: dict[str, object] = definition(
    "small-2024",
    title="Small election",
    commissions=[cec(), region("north", "North")],
    stations=[polling_station("001", "north"), polling_station("002", "north", 800)],
)
TIME = "2024-03-17T21:00:00Z"


def row(station: str, amanat: int, aq_jol: int, status: str = "accepted") -> ProtocolRow:
    valid = amanat + aq_jol
    lines = {Line.VOTERS: 1000, Line.INVALID: 0, Line.AGAINST_ALL: 0}
    lines[Line("ballots_valid")] = valid
    return ProtocolRow(station, "list", lines, [amanat, aq_jol], status)


def store_night(store: Store, election: Election, rows: list[ProtocolRow]) -> int:
    with store.session() as session:
        upsert_protocols(session, election.id, rows)
        return record_protocols(session, election, rows, time=TIME)
