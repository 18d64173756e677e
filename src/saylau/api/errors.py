"""The one place where errors become HTTP responses.

Every error answer has the same JSON envelope::

    {"error": {"code": "version-conflict", "message": "...", "details": {...}}}

``code`` is stable (clients branch on it), ``message`` is for people, ``details`` holds the
data (the field at fault and what it expects, the current values after a conflict, the
findings that block...). The table below maps the error trees of the layers: the API's own
(:class:`ApiError`), the services' (:mod:`saylau.services.errors`), the core's
(:mod:`saylau.core.errors`, the entry and approval rules among them) and the store's
(:mod:`saylau.store.errors`). An election rule is never an HTTP exception: a rule refused by
the core arrives here as a core error and is answered 409 or 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from saylau.core.approval import ApprovalError
from saylau.core.entry import (
    AcknowledgementError,
    BlockingError,
    ClaimError,
    EntryError,
    NoChangeError,
    NotAllowedError,
    ReasonError,
    SameTypistError,
)
from saylau.core.errors import CoreError, InputError
from saylau.services.errors import (
    AuthenticationError,
    IdempotencyKeyError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitedError,
    ServiceError,
    VersionConflictError,
)
from saylau.store.errors import ConflictError, NotFound, StoreError


class ApiError(Exception):
    """An error of the HTTP adapter itself (a missing CSRF token, a malformed header)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# (error class, HTTP status, code); the first matching row wins, so subclasses come first.
ERROR_TABLE: tuple[tuple[type[Exception], int, str | None], ...] = (
    (AuthenticationError, 401, "unauthenticated"),
    (RateLimitedError, 429, "rate-limited"),
    (PermissionDeniedError, 403, "forbidden"),
    (VersionConflictError, 409, "version-conflict"),
    (IdempotencyKeyError, 422, "idempotency-key-reused"),
    (InvalidRequestError, 422, "invalid-request"),
    (ServiceError, 400, "bad-request"),
    (ApprovalError, 409, None),
    (NotAllowedError, 409, None),
    (ClaimError, 409, None),
    (SameTypistError, 409, None),
    (AcknowledgementError, 422, None),
    (BlockingError, 422, None),
    (ReasonError, 422, None),
    (NoChangeError, 422, None),
    (EntryError, 422, None),
    (InputError, 422, "invalid-input"),
    (CoreError, 422, "invalid-input"),
    (NotFound, 404, "not-found"),
    (ConflictError, 409, "conflict"),
    (StoreError, 503, "store-unavailable"),
)


def envelope(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def _details(error: Exception) -> dict[str, Any]:
    if isinstance(error, ServiceError):
        return dict(error.details)
    if isinstance(error, EntryError):
        details = dict(error.details)
        if error.field is not None:
            details["field"] = error.field
        return details
    if isinstance(error, InputError):
        return {"field": error.field, "item": error.item}
    return {}


def describe(error: Exception) -> tuple[int, dict[str, Any]]:
    """The status and envelope of ``error``."""
    if isinstance(error, ApiError):
        return error.status, envelope(error.code, error.message)
    for kind, status, code in ERROR_TABLE:
        if isinstance(error, kind):
            chosen = code or str(getattr(error, "code", "refused"))
            return status, envelope(chosen, str(error), _details(error))
    return 500, envelope("internal-error", "the server failed; the request may be retried")


def error_response(error: Exception) -> JSONResponse:
    status, body = describe(error)
    headers = {}
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, headers=headers)


_HTTP_CODES = {404: "not-found", 405: "method-not-allowed"}


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with the envelope."""

    async def known(_request: Request, error: Exception) -> JSONResponse:
        return error_response(error)

    async def invalid(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = [
            {
                "field": ".".join(str(part) for part in problem.get("loc", ())),
                "expected": str(problem.get("msg", "")),
            }
            for problem in error.errors()
        ]
        first = problems[0] if problems else {"field": "", "expected": ""}
        message = f"{first['field']}: {first['expected']}"
        body = envelope("invalid-request", message, {**first, "problems": problems})
        return JSONResponse(body, status_code=422)

    async def http(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        code = _HTTP_CODES.get(error.status_code, "http-error")
        body = envelope(code, str(error.detail))
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)

    for kind in (ApiError, ServiceError, CoreError, StoreError):
        app.add_exception_handler(kind, known)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, known)
