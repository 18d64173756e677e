"""Signing events, tree heads and manifests with commission keys; verifying them.

An event signature covers ``b"saylau-event-v1\\n" + the 32 bytes of the event hash``
(:func:`saylau.core.ledger.events.signing_message`). A protocol is signed by its precinct
commission when entered; on approval the approving commission countersigns it with a
``protocol-approved`` event that names the hash of the approved version
(:meth:`saylau.ledger.writer.LedgerWriter.approve`).

A document (tree head, manifest) is signed over its domain line and the canonical JSON of
the document without its ``signature`` member.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature

from saylau.core.ledger.canonical import Data, canonical
from saylau.core.ledger.events import Event, Signature, signing_message, with_signature
from saylau.ledger.keys import KeyPair, public_key

TREE_HEAD_DOMAIN = b"saylau-tree-head-v1\n"
MANIFEST_DOMAIN = b"saylau-manifest-v1\n"


def sign_event(event: Event, key: KeyPair) -> Event:
    """``event`` with one more signature, by ``key``."""
    signature = key.sign(signing_message(event.hash)).hex()
    return with_signature(event, Signature(key.key_id, signature))


def verify_bytes(public_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        public_key(public_hex).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_event_signature(public_hex: str, event_hash: str, signature_hex: str) -> bool:
    """The core's ``Verifier``: does ``signature_hex`` sign the event with this hash?"""
    try:
        message = signing_message(event_hash)
    except ValueError:
        return False
    return verify_bytes(public_hex, message, signature_hex)


def sign_document(domain: bytes, document: Mapping[str, Data], key: KeyPair) -> dict[str, Data]:
    """``document`` with ``key_id`` and ``signature`` added (signed over both the document
    and the key id)."""
    signed: dict[str, Data] = {**document, "key_id": key.key_id}
    signed["signature"] = key.sign(domain + canonical(signed)).hex()
    return signed


def verify_document(domain: bytes, document: Mapping[str, Data], public_hex: str) -> bool:
    signature = document.get("signature")
    if not isinstance(signature, str):
        return False
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return verify_bytes(public_hex, domain + canonical(unsigned), signature)
