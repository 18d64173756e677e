"""Errors to exit codes, in one place.

0 success; 2 wrong usage (unknown option or value); 3 bad input data (names file, row,
field) or a malformed election definition (names the path inside it); 4 bad ruleset (names
file and key)."""

from __future__ import annotations

from saylau.core.election import ElectionError
from saylau.core.errors import CoreError, InputError, RulesetError
from saylau.ingest.errors import IngestError

USAGE = 2
BAD_INPUT = 3
BAD_RULESET = 4


class UsageError(Exception):
    """A command-line option is missing, conflicting or out of range."""


def exit_code(error: Exception) -> int:
    if isinstance(error, RulesetError):
        return BAD_RULESET
    if isinstance(error, (IngestError, InputError, ElectionError)):
        return BAD_INPUT
    if isinstance(error, (UsageError, CoreError)):
        return USAGE
    raise error


def message(error: Exception) -> str:
    if isinstance(error, InputError) and error.field == "seats":
        return f"option --seats: {error.message}"
    return str(error)
