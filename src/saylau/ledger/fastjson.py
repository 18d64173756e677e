"""Reading ledger lines fast: orjson where it gives the core's answer, the core elsewhere.

:func:`parse_canonical` returns what :func:`saylau.core.ledger.canonical.parse_canonical`
returns and raises what it raises, several times faster on the lines a ledger is made of.
orjson reads the value; :func:`proven_canonical` then proves the bytes canonical, or sends
them down the core's exact path (which also words the error). The proof: for bytes without
characters from U+D000 up, orjson writing the value back with sorted members and integers
held to ±(2**53 - 1) gives exactly the canonical form (RFC 8785: the same escapes, text as
UTF-8, member order by code point equals UTF-16 order below U+D800, and the subset's
integer range), so equal bytes prove the line canonical once the value holds no float
(orjson reads floats, the subset has none). orjson writes every float with a fraction
(``.``) or a signed exponent (``e+``, ``e-``): bytes equal to orjson's output without these
three hold no float; bytes with them (in a string, say) have what lies outside their
strings checked for a number with a fraction or an exponent. The equivalence is a property
test (tests/ledger/test_ledger_fastjson.py).
"""

from __future__ import annotations

import re

import orjson

from saylau.core.ledger.canonical import Data
from saylau.core.ledger.canonical import parse_canonical as exact_parse
from saylau.core.ledger.events import Event, LedgerError, event_of

_HIGH = re.compile(rb"[\xed-\xff]")
"""A UTF-8 lead byte of a code point from U+D000 up (member order may then need UTF-16)."""
_SUSPECT = re.compile(rb"\d[.eE]|\d{16}")
"""A number with a fraction or an exponent, or of 16 digits or more (maybe too large)."""
_WRITE = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
"""Members sorted; an integer outside ±(2**53 - 1) is refused (``JSONEncodeError``)."""


def _outside_strings(data: bytes) -> bytes:
    """What JSON ``data`` (as orjson writes it) has outside its strings: drop escaped
    backslashes and quotes, then keep what lies outside the string quotes."""
    plain = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(plain.split(b'"')[::2])


def proven_canonical(data: bytes, value: Data) -> bool:
    """Whether ``data``, which orjson read as ``value``, is provably the canonical encoding
    of ``value`` (see above). ``False`` proves nothing: ask the core."""
    if not data.isascii() and _HIGH.search(data):
        return False
    try:
        again = orjson.dumps(value, option=_WRITE)
    except orjson.JSONEncodeError:
        return False
    if again != data:
        return False
    if b"." in data or b"+" in data or b"e-" in data:
        return not _SUSPECT.search(_outside_strings(data))
    return True


def parse_canonical(data: bytes) -> Data:
    """As :func:`saylau.core.ledger.canonical.parse_canonical`, faster (see above)."""
    try:
        value: Data = orjson.loads(data)
    except orjson.JSONDecodeError:
        return exact_parse(data)
    return value if proven_canonical(data, value) else exact_parse(data)


def read_record(line: bytes, *, number: int | None = None) -> Data:
    """The JSON value of a ledger line (whether it is canonical is checked apart); raises
    :class:`LedgerError` as :func:`read_event` does for a line that is not JSON."""
    try:
        value: Data = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise LedgerError(f"$: not valid JSON: {error}", line=number) from None
    return value


def read_event(line: bytes, *, number: int | None = None) -> Event:
    """The event of a ledger line whose canonical form is checked elsewhere (the shape is
    checked here, as :func:`saylau.core.ledger.events.decode_line` does)."""
    return event_of(read_record(line, number=number), number=number)
