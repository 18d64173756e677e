"""Errors of double entry (:mod:`saylau.core.entry`) and approval, part of the core's tree.

``EntryError`` (a :class:`saylau.core.errors.CoreError`): an action on a protocol's entry is
refused; ``code`` is stable for clients, ``field`` names the input at fault, ``details`` holds
the data. Its subclasses say why.
"""

from __future__ import annotations

from collections.abc import Mapping

from saylau.core.errors import CoreError


class EntryError(CoreError):
    """An action on a protocol's entry is refused. ``code`` is stable (for clients),
    ``field`` names the input at fault when there is one, ``details`` holds the data."""

    code = "entry-refused"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: Mapping[str, object] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details: Mapping[str, object] = dict(details or {})


class NotAllowedError(EntryError):
    """The action does not apply in the protocol's current stage."""

    code = "action-not-allowed"


class ClaimError(EntryError):
    """Someone else holds the claim on this entry."""

    code = "not-claimant"


class SameTypistError(EntryError):
    """The second entry must be typed by another typist than the first."""

    code = "same-typist"


class AcknowledgementError(EntryError):
    """A warning of the controls has no acknowledgement with a reason."""

    code = "warnings-not-acknowledged"


class BlockingError(EntryError):
    """The content has errors of the controls: it cannot be accepted."""

    code = "errors-block-acceptance"


class ReasonError(EntryError):
    """A correction or recount needs a reason and the reference of the decision."""

    code = "reason-required"


class NoChangeError(EntryError):
    """A correction must change the content."""

    code = "nothing-changed"
