"""Who is calling: a bearer token (machine clients) or a session cookie (browsers).

A browser session is the cookie :data:`SESSION_COOKIE` (``HttpOnly``, ``Secure``,
``SameSite=Strict``); a request that changes anything with it must also send the session's
CSRF token in the :data:`CSRF_HEADER` header. Bearer tokens need no CSRF token: browsers do
not send them by themselves.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from saylau.api.errors import ApiError
from saylau.services.accounts import Principal, authenticate, known_principal
from saylau.services.errors import AuthenticationError
from saylau.store.db import Store

SESSION_COOKIE = "saylau_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/tokens.")
cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="A session from POST /api/session."
)


async def store_of(request: Request) -> Store:
    """The application's store (``async``: FastAPI runs a plain function dependency in a
    worker thread, a hop per request for an attribute read)."""
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


StoreDep = Annotated[Store, Depends(store_of)]


async def authenticate_secret(store: Store, secret: str, kind: str) -> Principal:
    """The principal of ``secret``: from the process's memory if it is there, else read
    from the store in a thread (the event loop is not held up by the database)."""
    principal = known_principal(secret, kinds=(kind,))
    if principal is None:
        principal = await asyncio.to_thread(authenticate, store, secret, kinds=(kind,))
    return principal


async def current_principal(
    request: Request,
    store: StoreDep,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[str | None, Depends(cookie)],
) -> Principal:
    """The signed-in person (401 if nobody is signed in). ``async``, as :func:`store_of`."""
    if token is not None:
        return await authenticate_secret(store, token.credentials, "token")
    if session is not None:
        principal = await authenticate_secret(store, session, "session")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER)
            if not sent or sent != principal.csrf_token:
                raise ApiError(403, "csrf", f"send the session's CSRF token in {CSRF_HEADER}")
        return principal
    raise AuthenticationError("not signed in: send a bearer token or sign in")


def session_secret(session: Annotated[str | None, Depends(cookie)]) -> str | None:
    return session


PrincipalDep = Annotated[Principal, Depends(current_principal)]
