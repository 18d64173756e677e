"""Errors of the commission service's use cases, one tree.

``ServiceError``
    ``AuthenticationError``: no valid session or token, or a wrong login or password.
    ``RateLimitedError``: too many failed sign-ins for a login or from an address; retry
    after ``retry_after`` seconds.
    ``PermissionDeniedError``: the person's roles do not allow the action at that place.
    ``VersionConflictError``: the request names a version that is no longer current;
    ``current`` holds the current values.
    ``IdempotencyKeyError``: an idempotency key was used before for another request.
    ``InvalidRequestError``: the input is not acceptable; ``field`` and ``expected`` say what.

The services also let through the errors of the layers below: the core's
(:class:`saylau.core.errors.CoreError`, e.g. an entry refused by the state machine) and the
store's (:class:`saylau.store.errors.StoreError`). The API maps all three trees to HTTP in
one place (``saylau.api.errors``).
"""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    """Base of the errors raised by the service's use cases."""

    def __init__(self, message: str, *, details: Mapping[str, object] | None = None):
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, object] = dict(details or {})


class AuthenticationError(ServiceError):
    """Not signed in, or the credentials are wrong or expired."""


class RateLimitedError(ServiceError):
    """Too many failed sign-ins."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class PermissionDeniedError(ServiceError):
    """The person may not do this here."""


class VersionConflictError(ServiceError):
    """The version named is not the current one; ``current`` holds the current values."""

    def __init__(self, message: str, *, current: Mapping[str, object]):
        super().__init__(message, details={"current": dict(current)})
        self.current = current


class IdempotencyKeyError(ServiceError):
    """The idempotency key was used for a different request."""


class InvalidRequestError(ServiceError):
    """Bad input: ``field`` names it, ``expected`` says what is accepted."""

    def __init__(self, message: str, *, field: str, expected: str):
        text = f"{message}: {field} expects {expected}"
        super().__init__(text, details={"field": field, "expected": expected})
        self.field = field
        self.expected = expected
