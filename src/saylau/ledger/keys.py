"""Ed25519 keys of commissions: generation, ids, storage.

A key's id is the first 16 hex digits of the SHA-256 of its raw 32-byte public key
(:func:`saylau.core.ledger.payloads.key_id_of`). Keys are registered (and rotated) by events
in the ledger itself, so a verifier learns them from the ledger and needs out of band only
the id of the first key, the CEC's.

Private keys are stored as PKCS#8 PEM, encrypted when a passphrase is given, in files only
their owner can read (mode 0600).

:func:`demo_keypair` derives a key from a seed text: **for tests and demos only**. Anyone who
knows or guesses the seed has the key; a real commission key comes from
:func:`generate_keypair` (the operating system's randomness).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from saylau.core.ledger.payloads import key_id_of
from saylau.ledger.errors import KeyFileError


@dataclass(frozen=True)
class KeyPair:
    """A private signing key and what is published of it (computed once)."""

    private_key: Ed25519PrivateKey
    public_raw: bytes = field(init=False, repr=False, compare=False)
    public_hex: str = field(init=False, repr=False, compare=False)
    key_id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = self.private_key.public_key().public_bytes_raw()
        object.__setattr__(self, "public_raw", raw)
        object.__setattr__(self, "public_hex", raw.hex())
        object.__setattr__(self, "key_id", key_id_of(raw.hex()))

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def generate_keypair() -> KeyPair:
    """A new random key (for a real commission)."""
    return KeyPair(Ed25519PrivateKey.generate())


def demo_keypair(seed: str) -> KeyPair:
    """A key derived from ``seed``: the same seed gives the same key. FOR TESTS AND DEMOS
    ONLY: the private key is SHA-256("saylau-demo-key-v1" LF seed), known to anyone who
    knows the seed."""
    secret = hashlib.sha256(f"saylau-demo-key-v1\n{seed}".encode()).digest()
    return KeyPair(Ed25519PrivateKey.from_private_bytes(secret))


@lru_cache(maxsize=65536)
def public_key(public_hex: str) -> Ed25519PublicKey:
    """The public key of 64 hex digits (cached: verifiers look keys up per event)."""
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))


def private_pem(pair: KeyPair, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return pair.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(pair: KeyPair) -> bytes:
    return pair.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def keypair_from_pem(data: bytes, passphrase: bytes | None = None) -> KeyPair:
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError) as error:
        raise KeyFileError(f"not a readable private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"expected an Ed25519 key, found {type(key).__name__}")
    return KeyPair(key)


def keypair_from_raw(secret: bytes) -> KeyPair:
    """From the raw 32-byte private key."""
    if len(secret) != 32:
        raise KeyFileError(f"a raw Ed25519 private key has 32 bytes, found {len(secret)}")
    return KeyPair(Ed25519PrivateKey.from_private_bytes(secret))


def private_raw(pair: KeyPair) -> bytes:
    return pair.private_key.private_bytes_raw()


def save_keypair(pair: KeyPair, path: Path, passphrase: bytes | None = None) -> None:
    """Write the private key as PEM, readable by its owner only; refuses to overwrite."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem(pair, passphrase))


def load_keypair(path: Path, passphrase: bytes | None = None) -> KeyPair:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: {error.strerror}") from None
    return keypair_from_pem(data, passphrase)
