"""Errors of the core, one tree.

``CoreError``
    ``InputError``: the votes or the arguments given to an algorithm are not acceptable
    (negative votes, duplicate names, more seats than can be given, ...).
    ``RulesetError``: a ruleset document is malformed; names the source, the key and what
    was expected.
    ``ElectionError`` (in :mod:`saylau.core.election`): an election definition document is
    malformed; names the path inside it, what was expected and what was found.
    ``CanonicalError``, ``LedgerError``, ``PayloadError`` (in :mod:`saylau.core.ledger`): a
    value cannot be written in canonical form, a ledger event is malformed, an event's payload
    does not fit its kind.

Adapters map these to exit codes (CLI) and HTTP statuses (API) in one place each.
"""

from __future__ import annotations


class CoreError(Exception):
    """Base of every error raised by ``saylau.core``."""


class InputError(CoreError):
    """Input to an election algorithm is not acceptable.

    ``field`` names the offending field (``votes``, ``name``, ``seats``...), ``item`` the row or
    choice it concerns when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, item: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.item = item


class RulesetError(CoreError):
    """A ruleset document is malformed."""

    def __init__(self, source: str, key: str | None, expected: str, found: object = None):
        self.source = source
        self.key = key
        self.expected = expected
        self.found = found
        text = (
            f"{source}: " + (f"key '{key}': " if key is not None else "") + f"expected {expected}"
        )
        if found is not None:
            text += f", found {found!r}"
        super().__init__(text)
