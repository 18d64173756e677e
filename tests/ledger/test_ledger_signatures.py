"""The bulk verifier (libsodium) and the key library (``cryptography``, OpenSSL) agree:
on RFC 8032's first test vector, on every signature made here, and on tampered ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.ledger import demo_keypair
from saylau.ledger.checks import verify_signature
from saylau.ledger.keys import public_key
from saylau.ledger.signing import verify_bytes

# RFC 8032 section 7.1, TEST 1 (the empty message).
RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC_SIGNATURE = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def both(public_hex: str, signature_hex: str, message: bytes) -> tuple[bool, bool]:
    return (
        verify_signature(bytes.fromhex(public_hex), signature_hex, message),
        verify_bytes(public_hex, message, signature_hex),
    )


def test_rfc8032_test_1() -> None:
    assert both(RFC_PUBLIC, RFC_SIGNATURE, b"") == (True, True)
    flipped = RFC_SIGNATURE[:-1] + ("a" if RFC_SIGNATURE[-1] != "a" else "b")
    assert both(RFC_PUBLIC, flipped, b"") == (False, False)
    assert both(RFC_PUBLIC, RFC_SIGNATURE, b"\x00") == (False, False)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.text(min_size=1, max_size=12),
    message=st.binary(max_size=80),
    bit=st.integers(0, 511),
    other=st.text(min_size=1, max_size=12),
)
def test_the_two_libraries_agree(seed: str, message: bytes, bit: int, other: str) -> None:
    key = demo_keypair(seed)
    signature = key.sign(message)
    assert public_key(key.public_hex) is not None
    assert both(key.public_hex, signature.hex(), message) == (True, True)
    tampered = bytearray(signature)
    tampered[bit // 8] ^= 1 << (bit % 8)
    assert both(key.public_hex, tampered.hex(), message) == (False, False)
    stranger = demo_keypair(seed + "/" + other)
    assert both(stranger.public_hex, signature.hex(), message) == (False, False)
    assert both(key.public_hex, signature.hex(), message + b"!") == (False, False)
    assert both(key.public_hex, signature.hex()[:-2], message) == (False, False)
