"""Reading ledger lines fast: orjson where it gives the core's answer, the core elsewhere.

:func:`parse_canonical` returns what :func:`saylau.core.ledger.canonical.parse_canonical`
returns and raises what it raises, several times faster on the lines a ledger is made of.
For bytes without characters from U+D000 up, orjson reads the
value and writes it back with sorted members; for such values that is exactly the canonical
form (RFC 8785: the same escapes, text as UTF-8, and member order by code point equals
UTF-16 order below U+D800), so equal bytes prove the line canonical, once it holds outside
its strings no number with a fraction or exponent (orjson reads floats, the subset has
none) and none of 16 digits or more (maybe beyond the subset's range). Everything else
(such characters, large numbers, a float, any line that is not canonical) takes the
core's exact path, which also words the error. The equivalence is a property test
(tests/ledger/test_ledger_fastjson.py).
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


def _outside_strings(data: bytes) -> bytes:
    """What JSON ``data`` (as orjson writes it) has outside its strings: drop escaped
    backslashes and quotes, then keep what lies outside the string quotes."""
    plain = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(plain.split(b'"')[::2])


def parse_canonical(data: bytes) -> Data:
    """As :func:`saylau.core.ledger.canonical.parse_canonical`, faster (see above)."""
    if data.isascii() or not _HIGH.search(data):
        try:
            value: Data = orjson.loads(data)
        except orjson.JSONDecodeError:
            return exact_parse(data)
        if orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == data and not _SUSPECT.search(
            _outside_strings(data)
        ):
            return value
    return exact_parse(data)


def read_event(line: bytes, *, number: int | None = None) -> Event:
    """The event of a ledger line whose canonical form is checked elsewhere (the shape is
    checked here, as :func:`saylau.core.ledger.events.decode_line` does)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise LedgerError(f"$: not valid JSON: {error}", line=number) from None
    return event_of(record, number=number)
