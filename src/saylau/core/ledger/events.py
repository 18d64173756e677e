"""Ledger events: the one record of every accepted change.

An event has a ``sequence`` number (0, 1, 2, ... = its leaf index in the Merkle tree), a
``kind`` (:class:`Kind`), a ``time`` (UTC, ``YYYY-MM-DDTHH:MM:SSZ``, given by the caller: the
core never reads a clock), an ``actor`` (the id of the commission that made the change), a
``payload`` (plain data, see :mod:`saylau.core.ledger.payloads`) and ``previous``, the hash of
the event before it (``None`` for the first). These six fields are the event's *body*; its
``hash`` is the hex SHA-256 of the body's canonical JSON (:mod:`.canonical`), so every event
commits to the whole history before it. ``signatures`` are Ed25519 signatures over
:func:`signing_message` of the hash, by keys registered in the ledger itself.

A ledger file holds one event per line, each line the canonical JSON of
``{"body": ..., "hash": ..., "signatures": [{"key_id": ..., "signature": ...}]}``.

Problems are :class:`LedgerFinding` values with a stable ``code``; ``sequence`` is the
position of the event in the ledger (which is its sequence number when the ledger is sound).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from saylau.core.errors import CoreError
from saylau.core.ledger.canonical import CanonicalError, Data, canonical, parse_canonical

EVENT_DOMAIN = b"saylau-event-v1\n"
"""Prefix of the bytes an event signature covers, so that an event signature can never be
taken for a signature of a tree head or a manifest."""

TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
HASH_PATTERN = re.compile(r"[0-9a-f]{64}")
KEY_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
SIGNATURE_PATTERN = re.compile(r"[0-9a-f]{128}")
_HEX_SIGNATURE = re.compile(r"[0-9a-f]*")


class Kind(StrEnum):
    ELECTION_DEFINED = "election-defined"
    KEY_REGISTERED = "key-registered"
    KEY_ROTATED = "key-rotated"
    PROTOCOL_ENTERED = "protocol-entered"
    PROTOCOL_ACCEPTED = "protocol-accepted"
    PROTOCOL_CORRECTED = "protocol-corrected"
    PROTOCOL_APPROVED = "protocol-approved"
    LOT_DRAWN = "lot-drawn"
    RESULTS_CERTIFIED = "results-certified"
    BUNDLE_PUBLISHED = "bundle-published"
    ACTION_RECORDED = "action-recorded"


KINDS = frozenset(kind.value for kind in Kind)


class LedgerError(CoreError):
    """An event cannot be built or a ledger line cannot be read (``line`` counts from 1)."""

    def __init__(self, message: str, *, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class LedgerFinding:
    """A reason a ledger or bundle does not verify.

    ``code`` is stable (see docs/ledger.md); ``sequence`` the position of the event it
    concerns, ``None`` for a finding about a file of the bundle."""

    code: str
    sequence: int | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Signature:
    key_id: str
    signature: str
    """Hex of the 64-byte Ed25519 signature of :func:`signing_message`."""


@dataclass(frozen=True, slots=True)
class Event:
    """One ledger event. Build with :func:`new_event`; ``payload`` is treated as immutable.

    ``body`` caches the canonical JSON of the body (not compared; empty when unknown)."""

    sequence: int
    kind: str
    time: str
    actor: str
    payload: Mapping[str, Data]
    previous: str | None
    hash: str
    signatures: tuple[Signature, ...] = ()
    body: bytes = field(default=b"", compare=False, repr=False)


def utc_time(moment: datetime) -> str:
    """``moment`` (time-zone aware) as the ledger writes times: ``2026-11-29T20:15:00Z``."""
    if moment.tzinfo is None:
        raise LedgerError("a ledger time needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def body_data(
    *,
    sequence: int,
    kind: str,
    time: str,
    actor: str,
    payload: Mapping[str, Data],
    previous: str | None,
) -> dict[str, Data]:
    return {
        "actor": actor,
        "kind": kind,
        "payload": dict(payload),
        "previous": previous,
        "sequence": sequence,
        "time": time,
    }


def _body_of(event: Event) -> dict[str, Data]:
    return body_data(
        sequence=event.sequence,
        kind=event.kind,
        time=event.time,
        actor=event.actor,
        payload=event.payload,
        previous=event.previous,
    )


def _body_bytes(event: Event) -> bytes:
    if event.body:
        return event.body
    data = _body_of(event)
    return canonical(data)


def event_hash(event: Event) -> str:
    """The hex SHA-256 of the canonical JSON of the event's body (recomputed, not cached)."""
    data = _body_of(event)
    return hashlib.sha256(canonical(data)).hexdigest()


def signing_message(hash_hex: str) -> bytes:
    """The bytes an event signature covers: :data:`EVENT_DOMAIN` and the 32 hash bytes."""
    return EVENT_DOMAIN + bytes.fromhex(hash_hex)


def new_event(
    head: Event | None,
    kind: Kind | str,
    time: str,
    actor: str,
    payload: Mapping[str, Data],
) -> Event:
    """The unsigned event that follows ``head`` (``None``: the first event of a ledger).

    Raises :class:`LedgerError` for an unknown kind, a malformed time or a payload outside
    the canonical subset."""
    kind = str(kind)
    if kind not in KINDS:
        raise LedgerError(f"unknown event kind {kind!r}")
    if not TIME_PATTERN.fullmatch(time):
        raise LedgerError(f"time {time!r} is not YYYY-MM-DDTHH:MM:SSZ")
    if head is not None and time < head.time:
        raise LedgerError(f"time {time} is before the previous event's ({head.time})")
    sequence = 0 if head is None else head.sequence + 1
    previous = None if head is None else head.hash
    data = body_data(
        sequence=sequence, kind=kind, time=time, actor=actor, payload=payload, previous=previous
    )
    try:
        body = canonical(data)
    except CanonicalError as error:
        raise LedgerError(f"event body: {error}") from None
    digest = hashlib.sha256(body).hexdigest()
    return Event(sequence, kind, time, actor, payload, previous, digest, (), body)


def with_signature(event: Event, signature: Signature) -> Event:
    """``event`` with one more signature (hash and body unchanged)."""
    return Event(
        event.sequence,
        event.kind,
        event.time,
        event.actor,
        event.payload,
        event.previous,
        event.hash,
        (*event.signatures, signature),
        event.body,
    )


def encode_line(event: Event) -> bytes:
    """The ledger line of an event (canonical JSON, no newline)."""
    if all(_HEX_SIGNATURE.fullmatch(s.key_id + s.signature) for s in event.signatures):
        # Hex text needs no escaping: the canonical form, written directly.
        signatures = b"[%s]" % b",".join(
            b'{"key_id":"%s","signature":"%s"}' % (s.key_id.encode(), s.signature.encode())
            for s in event.signatures
        )
    else:
        signatures = canonical(
            [{"key_id": s.key_id, "signature": s.signature} for s in event.signatures]
        )
    return b"".join(
        (
            b'{"body":',
            _body_bytes(event),
            b',"hash":"',
            event.hash.encode("ascii"),
            b'","signatures":',
            signatures,
            b"}",
        )
    )


_loads = json.JSONDecoder().decode
_RECORD_KEYS = frozenset({"body", "hash", "signatures"})
_BODY_KEYS = frozenset({"actor", "kind", "payload", "previous", "sequence", "time"})
_SIGNATURE_KEYS = frozenset({"key_id", "signature"})


def decode_line(line: bytes, *, number: int | None = None, checked: bool = True) -> Event:
    """The event of a ledger line. With ``checked`` (the default) the line must be canonical
    JSON; ``checked=False`` skips that test for a caller that made it already. The shape is
    always checked; raises :class:`LedgerError`."""
    try:
        record = parse_canonical(line) if checked else _loads(line.decode("utf-8"))
    except (CanonicalError, ValueError) as error:
        raise LedgerError(str(error), line=number) from None
    return event_of(record, number=number)


def event_of(record: object, *, number: int | None = None) -> Event:
    """The event of a decoded ledger line, after checking its shape (:class:`LedgerError`
    otherwise); for readers that decode lines their own way."""
    if not isinstance(record, dict) or record.keys() != _RECORD_KEYS:
        raise LedgerError("expected an object with body, hash and signatures", line=number)
    body, digest, signatures = record["body"], record["hash"], record["signatures"]
    if not isinstance(body, dict) or body.keys() != _BODY_KEYS:
        raise LedgerError(
            "body must have actor, kind, payload, previous, sequence and time", line=number
        )
    sequence, payload, previous = body["sequence"], body["payload"], body["previous"]
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise LedgerError(f"sequence must be a whole number, found {sequence!r}", line=number)
    kind, time, actor = body["kind"], body["time"], body["actor"]
    if not (isinstance(kind, str) and isinstance(time, str) and isinstance(actor, str)):
        kind, time, actor = (_text(body, name, number) for name in ("kind", "time", "actor"))
    if not isinstance(payload, dict):
        raise LedgerError("payload must be an object", line=number)
    if previous is not None and not (
        isinstance(previous, str) and HASH_PATTERN.fullmatch(previous)
    ):
        raise LedgerError(f"previous must be a hash or null, found {previous!r}", line=number)
    if not isinstance(digest, str) or not HASH_PATTERN.fullmatch(digest):
        raise LedgerError(f"hash must be 64 hex digits, found {digest!r}", line=number)
    if not isinstance(signatures, list):
        raise LedgerError("signatures must be a list", line=number)
    found: list[Signature] = []
    for item in signatures:
        if (
            not isinstance(item, dict)
            or item.keys() != _SIGNATURE_KEYS
            or not isinstance(item["key_id"], str)
            or not isinstance(item["signature"], str)
            or not KEY_ID_PATTERN.fullmatch(item["key_id"])
            or not SIGNATURE_PATTERN.fullmatch(item["signature"])
        ):
            raise LedgerError(
                "a signature must be {key_id: 16 hex digits, signature: 128 hex digits}",
                line=number,
            )
        found.append(Signature(item["key_id"], item["signature"]))
    return Event(sequence, kind, time, actor, payload, previous, digest, tuple(found))


def _text(body: Mapping[str, Data], name: str, number: int | None) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise LedgerError(f"{name} must be a string, found {value!r}", line=number)
    return value


def chain_findings(position: int, event: Event, before: Event | None) -> list[LedgerFinding]:
    """Findings of the link between ``event`` at ``position`` and the event ``before`` it:
    sequence numbers, the previous-hash link, the order of times."""
    found: list[LedgerFinding] = []
    if before is None:
        if event.sequence != 0:
            found.append(
                LedgerFinding(
                    "sequence",
                    position,
                    f"event {position}: sequence {event.sequence}, the ledger starts at 0",
                )
            )
        if event.previous is not None:
            found.append(
                LedgerFinding(
                    "previous-hash", position,
                    f"event {position}: the first event must have no previous hash",
                )
            )  # fmt: skip
        return found
    if event.sequence != before.sequence + 1:
        found.append(
            LedgerFinding(
                "sequence", position,
                f"event {position}: sequence {event.sequence} follows {before.sequence}",
            )
        )  # fmt: skip
    if event.previous != before.hash:
        found.append(
            LedgerFinding(
                "previous-hash", position,
                f"event {position}: previous hash does not match event {position - 1}",
            )
        )  # fmt: skip
    if event.time < before.time and TIME_PATTERN.fullmatch(before.time):
        found.append(
            LedgerFinding(
                "time-order", position,
                f"event {position}: time {event.time} is before event {position - 1}'s "
                f"({before.time})",
            )
        )  # fmt: skip
    return found


def hash_findings(position: int, event: Event) -> list[LedgerFinding]:
    """A finding if the event's stated hash is not the hash of its body."""
    try:
        digest = event_hash(event)
    except CanonicalError as error:
        return [LedgerFinding("event-form", position, f"event {position}: {error}")]
    if digest != event.hash:
        return [
            LedgerFinding(
                "event-hash", position, f"event {position}: hash does not match its content"
            )
        ]
    return []


def check_chain(events: Iterable[Event]) -> list[LedgerFinding]:
    """Every hash, sequence and link finding of a ledger, in order."""
    found: list[LedgerFinding] = []
    before: Event | None = None
    for position, event in enumerate(events):
        found.extend(hash_findings(position, event))
        found.extend(chain_findings(position, event, before))
        before = event
    return found


def sort_findings(findings: Sequence[LedgerFinding]) -> tuple[LedgerFinding, ...]:
    """Bundle findings first, then by event position; stable otherwise."""
    return tuple(sorted(findings, key=lambda f: -1 if f.sequence is None else f.sequence))
