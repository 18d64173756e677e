"""Canonical JSON: RFC 8785 (JCS) for the values the ledger holds.

The ledger hashes and signs bytes, so one value must have exactly one encoding. This is the
JSON Canonicalization Scheme of RFC 8785 restricted to a subset of JSON values:

- ``null``, ``true``, ``false``;
- integers from ``-(2**53 - 1)`` to ``2**53 - 1`` (the I-JSON range that every JSON reader,
  JavaScript's included, reads exactly). **No floats**: votes and seats are whole numbers,
  and exact fractions travel as ``"p/q"`` strings. RFC 8785 serialises numbers the way
  ECMAScript does (shortest round-trip double); leaving floats out removes the only part of
  the scheme that is hard to reproduce bit for bit, and any float in an election record
  would be a bug;
- strings (Unicode text without lone surrogates);
- arrays; objects with string keys.

The encoding (RFC 8785 section 3.2): no whitespace; object members sorted by their names
compared as arrays of UTF-16 code units; strings escaped as ECMAScript ``JSON.stringify``
does (``\\"``, ``\\\\``, ``\\b \\f \\n \\r \\t``, other characters below U+0020 as
``\\u00xx`` in lower case, everything else as itself); integers in plain decimal; the result
encoded in UTF-8.

:func:`canonical` encodes, :func:`parse_canonical` reads bytes and insists that they are
already in canonical form (so a published file has exactly one valid spelling).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from saylau.core.errors import CoreError

Data = None | bool | int | str | list["Data"] | dict[str, "Data"]
"""A value of the canonical subset."""

MAX_INT = 2**53 - 1
"""Largest integer magnitude allowed (I-JSON, RFC 7493 section 2.2)."""

_SORT_SAFE_MAX = "\ud7ff"
"""Below U+D800 code point order and UTF-16 code unit order agree."""

_dumps: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode
"""Python's encoder with these options escapes exactly like ``JSON.stringify``; it sorts
keys by code point, which equals UTF-16 order unless a key has a character >= U+D800."""

_HIGH = re.compile(rb"[\xed-\xff]")
"""A UTF-8 lead byte of a code point from U+D000 up (or a byte that is not UTF-8): member
order by code point may differ from UTF-16 order only from U+D800 on."""
_BIG = re.compile(rb"[:,\[]-?[0-9]{16}")
"""A number of 16 digits or more (maybe outside the I-JSON range): ``:``, ``,`` or ``[``
then digits (a string holding such text only sends the bytes down the exact path)."""


def needs_exact_path(data: bytes) -> bool:
    """Whether JSON ``data`` may hold a too large integer or a member name whose order needs
    UTF-16 comparison: such bytes take the exact, slower path. Both tests run at C speed."""
    return _HIGH.search(data) is not None or _BIG.search(data) is not None


class CanonicalError(CoreError):
    """A value is outside the canonical subset, or bytes are not its canonical encoding.

    ``path`` says where (``$.payload.votes.p1``)."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _check(value: object, path: str) -> bool:
    """Raise if ``value`` is outside the subset; True if a key needs UTF-16 ordering."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, str):
        _check_text(value, path)
        return False
    if isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise CanonicalError(path, f"integer {value} is outside ±(2**53 - 1)")
        return False
    if isinstance(value, list):
        special = False
        for index, item in enumerate(value):
            special = _check(item, f"{path}[{index}]") or special
        return special
    if isinstance(value, dict):
        special = False
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(path, f"object key {key!r} is not a string")
            _check_text(key, path)
            if key and max(key) > _SORT_SAFE_MAX:
                special = True
            special = _check(item, f"{path}.{key}") or special
        return special
    if isinstance(value, float):
        raise CanonicalError(path, f"{value!r} is a float: use an integer or a 'p/q' string")
    raise CanonicalError(
        path, f"{type(value).__name__} is not a JSON value of the canonical subset"
    )


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError(path, "text holds a lone surrogate (not valid Unicode)") from None


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be")


def _exact(value: Data, out: list[str]) -> None:
    """The canonical text, member order by UTF-16 code units (for the rare keys that need
    it)."""
    if isinstance(value, dict):
        out.append("{")
        for position, key in enumerate(sorted(value, key=_utf16)):
            if position:
                out.append(",")
            out.append(_dumps(key))
            out.append(":")
            _exact(value[key], out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _exact(item, out)
        out.append("]")
    else:
        out.append(_dumps(value))


def _no_float(text: str) -> object:
    raise ValueError(f"number {text} is not an integer")


def _no_constant(text: str) -> object:
    raise ValueError(f"{text} is not JSON")


_decode = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant).decode


def _fast(value: object) -> bytes | None:
    """The encoding of ``value`` when C-speed tests prove it canonical, else ``None``.

    Python's encoder writes the canonical form of every value of the subset whose bytes do
    not need the exact path (:func:`needs_exact_path`). It also accepts values outside the subset
    (floats, integer keys, tuples, enums of other types): reading the text back, which
    refuses floats, and comparing with ``value`` catches each of them, because such a value
    never equals what its text reads back as (``{1: 2}`` reads back as ``{"1": 2}``)."""
    try:
        text = _dumps(value)
    except (TypeError, ValueError):
        return None
    data = text.encode("utf-8", "surrogatepass")
    if needs_exact_path(data):
        return None
    try:
        same = bool(_decode(text) == value)
    except ValueError:
        return None
    return data if same and type(value) in (dict, list) else None


def canonical(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 encoding of ``value``.

    Raises :class:`CanonicalError` for a value outside the subset (a float, a too large
    integer, a non-string key, a lone surrogate, another type)."""
    fast = _fast(value)
    if fast is not None:
        return fast
    if _check(value, "$"):
        out: list[str] = []
        _exact(value, out)  # type: ignore[arg-type]
        return "".join(out).encode("utf-8")
    return _dumps(value).encode("utf-8")


def parse_canonical(data: bytes) -> Data:
    """Read canonical JSON; raise :class:`CanonicalError` unless ``data`` is exactly the
    canonical encoding of the value it holds (valid UTF-8, no whitespace, sorted members, no
    duplicate names, minimal escapes, integers only and in range)."""
    try:
        value: Data = _decode(data.decode("utf-8"))
    except ValueError as error:  # also UnicodeDecodeError and JSONDecodeError
        raise CanonicalError("$", f"not valid JSON: {error}") from None
    if needs_exact_path(data):
        again = canonical(value)
    else:
        try:
            again = _dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            raise CanonicalError("$", "text holds a lone surrogate") from None
    if again != data:
        raise CanonicalError("$", "not in canonical form (RFC 8785)")
    return value
