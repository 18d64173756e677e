"""Errors of the store layer, one tree.

``StoreError``
    The database cannot do what was asked: it cannot be reached, its schema is not the one
    this program knows, or a statement failed. The message says what was being done.

    ``ConflictError``
        What was asked contradicts what is stored: a different election definition under an
        existing id, an import already recorded, a protocol changed by someone else in the
        meantime, or a unique key taken by a concurrent writer. Retrying the same request
        gives the same answer; the caller must look at the stored state first.

    ``NotFound``
        A record that the request names does not exist: an election, a contest, a station.

Adapters map this tree to HTTP statuses and CLI exit codes in one place each; the core never
sees it.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot do what was asked (base of this layer's errors)."""


class ConflictError(StoreError):
    """The request contradicts the stored state."""


class NotFound(StoreError):  # noqa: N818 (reads as a condition: "election not found")
    """A named record does not exist."""
