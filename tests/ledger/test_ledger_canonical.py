"""RFC 8785 canonical JSON on the ledger's value subset."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.core.ledger.canonical import MAX_INT, CanonicalError, canonical, parse_canonical

# RFC 8785 section 3.2.2 (the sample without its numbers: floats are outside the subset).
RFC_INPUT = """{
  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
  "literals": [null, true, false]
}"""
RFC_OUTPUT = '{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'

# RFC 8785 section 3.2.3: members sorted by UTF-16 code units.
RFC_SORT_INPUT = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\U0001f600": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
}
RFC_SORT_VALUES = [
    "Carriage Return",
    "One",
    "Control",
    "Latin Small Letter O With Diaeresis",
    "Euro Sign",
    "Emoji: Grinning Face",
    "Hebrew Letter Dalet With Dagesh",
]


def test_rfc8785_sample_strings_and_literals() -> None:
    assert canonical(json.loads(RFC_INPUT)) == RFC_OUTPUT.encode("utf-8")
    # the RFC's hex dump of the string member, byte for byte
    assert canonical('€$\x0f\nA\'B"\\\\"/') == bytes.fromhex(
        "22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f22"
    )


def test_rfc8785_member_order_is_utf16() -> None:
    text = canonical(RFC_SORT_INPUT).decode("utf-8")
    assert list(json.loads(text).values()) == RFC_SORT_VALUES
    # U+1F600 (surrogates D83D DE00) sorts before U+FB33 although its code point is higher
    assert text.index("\U0001f600") < text.index("\ufb33")
    assert parse_canonical(text.encode("utf-8")) == RFC_SORT_INPUT


def test_escapes_as_json_stringify() -> None:
    assert canonical("\x00\x08\t\n\x0b\x0c\r\x1f\x7f\u2028") == (
        b'"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\x7f\xe2\x80\xa8"'
    )
    assert canonical("Сайлау қорытындысы") == '"Сайлау қорытындысы"'.encode()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (1.5, "is a float"),
        (1.0, "is a float"),
        (MAX_INT + 1, "outside"),
        (-MAX_INT - 1, "outside"),
        ({1: "a"}, "not a string"),
        ("\ud800", "lone surrogate"),
        ({"\udfff": 1}, "lone surrogate"),
        ((1, 2), "tuple is not"),
        ({"votes": [1, 2.5]}, "$.votes[1]: 2.5 is a float"),
        # nested, so that only reading the fast encoding back can tell
        ({"lines": {1: 2}}, "not a string"),
        ({"lines": {True: 2}}, "not a string"),
        ({"votes": (1, 2)}, "tuple is not"),
        ([{"a": float("nan")}], "is a float"),
        ({"a": ["x", "\udc00"]}, "lone surrogate"),
    ],
)
def test_values_outside_the_subset_are_refused(value: object, problem: str) -> None:
    with pytest.raises(CanonicalError, match=problem.replace("[", r"\[").replace("$", r"\$")):
        canonical(value)


def test_limits_and_booleans() -> None:
    assert canonical([MAX_INT, -MAX_INT, 0, True, False, None]) == (
        b"[9007199254740991,-9007199254740991,0,true,false,null]"
    )
    assert parse_canonical(b"[9007199254740991]") == [MAX_INT]
    assert parse_canonical(b'"0123456789012345678901"') == "0123456789012345678901"


@pytest.mark.parametrize(
    "text",
    [
        b'{"b":1,"a":2}',  # members out of order
        b'{"a":1,"a":1}',  # duplicate member
        b'{"a": 1}',  # whitespace
        b"[1.0]",  # a float, however round
        b"[1e2]",
        b"[-0]",
        b"[9007199254740992]",  # beyond 2**53 - 1
        b'["\\u0041"]',  # needless escape
        b'["\\u000F"]',  # upper-case hex
        b'["\\/"]',
        b"[NaN]",
        b'["\xff"]',  # not UTF-8
        b'["\\ud800"]',  # lone surrogate
        b"[1]\n",
        b"",
        b'{"\xef\xac\xb3":1,"\xf0\x9f\x98\x80":2}',  # code point order, not UTF-16 order
    ],
)
def test_parse_insists_on_canonical_bytes(text: bytes) -> None:
    with pytest.raises(CanonicalError):
        parse_canonical(text)


keys = st.text(max_size=6)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_INT, max_value=MAX_INT)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_canonical_round_trip(value: object) -> None:
    data = canonical(value)
    assert canonical(json.loads(data)) == data
    assert parse_canonical(data) == value


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, values, min_size=2, max_size=8), st.randoms())
def test_member_order_does_not_matter(value: dict[str, object], rng: random.Random) -> None:
    items = list(value.items())
    rng.shuffle(items)
    assert canonical(dict(items)) == canonical(value)
    text = canonical(value).decode("utf-8")
    order = list(json.loads(text))
    assert order == sorted(value, key=lambda key: key.encode("utf-16-be"))


@settings(max_examples=200, deadline=None)
@given(values)
def test_agrees_with_python_json_where_code_point_order_is_utf16_order(value: object) -> None:
    plain = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if all(ch < "\ud800" for ch in plain):
        assert canonical(value) == plain.encode("utf-8")
