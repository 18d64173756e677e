"""The byte-level checks of ledger lines, in chunks that run on every core.

For each line: its Merkle leaf hash; the SHA-256 of its body bytes against the hash the
line states; each Ed25519 signature against the key its id names (keys come from a first
pass over the key events, :func:`key_table`; whether a key was *valid* at that point is the
replay's question). The usual line, signed once, has its key id and signature read from
its last bytes (:data:`_TAIL`), which give what parsing the line gives; any other line is
parsed. Reading the events, their canonical form (:func:`form_finding`, on the value the
reader parsed anyway) and the replay run in the main process meanwhile.

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
import re
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
_BODY_START = len(_BODY)
_HASH_END = len(_HASH) + 64
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


_TAIL = re.compile(
    rb'","signatures":\[\{"key_id":"([0-9a-f]{16})","signature":"([0-9a-f]{128})"\}\]\}'
)
"""The end of a line signed once, from the end of its stated hash: key id, signature. A
line that ends so lists exactly this one signature, whether or not it is canonical (the
last member of the object is ``signatures``: no quote, bracket or brace can hide in hex),
so the parse is skipped (tests/ledger/test_ledger_fast_paths.py)."""


def check_chunk(blob: bytes, start: int) -> ChunkResult:
    """Check the lines of ``blob`` (whole lines, each ending in a newline; the first is
    event ``start``) with the key table given to :func:`start_worker`: leaf hashes, body
    hashes, signatures (the canonical form is the reader's check, :func:`form_finding`)."""
    sha = hashlib.sha256
    tail = _TAIL.fullmatch
    table = _table
    leaves: list[bytes] = []
    found: list[LedgerFinding] = []
    lines = blob.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    position = start - 1
    for line in lines:
        position += 1
        leaves.append(sha(b"\x00" + line).digest())
        cut = line.rfind(_HASH)
        if cut < 0 or not line.startswith(_BODY):
            continue  # not a ledger line: the main process reports it
        end = cut + _HASH_END
        digest = sha(line[_BODY_START:cut]).digest()
        once = tail(line, end)
        if once is None and line[end : end + len(_SIGNATURES)] != _SIGNATURES:
            continue
        if digest.hex().encode() != line[end - 64 : end]:
            found.append(
                LedgerFinding(
                    "event-hash", position, f"event {position}: hash does not match its content"
                )
            )
        message = EVENT_DOMAIN + digest
        if once is not None:  # the usual line: one signature, key id and signature in hex
            key_id = once[1].decode()
            if key_id in table and not _verifies(key_id, once[2].decode(), message):
                found.append(_bad_signature(position, key_id))
            continue
        for key_id, signature in _signatures(line, end):
            if key_id in table and not _verifies(key_id, signature, message):
                found.append(_bad_signature(position, key_id))
    return ChunkResult(start, b"".join(leaves), tuple(found))


def _signatures(line: bytes, end: int) -> list[tuple[str, object]]:
    """The (key id, signature) items of a line's signatures, read from the whole line when
    it is canonical, else from what follows the stated hash; items without a text key id
    (the replay reports them) are left out."""
    try:
        record: Data = parse_canonical(line)
    except CanonicalError:
        record = None
    if isinstance(record, dict):
        signatures = record.get("signatures")
    else:
        try:
            signatures = json.loads(line[end + len(_SIGNATURES) : -1])
        except ValueError:
            return []
    if not isinstance(signatures, list):
        return []
    found: list[tuple[str, object]] = []
    for item in signatures:
        if isinstance(item, dict):
            key_id = item.get("key_id")
            if isinstance(key_id, str):
                found.append((key_id, item.get("signature")))
    return found


def _bad_signature(position: int, key_id: str) -> LedgerFinding:
    return LedgerFinding(
        "signature",
        position,
        f"event {position}: signature by key {key_id} of commission "
        f"{_table[key_id][0]} does not verify",
    )


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


def form_finding(line: bytes, position: int) -> LedgerFinding | None:
    """A finding if ``line`` is JSON but not in canonical form (a line that is not JSON at
    all is found when its event is read)."""
    try:
        parse_canonical(line)
    except CanonicalError as error:
        try:
            json.loads(line)
        except ValueError:
            return None
        return LedgerFinding(
            "line-form", position, f"event {position}: line {position + 1}: {error}"
        )
    return None


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
