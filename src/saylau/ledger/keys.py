"""Ed25519 keys of commissions: generation, ids, storage.

A key's id is the first 16 hex digits of the SHA-256 of its raw 32-byte public key
(:func:`saylau.core.ledger.payloads.key_id_of`). Keys are registered (and rotated) by events
in the ledger itself, so a verifier learns them from the ledger and needs out of band only
the id of the first key, the CEC's.

Private keys are stored as PKCS#8 PEM, encrypted when a passphrase is given, in files only
their owner can read (mode 0600).

A :class:`KeyPair` made from raw bytes (:meth:`KeyPair.from_raw`, the public key derived
elsewhere, e.g. by libsodium for many keys at once) makes its ``cryptography`` key object
only when something signs with it or asks for it.

:func:`demo_keypair` derives a key from a seed text: **for tests and demos only**. Anyone who
knows or guesses the seed has the key; a real commission key comes from
:func:`generate_keypair` (the operating system's randomness).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from saylau.core.ledger.payloads import key_id_of
from saylau.ledger.errors import KeyFileError

RAW_SIZE = 32
"""Bytes of a raw Ed25519 private or public key."""


class KeyPair:
    """A private signing key and what is published of it: the raw public key, in hex, and
    the key's id (computed once).

    Built from a ``cryptography`` key object, or by :meth:`from_raw` from the raw bytes
    (the key object is then made only when something asks for it). Two pairs are equal
    when their private keys are. Immutable."""

    __slots__ = ("_private_key", "_private_raw", "key_id", "public_hex", "public_raw")

    _private_key: Ed25519PrivateKey | None
    _private_raw: bytes | None
    public_raw: bytes
    public_hex: str
    key_id: str

    def __init__(self, private_key: Ed25519PrivateKey):
        self._publish(private_key, None, private_key.public_key().public_bytes_raw())

    @classmethod
    def from_raw(cls, private: bytes, public: bytes) -> KeyPair:
        """The pair of the raw 32-byte private key ``private`` whose public key is
        ``public``, as libsodium's ``crypto_sign_seed_keypair`` derives it (in bulk, see
        :func:`saylau.ledger.signing.public_keys`). ``public`` is checked when the key
        object is first made (:attr:`private_key`), not here: a caller that signs with the
        raw bytes must give the right one."""
        if len(private) != RAW_SIZE or len(public) != RAW_SIZE:
            raise KeyFileError(
                f"raw Ed25519 keys have {RAW_SIZE} bytes, found {len(private)} and {len(public)}"
            )
        pair = cls.__new__(cls)
        pair._publish(None, bytes(private), bytes(public))
        return pair

    def _publish(self, key: Ed25519PrivateKey | None, raw: bytes | None, public: bytes) -> None:
        setter = object.__setattr__
        setter(self, "_private_key", key)
        setter(self, "_private_raw", raw)
        setter(self, "public_raw", public)
        hexed = public.hex()
        setter(self, "public_hex", hexed)
        setter(self, "key_id", key_id_of(hexed))

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The key object (made from the raw bytes at first use, its public key checked)."""
        key = self._private_key
        if key is None:
            assert self._private_raw is not None
            key = Ed25519PrivateKey.from_private_bytes(self._private_raw)
            if key.public_key().public_bytes_raw() != self.public_raw:
                raise KeyFileError(f"key {self.key_id}: the public key is not the private key's")
            object.__setattr__(self, "_private_key", key)
        return key

    @property
    def private_bytes(self) -> bytes:
        """The raw 32-byte private key."""
        raw = self._private_raw
        if raw is None:
            raw = self.private_key.private_bytes_raw()
            object.__setattr__(self, "_private_raw", raw)
        return raw

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a key pair is immutable: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a key pair is immutable: cannot delete {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyPair):
            return NotImplemented
        return self.private_bytes == other.private_bytes

    def __hash__(self) -> int:
        return hash(self.private_bytes)

    def __repr__(self) -> str:
        return f"KeyPair(key_id={self.key_id!r})"


def generate_keypair() -> KeyPair:
    """A new random key (for a real commission)."""
    return KeyPair(Ed25519PrivateKey.generate())


def demo_keypair(seed: str) -> KeyPair:
    """A key derived from ``seed``: the same seed gives the same key. FOR TESTS AND DEMOS
    ONLY: the private key is SHA-256("saylau-demo-key-v1" LF seed), known to anyone who
    knows the seed."""
    return KeyPair(Ed25519PrivateKey.from_private_bytes(demo_secret(seed)))


def demo_secret(seed: str) -> bytes:
    """The raw private key of :func:`demo_keypair` (FOR TESTS AND DEMOS ONLY)."""
    return hashlib.sha256(f"saylau-demo-key-v1\n{seed}".encode()).digest()


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
    if len(secret) != RAW_SIZE:
        raise KeyFileError(f"a raw Ed25519 private key has 32 bytes, found {len(secret)}")
    return KeyPair(Ed25519PrivateKey.from_private_bytes(secret))


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
