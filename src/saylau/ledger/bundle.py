"""Publishing a ledger as a bundle of content-addressed files.

A bundle is a folder::

    manifest.json                      every file with its SHA-256 and size; signed (CEC)
    ledger-<sha256[:16]>.jsonl         the events, one canonical JSON line each
    tree-head-<sha256[:16]>.json       tree size, Merkle root, time; signed (CEC)
    <stem>-<sha256[:16]><suffix>       open data built from the ledger (results, protocols
                                       and votes as CSV and Parquet), see
                                       :mod:`saylau.services.open_data`
    consistency-<m>-<n>-<sha256[:16]>.json
                                       (from version 2 on) the RFC 9162 consistency proof
                                       from the previous version's tree to this one

Every JSON file is canonical JSON (RFC 8785, no final newline); the ledger file is JSON
Lines (each line canonical, each ending in a newline). File names carry the start of their
hash, so the files can be cached forever; ``manifest.json`` is the one entry point.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from saylau.core.ledger.canonical import CanonicalError, Data, canonical, parse_canonical
from saylau.core.ledger.events import Event, encode_line, utc_time
from saylau.core.ledger.merkle import MerkleTree
from saylau.ledger.errors import PublishError
from saylau.ledger.keys import KeyPair
from saylau.ledger.signing import MANIFEST_DOMAIN, TREE_HEAD_DOMAIN, sign_document

MANIFEST = "manifest.json"
BUNDLE_FORMAT = "saylau-bundle/1"
TREE_HEAD_FORMAT = "saylau-tree-head/1"
CONSISTENCY_FORMAT = "saylau-consistency/1"
LEDGER, TREE_HEAD, CONSISTENCY = "ledger", "tree-head", "consistency"


@dataclass(frozen=True)
class BundleFile:
    """A data file to publish with the ledger: name stem and suffix (the start of its hash
    is added between them), its bytes, and its role in the manifest."""

    stem: str
    suffix: str
    data: bytes
    role: str


@dataclass(frozen=True)
class PublishedBundle:
    directory: Path
    version: int
    tree_size: int
    root_hash: str
    manifest_sha256: str
    files: tuple[str, ...]


def leaf_hashes(lines: Sequence[bytes]) -> bytes:
    """The Merkle leaf hash of each ledger line (without its newline), concatenated."""
    sha = hashlib.sha256
    return b"".join([sha(b"\x00" + line).digest() for line in lines])


def load_document(path: Path) -> dict[str, Data]:
    """A canonical JSON object from a file; raises ``CanonicalError`` or ``OSError``."""
    value = parse_canonical(path.read_bytes())
    if not isinstance(value, dict):
        raise CanonicalError("$", "expected a JSON object")
    return value


def safe_name(name: object) -> bool:
    """A plain file name inside the bundle's folder (no path, not hidden)."""
    return (
        isinstance(name, str)
        and bool(name)
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")
    )


def file_of(manifest: Mapping[str, Data], role: str) -> Mapping[str, Data] | None:
    """The manifest's entry of the (first) file with ``role`` and a safe name."""
    files = manifest.get("files")
    if isinstance(files, list):
        for item in files:
            if isinstance(item, dict) and item.get("role") == role:
                return item if safe_name(item.get("name")) else None
    return None


def _previous_head(previous: Path) -> tuple[dict[str, Data], dict[str, Data], str]:
    """The previous bundle's manifest, tree head and the manifest's SHA-256."""
    try:
        data = (previous / MANIFEST).read_bytes()
        manifest = load_document(previous / MANIFEST)
        entry = file_of(manifest, TREE_HEAD)
        if entry is None:
            raise PublishError(f"{previous}: the manifest lists no tree head")
        head = load_document(previous / str(entry["name"]))
    except (OSError, CanonicalError) as error:
        raise PublishError(f"{previous}: not a readable bundle: {error}") from None
    return manifest, head, hashlib.sha256(data).hexdigest()


def _write(directory: Path, stem: str, suffix: str, data: bytes, role: str) -> dict[str, Data]:
    digest = hashlib.sha256(data).hexdigest()
    name = f"{stem}-{digest[:16]}{suffix}"
    (directory / name).write_bytes(data)
    return {"name": name, "role": role, "sha256": digest, "size": len(data)}


def _check_chain(events: Sequence[Event]) -> None:
    before: Event | None = None
    for position, event in enumerate(events):
        expected = None if before is None else before.hash
        if event.sequence != position or event.previous != expected:
            raise PublishError(
                f"event {position} (sequence {event.sequence}) does not continue the chain"
            )
        before = event


def publish(
    events: Sequence[Event],
    out_dir: Path,
    previous: Path | None = None,
    *,
    signer: KeyPair,
    timestamp: str | None = None,
    data_files: Sequence[BundleFile] = (),
) -> PublishedBundle:
    """Write the bundle of ``events`` into ``out_dir`` (new or empty), signed by ``signer``
    (a current key of the root commission).

    With ``previous`` (the folder of the last published version) the bundle carries the
    consistency proof from it; publishing refuses a ledger whose first events are not
    exactly the previous version's (:class:`PublishError`). Only the links of the chain
    are checked here: ``saylau.ledger.verify`` checks everything. ``data_files`` (open data
    built from the ledger) are listed in the manifest with their hashes."""
    _check_chain(events)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise PublishError(f"{out_dir} is not empty")
    when = timestamp or utc_time(datetime.now(UTC))
    lines = [encode_line(event) for event in events]
    tree = MerkleTree(leaf_hashes(lines))
    size, root = tree.size, tree.root().hex()
    version = 1
    before: dict[str, Data] | None = None
    files: list[dict[str, Data]] = []
    consistency: dict[str, Data] | None = None
    if previous is not None:
        old_manifest, old_head, old_sha = _previous_head(previous)
        old_size, old_root = old_head.get("tree_size"), old_head.get("root_hash")
        old_version = old_manifest.get("version")
        if not isinstance(old_size, int) or not isinstance(old_version, int):
            raise PublishError(f"{previous}: the tree head has no size or version")
        if old_size > size or tree.root(old_size).hex() != old_root:
            raise PublishError(
                f"the ledger's first {old_size} events differ from version {old_version}: "
                "an earlier event was rewritten"
            )
        version = old_version + 1
        before = {
            "version": old_version,
            "manifest_sha256": old_sha,
            "tree_size": old_size,
            "root_hash": old_root,
        }
        consistency = {
            "format": CONSISTENCY_FORMAT,
            "from_size": old_size,
            "from_root": old_root,
            "to_size": size,
            "to_root": root,
            "proof": [h.hex() for h in tree.consistency_proof(old_size)],
        }
    files.append(_write(out_dir, "ledger", ".jsonl", b"".join(x + b"\n" for x in lines), LEDGER))
    head = sign_document(
        TREE_HEAD_DOMAIN,
        {
            "format": TREE_HEAD_FORMAT,
            "version": version,
            "tree_size": size,
            "root_hash": root,
            "timestamp": when,
        },
        signer,
    )
    files.append(_write(out_dir, "tree-head", ".json", canonical(head), TREE_HEAD))
    if consistency is not None:
        stem = f"consistency-{consistency['from_size']}-{size}"
        files.append(_write(out_dir, stem, ".json", canonical(consistency), CONSISTENCY))
    reserved = {LEDGER, TREE_HEAD, CONSISTENCY}
    for extra in data_files:
        if extra.role in reserved or not safe_name(extra.stem + extra.suffix):
            raise PublishError(f"{extra.stem}{extra.suffix}: not a name or role for a data file")
        files.append(_write(out_dir, extra.stem, extra.suffix, extra.data, extra.role))
    manifest = sign_document(
        MANIFEST_DOMAIN,
        {
            "format": BUNDLE_FORMAT,
            "version": version,
            "timestamp": when,
            "tree_size": size,
            "root_hash": root,
            "previous": before,
            "files": list[Data](files),
        },
        signer,
    )
    data = canonical(manifest)
    (out_dir / MANIFEST).write_bytes(data)
    return PublishedBundle(
        out_dir,
        version,
        size,
        root,
        hashlib.sha256(data).hexdigest(),
        (MANIFEST, *(str(f["name"]) for f in files)),
    )
