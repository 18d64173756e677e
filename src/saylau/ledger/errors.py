"""Errors of the ledger adapter, one tree.

``LedgerAdapterError``
    ``KeyFileError``: a key file cannot be read or is not an Ed25519 key.
    ``PublishError``: a bundle cannot be published (the output folder is not empty, the
    previous bundle is unreadable, or the new ledger rewrites the previous one).
    ``EventRejectedError``: an event would add findings to the ledger (raised by
    :class:`saylau.ledger.writer.LedgerWriter`); ``findings`` says why.

Verification never raises for a bad bundle: it returns findings
(:class:`saylau.ledger.verify.VerifyReport`).
"""

from __future__ import annotations

from collections.abc import Sequence

from saylau.core.ledger.events import LedgerFinding


class LedgerAdapterError(Exception):
    """Base of the errors of ``saylau.ledger``."""


class KeyFileError(LedgerAdapterError):
    pass


class PublishError(LedgerAdapterError):
    pass


class EventRejectedError(LedgerAdapterError):
    def __init__(self, findings: Sequence[LedgerFinding], message: str | None = None):
        self.findings = tuple(findings)
        super().__init__(message or "; ".join(f.message for f in findings))
