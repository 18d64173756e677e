"""Errors to exit codes, in one place.

0 success; 2 wrong usage (unknown option or value, or an account or role the commission
service refuses: a short password, a login taken, no permission); 3 bad input data (names
file, row, field), a malformed election definition (names the path inside it), what the
store refuses (unknown election, conflicting definition) or a bundle that cannot be
published; 4 bad
ruleset (names file and key); 5 verification failed (a published bundle does not verify:
``saylau verify`` lists the findings); 130 and 143 a command that runs until stopped
(``saylau demo``) stopped by Ctrl-C (SIGINT) or SIGTERM before its work was done."""

from __future__ import annotations

import typer
from rich.console import Console

from saylau.core.election import ElectionError
from saylau.core.errors import CoreError, InputError, RulesetError
from saylau.ingest.errors import IngestError
from saylau.ledger.errors import LedgerAdapterError
from saylau.services.errors import ServiceError
from saylau.store.errors import StoreError

USAGE = 2
BAD_INPUT = 3
BAD_RULESET = 4
VERIFICATION_FAILED = 5
INTERRUPTED = 130
"""Stopped by Ctrl-C (SIGINT) before the work was done: 128 + SIGINT."""
TERMINATED = 143
"""Stopped by SIGTERM before the work was done: 128 + SIGTERM."""


class UsageError(Exception):
    """A command-line option is missing, conflicting or out of range."""


def exit_code(error: Exception) -> int:
    if isinstance(error, RulesetError):
        return BAD_RULESET
    if isinstance(error, (IngestError, InputError, ElectionError, StoreError, LedgerAdapterError)):
        return BAD_INPUT
    if isinstance(error, (UsageError, CoreError, ServiceError)):
        return USAGE
    raise error


def fail_with(error: Exception) -> Exception:
    """Report an expected error on standard error and return the exit to raise."""
    Console(stderr=True).print(
        f"error: {message(error)}", highlight=False, markup=False, soft_wrap=True
    )
    return typer.Exit(exit_code(error))


def message(error: Exception) -> str:
    if isinstance(error, InputError) and error.field == "seats":
        return f"option --seats: {error.message}"
    return str(error)
