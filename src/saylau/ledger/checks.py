"""The byte-level checks of ledger lines, in chunks that run on every core.

For each line: its Merkle leaf hash; its canonical form (RFC 8785); the SHA-256 of its
body bytes against the hash the line states; each Ed25519 signature against the key its id
names (keys come from a first pass over the key events, :func:`key_table`; whether a key
was *valid* at that point is the replay's question). Reading the events and the replay run
in the main process meanwhile.

The chunks go to worker processes. :func:`check_chunk` gives the same answer in a worker
and in the main process, so one and two cores give identical reports.

Signatures are checked here with libsodium (PyNaCl), which verifies an Ed25519 signature
in about half the time OpenSSL takes through ``cryptography`` (see benchmarks/README.md);
both implement RFC 8032 and agree on every signature this program writes and on tampered
ones (tests/ledger/test_ledger_signatures.py). Keys are made and events signed with
``cryptography`` (:mod:`saylau.ledger.keys`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError, CryptoError

from saylau.core.ledger.canonical import CanonicalError, Data
from saylau.core.ledger.events import EVENT_DOMAIN, Kind, LedgerError, LedgerFinding, decode_line
from saylau.ledger.fastjson import parse_canonical

_BODY = b'{"body":'
_HASH = b',"hash":"'
_SIGNATURES = b'","signatures":'
KeyTable = Mapping[str, tuple[str, str]]
"""Key id -> (commission, public key hex), from the first event that registers it."""

_table: dict[str, tuple[str, str]] = {}
_keys: dict[str, bytes | None] = {}
_data: list[bytes] = [b""]


@dataclass(frozen=True)
class ChunkResult:
    start: int
    leaf_hashes: bytes
    findings: tuple[LedgerFinding, ...]


def key_table(lines: Iterable[bytes]) -> dict[str, tuple[str, str]]:
    """Every key that a key event registers, whatever else is wrong with the ledger."""
    table: dict[str, tuple[str, str]] = {}
    for line in lines:
        if b'"kind":"key-' not in line:
            continue
        try:
            event = decode_line(line, checked=False)
        except LedgerError:
            continue
        if event.kind not in (Kind.KEY_REGISTERED, Kind.KEY_ROTATED):
            continue
        key_id, public = event.payload.get("key_id"), event.payload.get("public_key")
        commission = event.payload.get("commission")
        if isinstance(key_id, str) and isinstance(public, str) and isinstance(commission, str):
            table.setdefault(key_id, (commission, public))
    return table


def start_worker(table: KeyTable, data: bytes) -> None:
    """Process pool initializer: the key table and the ledger's bytes, for every chunk (a
    forked worker shares them with the main process without copying)."""
    _table.clear()
    _table.update(table)
    _keys.clear()
    _data[0] = data


def check_span(start: int, begin: int, end: int) -> ChunkResult:
    """:func:`check_chunk` of the bytes ``begin:end`` of the data given to
    :func:`start_worker`."""
    return check_chunk(_data[0][begin:end], start)


PUBLIC_KEY_BYTES = 32
SIGNATURE_HEX = 128


def _public(key_id: str) -> bytes | None:
    if key_id not in _keys:
        try:
            raw = bytes.fromhex(_table[key_id][1])
        except ValueError:
            raw = b""
        _keys[key_id] = raw if len(raw) == PUBLIC_KEY_BYTES else None
    return _keys[key_id]


def check_chunk(blob: bytes, start: int) -> ChunkResult:
    """Check the lines of ``blob`` (whole lines, each ending in a newline; the first is
    event ``start``) with the key table given to :func:`start_worker`."""
    sha = hashlib.sha256
    leaves: list[bytes] = []
    found: list[LedgerFinding] = []
    lines = blob.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for offset, line in enumerate(lines):
        leaves.append(sha(b"\x00" + line).digest())
        record, form = _canonical(line, start + offset)
        if form is not None:
            found.append(form)
        cut = line.rfind(_HASH)
        if not line.startswith(_BODY) or cut < 0:
            continue  # not a ledger line: the main process reports it
        end = cut + len(_HASH) + 64
        if line[end : end + len(_SIGNATURES)] != _SIGNATURES:
            continue
        position = start + offset
        digest = sha(line[len(_BODY) : cut]).digest()
        if digest.hex().encode() != line[cut + len(_HASH) : end]:
            found.append(
                LedgerFinding(
                    "event-hash", position, f"event {position}: hash does not match its content"
                )
            )
        if isinstance(record, dict):
            signatures = record.get("signatures")
        else:
            try:
                signatures = json.loads(line[end + len(_SIGNATURES) : -1])
            except ValueError:
                continue
        if not isinstance(signatures, list):
            continue
        message = EVENT_DOMAIN + digest
        for item in signatures:
            if not isinstance(item, dict):
                continue
            key_id, signature = item.get("key_id"), item.get("signature")
            if not isinstance(key_id, str) or key_id not in _table:
                continue  # the replay says the key was not registered
            if not _verifies(key_id, signature, message):
                found.append(
                    LedgerFinding(
                        "signature",
                        position,
                        f"event {position}: signature by key {key_id} of commission "
                        f"{_table[key_id][0]} does not verify",
                    )
                )
    return ChunkResult(start, b"".join(leaves), tuple(found))


def verify_signature(public: bytes, signature_hex: str, message: bytes) -> bool:
    """Whether ``signature_hex`` is an Ed25519 signature of ``message`` by ``public`` (32 raw
    bytes), checked by libsodium."""
    if len(signature_hex) != SIGNATURE_HEX:
        return False
    try:
        crypto_sign_open(bytes.fromhex(signature_hex) + message, public)
    except (BadSignatureError, CryptoError, ValueError):
        return False
    return True


def _canonical(line: bytes, position: int) -> tuple[Data, LedgerFinding | None]:
    """The value of a canonical line; else ``None`` and a finding if ``line`` is JSON but not
    in canonical form (a line that is not JSON at all is the main process's finding: it
    cannot read the event)."""
    try:
        return parse_canonical(line), None
    except CanonicalError as error:
        try:
            json.loads(line)
        except ValueError:
            return None, None
        return None, LedgerFinding(
            "line-form", position, f"event {position}: line {position + 1}: {error}"
        )


def _verifies(key_id: str, signature: object, message: bytes) -> bool:
    public = _public(key_id)
    if public is None or not isinstance(signature, str):
        return False
    return verify_signature(public, signature, message)


def chunks(data: bytes, target: int) -> list[tuple[int, int, int]]:
    """Split ``data`` into runs of whole lines of about ``target`` bytes:
    ``(first line number counted from 0, start byte, end byte)``."""
    found: list[tuple[int, int, int]] = []
    begin, line = 0, 0
    while begin < len(data):
        cut = data.find(b"\n", min(begin + max(target, 1), len(data)) - 1)
        end = len(data) if cut < 0 else cut + 1
        found.append((line, begin, end))
        line += data.count(b"\n", begin, end)
        begin = end
    return found
