"""The ledger's adapter: Ed25519 keys and signatures, writing, publishing and verifying
bundles (uses ``cryptography``; the pure part is :mod:`saylau.core.ledger`).

- :mod:`.keys`: key generation, ids, PEM/raw storage, demo keys from a seed;
- :mod:`.signing`: signing and verifying events and documents;
- :mod:`.writer`: :class:`LedgerWriter`, an in-memory ledger that refuses bad events;
- :mod:`.bundle`: :func:`publish`, the bundle layout;
- :mod:`.verify`: :func:`verify_bundle`, every check, on every core;
- :mod:`.proofs`: one protocol's inclusion proof.
"""

from saylau.ledger.bundle import BundleFile, PublishedBundle, publish
from saylau.ledger.errors import (
    EventRejectedError,
    KeyFileError,
    LedgerAdapterError,
    PublishError,
)
from saylau.ledger.keys import KeyPair, demo_keypair, generate_keypair
from saylau.ledger.signing import sign_event, verify_event_signature
from saylau.ledger.verify import VerifyReport, verify_bundle
from saylau.ledger.writer import LedgerWriter

__all__ = [
    "BundleFile",
    "EventRejectedError",
    "KeyFileError",
    "KeyPair",
    "LedgerAdapterError",
    "LedgerWriter",
    "PublishError",
    "PublishedBundle",
    "VerifyReport",
    "demo_keypair",
    "generate_keypair",
    "publish",
    "sign_event",
    "verify_bundle",
    "verify_event_signature",
]
