"""Inclusion proofs: that one event (a protocol) is in a published ledger.

A proof is the event's line, its index, the tree size, the audit path and the root of the
signed tree head. Anyone checks it with SHA-256 alone (docs/ledger.md shows how by hand):
the leaf hash is ``SHA-256(0x00 || line)``, and the path leads to the root
(:func:`saylau.core.ledger.merkle.verify_inclusion`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import LedgerError, decode_line
from saylau.core.ledger.merkle import MerkleTree, leaf_hash, verify_inclusion
from saylau.core.ledger.replay import Ledger
from saylau.ledger.bundle import LEDGER, MANIFEST, file_of, leaf_hashes, load_document


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    line: bytes
    proof: tuple[str, ...]
    root_hash: str

    @property
    def leaf_hash(self) -> str:
        return leaf_hash(self.line).hex()

    def verifies(self) -> bool:
        return verify_inclusion(
            self.index,
            self.tree_size,
            leaf_hash(self.line),
            [bytes.fromhex(h) for h in self.proof],
            bytes.fromhex(self.root_hash),
        )

    def data(self) -> dict[str, Data]:
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "line": self.line.decode("utf-8"),
            "leaf_hash": self.leaf_hash,
            "proof": list(self.proof),
            "root_hash": self.root_hash,
        }


def inclusion_of(lines: Sequence[bytes], index: int) -> InclusionProof:
    """The proof that line ``index`` is in the tree of all ``lines``."""
    tree = MerkleTree(leaf_hashes(lines))
    path = tuple(h.hex() for h in tree.inclusion_proof(index))
    return InclusionProof(index, tree.size, lines[index], path, tree.root().hex())


def bundle_lines(directory: Path) -> list[bytes]:
    """The lines of a bundle's ledger file (not checked: see ``verify_bundle``)."""
    entry = file_of(load_document(directory / MANIFEST), LEDGER)
    if entry is None:
        raise LedgerError(f"{directory}: the manifest lists no ledger")
    return (directory / str(entry["name"])).read_bytes().splitlines()


def protocol_inclusion(directory: Path, station: str, contest: str) -> InclusionProof:
    """The proof for the event that set the current numbers of a station's protocol."""
    lines = bundle_lines(directory)
    ledger = Ledger()
    for number, line in enumerate(lines, start=1):
        ledger.apply(decode_line(line, number=number, checked=False), check_hash=False)
    record = ledger.state().protocols.get((station, contest))
    if record is None:
        raise LedgerError(f"the ledger has no protocol of station {station} for {contest}")
    return inclusion_of(lines, record.sequence)
