"""Signing events, tree heads and manifests with commission keys; verifying them.

An event signature covers ``b"saylau-event-v1\\n" + the 32 bytes of the event hash``
(:func:`saylau.core.ledger.events.signing_message`). A protocol is signed by its precinct
commission when entered; on approval the approving commission countersigns it with a
``protocol-approved`` event that names the hash of the approved version
(:meth:`saylau.ledger.writer.LedgerWriter.approve`).

A document (tree head, manifest) is signed over its domain line and the canonical JSON of
the document without its ``signature`` member.

Many events at once (an import writes hundreds of thousands) are signed with libsodium
(:func:`sign_hashes`), on every core (:class:`SigningPool`): Ed25519 signatures are
deterministic (RFC 8032), so libsodium's are byte for byte the ones ``cryptography`` makes
(tests/ingest/test_import_ledger_bulk.py), in about two thirds of the time. The public keys
of many private keys are derived the same way (:func:`public_keys`, libsodium's
``crypto_sign_seed_keypair``), in about half the time OpenSSL takes.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from types import TracebackType

from cryptography.exceptions import InvalidSignature
from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

from saylau.core.ledger.canonical import Data, canonical
from saylau.core.ledger.events import (
    EVENT_DOMAIN,
    Event,
    Signature,
    signing_message,
    with_signature,
)
from saylau.ledger.keys import RAW_SIZE, KeyPair, public_key

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


# -- many events at once -------------------------------------------------------------------

HASH_SIZE = 32
SECRET_SIZE = 64
SIGNATURE_SIZE = 64


def sodium_secret(key: KeyPair) -> bytes:
    """The key as libsodium signs with it: the 32-byte private key, then the public key."""
    return key.private_bytes + key.public_raw


def public_keys(privates: bytes) -> bytes:
    """The raw public keys of raw 32-byte private keys given one after another, in the same
    order (libsodium's ``crypto_sign_seed_keypair``: the public key RFC 8032 derives, byte
    for byte the one ``cryptography`` computes)."""
    if len(privates) % RAW_SIZE:
        raise ValueError(f"expected {RAW_SIZE}-byte private keys, found {len(privates)} bytes")
    return b"".join(
        [
            crypto_sign_seed_keypair(privates[i : i + RAW_SIZE])[0]
            for i in range(0, len(privates), RAW_SIZE)
        ]
    )


def sign_hashes(secrets: bytes, hashes: bytes) -> bytes:
    """The signatures of events by their hashes: ``hashes`` holds 32-byte event hashes one
    after another, ``secrets`` the :func:`sodium_secret` of each one's signer (64 bytes
    each); returns the 64-byte signatures one after another, in the same order. Each covers
    :func:`saylau.core.ledger.events.signing_message` of its hash, as :func:`sign_event`."""
    count = len(hashes) // HASH_SIZE
    if len(hashes) != count * HASH_SIZE or len(secrets) != count * SECRET_SIZE:
        raise ValueError(
            f"expected {SECRET_SIZE}-byte keys for {HASH_SIZE}-byte hashes, "
            f"found {len(secrets)} bytes of keys for {len(hashes)} bytes of hashes"
        )
    return b"".join(
        [
            crypto_sign(
                EVENT_DOMAIN + hashes[i * HASH_SIZE : (i + 1) * HASH_SIZE],
                secrets[i * SECRET_SIZE : (i + 1) * SECRET_SIZE],
            )[:SIGNATURE_SIZE]
            for i in range(count)
        ]
    )


def start_context() -> BaseContext:
    """How worker processes start: forked where the platform forks and this process runs
    one thread (a fork copies only the calling thread, so with others running it could copy
    a lock one of them holds); otherwise from a fork server, or spawned."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class SigningPool:
    """Signs batches of event hashes (:func:`sign_hashes`) and derives batches of public
    keys (:func:`public_keys`) in ``workers`` processes while the caller goes on building
    the next events; by default one per core but the caller's (which keeps the chain
    going); with none (a machine with one core, or ``workers=0``), in the calling process
    when a batch is handed over. A batch no worker has started can be taken back
    (``Future.cancel``). Use as a context manager: leaving it stops the workers."""

    def __init__(self, workers: int | None = None):
        self.workers = (os.cpu_count() or 1) - 1 if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, secrets: bytes, hashes: bytes) -> Future[bytes]:
        """The signatures of a batch (:func:`sign_hashes`), made by a worker."""
        return self._submit(sign_hashes, secrets, hashes)

    def derive(self, privates: bytes) -> Future[bytes]:
        """The public keys of a batch of private keys (:func:`public_keys`), derived by a
        worker."""
        return self._submit(public_keys, privates)

    def _submit(self, function: Callable[..., bytes], *arguments: bytes) -> Future[bytes]:
        if self.workers < 1:
            done: Future[bytes] = Future()
            try:
                done.set_result(function(*arguments))
            except ValueError as error:
                done.set_exception(error)
            return done
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=start_context())
        return self._pool.submit(function, *arguments)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> SigningPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
