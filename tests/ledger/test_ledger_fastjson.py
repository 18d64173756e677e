"""The fast reader of ledger lines gives the core's answer on every input: the same value
for canonical bytes, the same refusal (CanonicalError) for anything else."""

from __future__ import annotations

import contextlib
import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.core.ledger.canonical import MAX_INT, CanonicalError, canonical
from saylau.core.ledger.canonical import parse_canonical as exact
from saylau.ledger.fastjson import parse_canonical as fast
from saylau.ledger.fastjson import proven_canonical

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
    ["amanat", "1.5", "e5", "\\", '"', "\n", "\x7f", "é", "😀", "\ue000"]
)
numbers = st.integers(-MAX_INT - 5, MAX_INT + 5) | st.integers(-1000, 1000)
scalars = st.none() | st.booleans() | numbers | texts | st.floats(allow_nan=False)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def outcome(reader: object, data: bytes) -> object:
    try:
        return ("value", reader(data))  # type: ignore[operator]
    except CanonicalError:
        return ("refused",)


def spellings(value: object) -> list[bytes]:
    """Canonical and non-canonical spellings of ``value`` (when JSON can hold it)."""
    found = []
    for options in (
        {"separators": (",", ":"), "sort_keys": True, "ensure_ascii": False},
        {"separators": (",", ":"), "sort_keys": True, "ensure_ascii": True},
        {"separators": (", ", ": "), "sort_keys": True, "ensure_ascii": False},
        {"separators": (",", ":"), "sort_keys": False, "ensure_ascii": False},
    ):
        with contextlib.suppress(ValueError, UnicodeEncodeError):
            found.append(json.dumps(value, **options).encode("utf-8"))  # type: ignore[arg-type]
    with contextlib.suppress(CanonicalError):
        found.append(canonical(value))
    return found


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_fast_reader_agrees_with_the_core(value: object) -> None:
    for data in spellings(value):
        assert outcome(fast, data) == outcome(exact, data), data


@pytest.mark.parametrize(
    "data",
    [
        b"[1.0]",
        b'{"a":1e5}',
        b'{"a":"1.5e3","b":2}',
        b'{"a":"x\\"1.5","b":[2E3]}',
        b'{"a":"q\\\\","b":1e5}',
        b'{"a":"\\\\\\"1.5","b":[2]}',
        b'{"a":1,"a":1}',
        b"[9007199254740992]",
        b"[18446744073709551616]",
        b'["\\u0041"]',
        b'["\\ud800"]',
        b"[-0]",
        b"[01]",
        b"[NaN]",
        b'{"b":1,"a":2}',
        b"[1] ",
        b"\xff",
        b"1.5",
        b"[1e+16]",
        b'{"a":1e-7}',
        b"[5e-324]",
        b"[-0.0]",
        b'{"a":"e-","b":1.5}',
        b'{"a":"+","b":[100.0]}',
        b'{"a":"1.5","b":1}',
        b"[9007199254740991,-9007199254740991]",
        b"[-9007199254740992]",
        b"[1234567890123456]",
    ],
)
def test_the_fast_reader_refuses_what_the_core_refuses(data: bytes) -> None:
    assert outcome(fast, data) == outcome(exact, data)


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_orjson_writes_every_float_with_a_fraction_or_a_signed_exponent(number: float) -> None:
    """What :func:`saylau.ledger.fastjson.proven_canonical` relies on to rule floats out."""
    text = orjson.dumps([number])
    assert b"." in text or b"e+" in text or b"e-" in text


@settings(max_examples=300, deadline=None)
@given(values)
def test_proven_means_canonical(value: object) -> None:
    for data in spellings(value):
        with contextlib.suppress(orjson.JSONDecodeError):
            if proven_canonical(data, orjson.loads(data)):
                assert exact(data) == orjson.loads(data)
