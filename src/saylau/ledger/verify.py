"""Verifying a published bundle from its files alone: ``saylau verify DIR [--previous OLD]``.

:func:`verify_bundle` reports every finding, each with a stable code (docs/ledger.md):

1. the manifest is canonical JSON; every file it lists exists with its size and SHA-256;
   nothing else is in the folder;
2. the ledger: every line canonical JSON (checked with the hashes and signatures, in
   chunks), every event hash recomputed from the body bytes,
   sequence numbers and the hash chain, every signature verified with a key that the
   ledger registered for that commission and that was valid at that point (rotation);
   then the replay rebuilds the state (protocols, corrections, approvals, lots,
   certifications) for the tallies to be recomputed;
3. the Merkle root of the ledger against the signed tree head and the manifest; the roots
   that earlier ``bundle-published`` events recorded against the ledger's own prefixes;
4. the tree head and the manifest signed by a current key of the root commission (CEC);
5. with the previous version: the consistency proof from its tree head to this one, and
   that its events are exactly this ledger's first ones (nothing earlier was rewritten).

The line checks (leaf and body hashes, signatures) run in chunks on ``workers`` processes
(default: every core) while the main process parses each line once, proves it canonical
from the value it read and replays it; the report is the same for any number of workers.
The cyclic garbage collector is paused meanwhile (the state is millions of objects without
cycles).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path

import orjson

from saylau.core.ledger.canonical import CanonicalError, Data, parse_canonical
from saylau.core.ledger.events import LedgerError, LedgerFinding, event_of, sort_findings
from saylau.core.ledger.merkle import MerkleTree
from saylau.core.ledger.replay import Ledger
from saylau.core.ledger.state import LedgerState
from saylau.ledger.bundle import LEDGER, MANIFEST, TREE_HEAD, file_of, safe_name
from saylau.ledger.checks import (
    ChunkResult,
    check_span,
    chunks,
    form_finding,
    key_table,
    start_worker,
)
from saylau.ledger.documents import check_documents, check_previous, signed_by_root
from saylau.ledger.fastjson import proven_canonical, read_record

CHUNK_BYTES = 4 << 20


@dataclass(frozen=True)
class LedgerCheck:
    """A ledger file checked: its findings, the replayed state, its Merkle tree."""

    findings: tuple[LedgerFinding, ...]
    state: LedgerState
    tree: MerkleTree


@dataclass(frozen=True)
class VerifyReport:
    directory: Path
    findings: tuple[LedgerFinding, ...]
    version: int | None = None
    tree_size: int = 0
    root_hash: str | None = None
    root_commission: str | None = None
    root_key_id: str | None = None
    """The id of the CEC key the ledger starts from: compare it with the one the CEC
    publishes elsewhere (or pass ``trusted_root_key``)."""
    state: LedgerState | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.findings)


def _replay_lines(
    lines: list[bytes],
) -> tuple[list[LedgerFinding], list[LedgerFinding], LedgerState]:
    """Read and replay every line: the replay's findings, the lines not in canonical form
    (:func:`saylau.ledger.checks.form_finding`), the state. Each line is parsed once: the
    value orjson reads is the event's, and it proves the line canonical on the usual path
    (:func:`saylau.ledger.fastjson.proven_canonical`)."""
    ledger = Ledger()
    found: list[LedgerFinding] = []
    forms: list[LedgerFinding] = []
    loads, proven, decode_error = orjson.loads, proven_canonical, orjson.JSONDecodeError
    for position, line in enumerate(lines):
        try:
            record = loads(line)
        except decode_error:
            record = _NOT_JSON
        if record is _NOT_JSON or not proven(line, record):
            form = form_finding(line, position)
            if form is not None:
                forms.append(form)
        try:
            if record is _NOT_JSON:
                read_record(line, number=position + 1)  # raises, with the reader's words
            event = event_of(record, number=position + 1)
        except LedgerError as error:
            found.append(LedgerFinding("line-form", position, f"event {position}: {error}"))
            ledger.skip()
            continue
        found.extend(ledger.apply(event, check_hash=False))
    return found, forms, ledger.state()


_NOT_JSON: Data = ["not JSON"]
"""Stands for the value of a line that is not JSON (a fresh list: no line reads as it)."""


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: the replay makes millions of objects that live
    on and form no cycles, and the collector would walk them again and again (about a
    tenth of the replay's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _context() -> BaseContext:
    """Fork where there is fork: the workers share the ledger's bytes without a copy and
    the caller needs no ``if __name__ == "__main__"`` guard. Spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def check_ledger(data: bytes, *, workers: int = 1, chunk_bytes: int = CHUNK_BYTES) -> LedgerCheck:
    """Check the bytes of a ledger file (see the module's step 2) on ``workers`` processes."""
    found: list[LedgerFinding] = []
    if data and not data.endswith(b"\n"):
        found.append(LedgerFinding("line-form", None, "the ledger does not end with a newline"))
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    table = key_table(lines)
    spans = chunks(data, chunk_bytes)
    results: list[ChunkResult]
    with _no_collection():
        if workers > 1 and len(spans) > 1:
            with ProcessPoolExecutor(
                workers, mp_context=_context(), initializer=start_worker, initargs=(table, data)
            ) as pool:
                futures = [pool.submit(check_span, *span) for span in spans]
                replayed, forms, state = _replay_lines(lines)
                results = [future.result() for future in futures]
        else:
            start_worker(table, data)
            results = [check_span(*span) for span in spans]
            replayed, forms, state = _replay_lines(lines)
    found.extend(replayed)
    found.extend(forms)  # before the chunks' findings of the same event, as they stand
    for result in results:
        found.extend(result.findings)
    tree = MerkleTree(b"".join(result.leaf_hashes for result in results))
    return LedgerCheck(sort_findings(found), state, tree)


def _files(
    directory: Path, manifest: dict[str, Data], keep: str | None = None
) -> tuple[list[LedgerFinding], set[str], bytes | None]:
    """Each listed file against its size and hash; files not listed; the bytes of the file
    named ``keep`` (read once), if it is listed and readable."""
    found: list[LedgerFinding] = []
    kept: bytes | None = None
    listed = {MANIFEST}
    files = manifest.get("files")
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, dict):
            continue
        name, size, digest = entry.get("name"), entry.get("size"), entry.get("sha256")
        if not isinstance(name, str) or not safe_name(name):
            found.append(bundle_finding("manifest-form", f"{MANIFEST}: bad file name {name!r}"))
            continue
        listed.add(name)
        try:
            data = (directory / name).read_bytes()
        except OSError:
            found.append(bundle_finding("file-missing", f"{name}: listed but missing"))
            continue
        if name == keep and kept is None:
            kept = data
        actual = hashlib.sha256(data).hexdigest()
        if len(data) != size:
            found.append(
                bundle_finding("file-size", f"{name}: {len(data)} bytes, the manifest says {size}")
            )
        if actual != digest:
            found.append(
                bundle_finding(
                    "file-hash", f"{name}: SHA-256 {actual} does not match the manifest ({digest})"
                )
            )
    for path in sorted(directory.iterdir()):
        if path.name not in listed:
            found.append(bundle_finding("file-unlisted", f"{path.name}: not in the manifest"))
    return found, listed, kept


def bundle_finding(code: str, message: str) -> LedgerFinding:
    return LedgerFinding(code, None, message)


def verify_bundle(
    directory: Path,
    previous: Path | None = None,
    *,
    workers: int | None = None,
    trusted_root_key: str | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> VerifyReport:
    """Every finding of the bundle in ``directory`` (none: it verifies)."""
    workers = workers or os.cpu_count() or 1
    try:
        manifest = parse_canonical((directory / MANIFEST).read_bytes())
    except OSError as error:
        return VerifyReport(
            directory, (bundle_finding("manifest-missing", f"{MANIFEST}: {error.strerror}"),)
        )
    except CanonicalError as error:
        return VerifyReport(directory, (bundle_finding("manifest-form", f"{MANIFEST}: {error}"),))
    if not isinstance(manifest, dict):
        return VerifyReport(
            directory, (bundle_finding("manifest-form", f"{MANIFEST}: not an object"),)
        )
    entry = file_of(manifest, LEDGER)
    found, _, data = _files(directory, manifest, None if entry is None else str(entry["name"]))
    if data is None:
        found.append(bundle_finding("manifest-form", f"{MANIFEST}: no readable ledger"))
        return VerifyReport(directory, sort_findings(found))
    checked = check_ledger(data, workers=workers, chunk_bytes=chunk_bytes)
    found.extend(checked.findings)
    state, tree = checked.state, checked.tree
    head_entry = file_of(manifest, TREE_HEAD)
    found.extend(check_documents(directory, manifest, head_entry, state, tree))
    for publication in state.publications:
        size = publication.tree_size
        if size <= tree.size and tree.root(size).hex() != publication.root_hash:
            found.append(
                LedgerFinding(
                    "publication-root",
                    publication.sequence,
                    f"event {publication.sequence}: version {publication.version} published "
                    f"root {publication.root_hash} for {size} events, but this ledger's first "
                    f"{size} events give {tree.root(size).hex()}",
                )
            )
    if previous is not None:
        found.extend(check_previous(previous, directory, manifest, state, tree))
    genesis = next((k for k in state.keys.values() if k.registered == 0), None)
    if trusted_root_key is not None and (genesis is None or genesis.key_id != trusted_root_key):
        found.append(
            bundle_finding(
                "root-key",
                f"the ledger starts from root key {genesis.key_id if genesis else None}, "
                f"not the trusted {trusted_root_key}",
            )
        )
    version = manifest.get("version")
    return VerifyReport(
        directory,
        sort_findings(found),
        version if isinstance(version, int) else None,
        tree.size,
        tree.root().hex(),
        state.root_commission,
        None if genesis is None else genesis.key_id,
        state,
    )


__all__ = ["LedgerCheck", "VerifyReport", "check_ledger", "signed_by_root", "verify_bundle"]
