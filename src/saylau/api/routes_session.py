"""Signing in and out, the signed-in person, bearer tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from saylau.api.access import SIGNED_IN, rule
from saylau.api.auth import SESSION_COOKIE, PrincipalDep, StoreDep, session_secret
from saylau.api.schemas import AssignmentOut, Me, SessionOut, SignIn, TokenOut, TokenRequest
from saylau.services.accounts import issue_token, sign_in, sign_out

router = APIRouter(prefix="/api", tags=["session"])


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/session", response_model=SessionOut, openapi_extra=rule("public"))
def create_session(
    body: SignIn, request: Request, response: Response, store: StoreDep
) -> SessionOut:
    """Sign in with a password: sets the session cookie and returns its CSRF token."""
    issued = sign_in(store, body.login, body.password, _address(request), kind="session")
    response.set_cookie(
        SESSION_COOKIE,
        issued.secret,
        httponly=True,
        secure=bool(request.app.state.secure_cookies),
        samesite="strict",
        path="/",
        expires=issued.expires_at,
    )
    assert issued.csrf_token is not None
    return SessionOut(user=issued.user, csrf_token=issued.csrf_token, expires_at=issued.expires_at)


@router.post("/session/end", status_code=204, openapi_extra=rule(SIGNED_IN))
def end_session(
    principal: PrincipalDep,
    store: StoreDep,
    response: Response,
    secret: Annotated[str | None, Depends(session_secret)],
) -> None:
    """Sign out of the browser session."""
    if secret is not None and principal.kind == "session":
        sign_out(store, secret)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/tokens", response_model=TokenOut, openapi_extra=rule("public"))
def create_token(body: SignIn, request: Request, store: StoreDep) -> TokenOut:
    """A bearer token for a machine client, from a login and password."""
    issued = sign_in(store, body.login, body.password, _address(request), kind="token")
    return TokenOut(token=issued.secret, user=issued.user, expires_at=issued.expires_at)


@router.post("/tokens/more", response_model=TokenOut, openapi_extra=rule(SIGNED_IN))
def another_token(body: TokenRequest, principal: PrincipalDep, store: StoreDep) -> TokenOut:
    """Another bearer token for the signed-in person."""
    issued = issue_token(store, principal, body.label)
    return TokenOut(token=issued.secret, user=issued.user, expires_at=issued.expires_at)


@router.get("/me", response_model=Me, openapi_extra=rule(SIGNED_IN))
def me(principal: PrincipalDep) -> Me:
    """The signed-in person and their roles."""
    return Me(
        user=principal.user,
        name=principal.name,
        assignments=[
            AssignmentOut(election=a.election, commission=a.commission, role=a.role)
            for a in principal.assignments
        ],
    )
