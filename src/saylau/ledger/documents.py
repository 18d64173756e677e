"""Checks of the signed documents of a bundle: tree head, manifest, consistency proof.

Each returns findings (codes in docs/ledger.md); none raises for a bad bundle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from saylau.core.ledger.canonical import CanonicalError, Data, parse_canonical
from saylau.core.ledger.events import LedgerFinding
from saylau.core.ledger.merkle import MerkleTree, verify_consistency
from saylau.core.ledger.state import LedgerState
from saylau.ledger.bundle import CONSISTENCY, MANIFEST, TREE_HEAD, file_of, load_document
from saylau.ledger.signing import MANIFEST_DOMAIN, TREE_HEAD_DOMAIN, verify_document


def _finding(code: str, message: str) -> LedgerFinding:
    return LedgerFinding(code, None, message)


def signed_by_root(
    document: Mapping[str, Data], domain: bytes, state: LedgerState, size: int
) -> str | None:
    """Why ``document`` is not signed by a key of the root commission valid for a tree of
    ``size`` events (``None``: it is)."""
    key_id = document.get("key_id")
    key = state.keys.get(key_id) if isinstance(key_id, str) else None
    if key is None or key.commission != state.root_commission:
        return f"key {key_id} is not a key of the root commission {state.root_commission}"
    if not (key.valid_at(size) or (key.registered == 0 and size <= 1)):
        return f"key {key_id} of commission {key.commission} was not valid at {size} events"
    if not verify_document(domain, document, key.public_key):
        return f"signature by key {key_id} of commission {key.commission} does not verify"
    return None


def _load(directory: Path, entry: Mapping[str, Data] | None) -> dict[str, Data] | str:
    if entry is None:
        return "not listed in the manifest"
    try:
        return load_document(directory / str(entry.get("name")))
    except OSError as error:
        return str(error.strerror)
    except CanonicalError as error:
        return str(error)


def check_documents(
    directory: Path,
    manifest: dict[str, Data],
    head_entry: Mapping[str, Data] | None,
    state: LedgerState,
    tree: MerkleTree,
) -> list[LedgerFinding]:
    """The tree head and the manifest against the ledger's tree, and their signatures."""
    found: list[LedgerFinding] = []
    size, root = tree.size, tree.root().hex()
    head = _load(directory, head_entry)
    if isinstance(head, str):
        found.append(_finding("tree-head-form", f"tree head: {head}"))
    else:
        name = str(head_entry.get("name")) if head_entry else TREE_HEAD
        if head.get("tree_size") != size:
            found.append(
                _finding(
                    "tree-head-size",
                    f"{name}: the signed tree head says {head.get('tree_size')} events, "
                    f"the ledger has {size}",
                )
            )
        elif head.get("root_hash") != root:
            found.append(
                _finding(
                    "tree-head-root",
                    f"{name}: the Merkle root of the ledger ({root}) differs from the signed "
                    f"tree head's ({head.get('root_hash')})",
                )
            )
        problem = signed_by_root(head, TREE_HEAD_DOMAIN, state, size)
        if problem is not None:
            found.append(_finding("tree-head-signature", f"{name}: {problem}"))
        if head.get("version") != manifest.get("version"):
            found.append(_finding("tree-head-form", f"{name}: version differs from the manifest"))
    if manifest.get("tree_size") != size or manifest.get("root_hash") != root:
        found.append(
            _finding(
                "manifest-root",
                f"{MANIFEST}: states {manifest.get('tree_size')} events with root "
                f"{manifest.get('root_hash')}, the ledger has {size} with root {root}",
            )
        )
    problem = signed_by_root(manifest, MANIFEST_DOMAIN, state, size)
    if problem is not None:
        found.append(_finding("manifest-signature", f"{MANIFEST}: {problem}"))
    return found


def _previous_documents(
    previous: Path,
) -> tuple[dict[str, Data], bytes, dict[str, Data]] | str:
    try:
        data = (previous / MANIFEST).read_bytes()
        manifest = parse_canonical(data)
    except OSError as error:
        return f"{previous / MANIFEST}: {error.strerror}"
    except CanonicalError as error:
        return f"{previous / MANIFEST}: {error}"
    if not isinstance(manifest, dict):
        return f"{previous / MANIFEST}: not an object"
    entry = file_of(manifest, TREE_HEAD)
    head = _load(previous, entry)
    if isinstance(head, str) or entry is None:
        return f"{previous}: tree head: {head}"
    raw = (previous / str(entry.get("name"))).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
        return f"{previous}: the tree head does not match its manifest"
    return manifest, data, head


def check_previous(
    previous: Path,
    directory: Path,
    manifest: dict[str, Data],
    state: LedgerState,
    tree: MerkleTree,
) -> list[LedgerFinding]:
    """This version against the previous one: nothing earlier was rewritten."""
    read = _previous_documents(previous)
    if isinstance(read, str):
        return [_finding("previous-form", read)]
    old_manifest, old_data, old_head = read
    found: list[LedgerFinding] = []
    old_size, old_root = old_head.get("tree_size"), old_head.get("root_hash")
    old_version = old_manifest.get("version")
    if not isinstance(old_size, int) or not isinstance(old_root, str):
        return [_finding("previous-form", f"{previous}: the tree head has no size or root")]
    problem = signed_by_root(old_head, TREE_HEAD_DOMAIN, state, old_size)
    if problem is not None:
        found.append(_finding("previous-signature", f"{previous}: tree head: {problem}"))
    named = manifest.get("previous")
    expected = {
        "version": old_version,
        "manifest_sha256": hashlib.sha256(old_data).hexdigest(),
        "tree_size": old_size,
        "root_hash": old_root,
    }
    if named != expected:
        found.append(
            _finding(
                "previous-mismatch",
                f"{MANIFEST}: names as previous version {named}, the previous bundle given "
                f"is {expected}",
            )
        )
    what = f"version {old_version} ({old_size} events) to this one ({tree.size})"
    proof_doc = _load(directory, file_of(manifest, CONSISTENCY))
    if isinstance(proof_doc, str):
        found.append(_finding("consistency-missing", f"consistency proof: {proof_doc}"))
    else:
        stated = (proof_doc.get("from_size"), proof_doc.get("from_root"))
        if stated != (old_size, old_root):
            found.append(
                _finding(
                    "consistency-mismatch",
                    f"the consistency proof starts from {stated[0]} events with root "
                    f"{stated[1]}, the previous version has {old_size} with root {old_root}",
                )
            )
        hashes = proof_doc.get("proof")
        try:
            proof = [bytes.fromhex(str(h)) for h in hashes] if isinstance(hashes, list) else []
            valid = verify_consistency(
                old_size, tree.size, bytes.fromhex(old_root), tree.root(), proof
            )
        except ValueError:
            valid = False
        if not valid:
            found.append(
                _finding(
                    "consistency-proof",
                    f"the consistency proof from {what} does not verify: "
                    "an earlier event was rewritten",
                )
            )
    if old_size > tree.size or tree.root(old_size).hex() != old_root:
        found.append(
            _finding(
                "history-rewritten",
                f"the ledger's first {old_size} events are not those of version "
                f"{old_version}: an earlier event was rewritten or dropped",
            )
        )
    return found
