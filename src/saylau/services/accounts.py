"""Accounts: users with Argon2id password hashes, role assignments, sign-in with rate
limiting, browser sessions (with a CSRF token) and bearer tokens.

A session or token is a random secret given to the client once; the store keeps its
SHA-256. Failed sign-ins are counted per login and per address over a window
(:data:`FAILURE_WINDOW`); after :data:`MAX_FAILURES` further attempts are refused without
checking the password until the window has passed. Sign-ins, tokens and every change of a
role are recorded in the ledger (``action-recorded``) in the same transaction.

A request names its session or token; the principal it stands for is kept in the process
for :data:`SIGNED_IN_CACHE` (so a request does not read the credential again), and
forgotten at once when this process signs out, revokes or changes a role of its user;
another worker process sees such a change within that time.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from saylau.core.ledger.canonical import Data
from saylau.core.roles import Assignment, Permission, Role, allowed, is_place
from saylau.services.context import election, ledger_election, read, write
from saylau.services.errors import (
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitedError,
)
from saylau.services.ledger import LedgerAppender
from saylau.store.accounts import (
    StoredAssignment,
    StoredCredential,
    StoredUser,
    WaitingAction,
    add_assignment,
    add_credential,
    add_user,
    add_waiting_action,
    assignments_of,
    failed_attempts,
    find_credential,
    find_signed_in,
    find_user,
    list_users,
    record_attempt,
    remove_assignment,
    revoke_credential,
    update_user,
)
from saylau.store.db import Store
from saylau.store.errors import NotFound

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
SIGNED_IN_CACHE = timedelta(seconds=5)
SIGNED_IN_KEPT = 10_000
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_LIFETIME = timedelta(days=30)
MIN_PASSWORD = 12
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")

hasher = PasswordHasher()
"""Argon2id with the library's recommended parameters (replace it to tune them)."""

_UNKNOWN_USER_HASH = hasher.hash("a password nobody has")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: the user and their role assignments."""

    user: str
    name: str
    assignments: tuple[Assignment, ...]
    kind: str = "token"
    csrf_token: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A session or token just issued: ``secret`` is shown once and never stored."""

    secret: str
    kind: str
    user: str
    expires_at: datetime
    csrf_token: str | None = None


@dataclass(frozen=True, slots=True)
class _Known:
    principal: Principal
    kind: str
    expires_at: datetime
    until: float


_signed_in: dict[str, _Known] = {}
_signed_in_lock = threading.Lock()


def forget_signed_in(user: str | None = None) -> None:
    """Forget the principals kept of ``user`` (of everyone if ``None``)."""
    with _signed_in_lock:
        if user is None:
            _signed_in.clear()
            return
        for digest in [d for d, known in _signed_in.items() if known.principal.user == user]:
            del _signed_in[digest]


def record_action(
    session: Session, user: str, action: str, subject: str, details: Mapping[str, Data]
) -> None:
    """An ``action-recorded`` event of the CEC in this transaction; while the store holds
    no election it waits in the store and is appended when the ledger starts (see
    :meth:`saylau.services.ledger.LedgerAppender.open`). The caller holds the writers' lock
    (:func:`saylau.services.context.write`)."""
    chosen = ledger_election(session)
    if chosen is None:
        waiting = WaitingAction(datetime.now(UTC), user, action, subject, dict(details))
        add_waiting_action(session, waiting)
        return
    appender = LedgerAppender.open(session, chosen)
    appender.action(user, action, subject, details)
    appender.flush()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_login(login: str) -> str:
    if not LOGIN_PATTERN.fullmatch(login):
        raise InvalidRequestError(
            f"login {login!r} is not acceptable",
            field="login",
            expected="2 to 64 characters: lower-case letters, digits, '.', '_', '-'",
        )
    return login


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequestError(
            "the password is too short",
            field="password",
            expected=f"at least {MIN_PASSWORD} characters",
        )
    return password


def _principal(session: Session, user: StoredUser, kind: str, csrf: str | None) -> Principal:
    assignments = tuple(
        Assignment(a.user, a.election, a.commission, Role(a.role))
        for a in assignments_of(session, user.id)
    )
    return Principal(user.id, user.name, assignments, kind, csrf)


def create_user(
    store: Store, login: str, name: str, password: str, *, by: Principal | None = None
) -> None:
    """A new user; ``by`` (an administrator) unless created from the command line."""
    check_login(login)
    check_password(password)
    if not name.strip():
        raise InvalidRequestError("a name is required", field="name", expected="a name")
    if by is not None and not any(a.role is Role.ADMIN for a in by.assignments):
        raise PermissionDeniedError("only an administrator creates accounts")
    password_hash = hasher.hash(password)

    def work(session: Session) -> None:
        add_user(session, login, name.strip(), password_hash)
        record_action(session, by.user if by else "(command line)", "user-created", login, {})

    write(store, work)


def users(store: Store, by: Principal) -> list[StoredUser]:
    if not any(a.role is Role.ADMIN for a in by.assignments):
        raise PermissionDeniedError("only an administrator lists accounts")
    return read(store, list_users)


def change_role(
    store: Store, assignment: Assignment, *, grant: bool, by: Principal | None = None
) -> bool:
    """Grant or revoke a role; ``by`` must be an administrator above the commission (or
    ``None``: the command line). Returns whether anything changed."""

    def work(session: Session) -> bool:
        chosen = election(session, assignment.election)
        if not is_place(chosen, assignment.commission):
            raise InvalidRequestError(
                f"{assignment.commission!r} is not a commission or station of {chosen.id}",
                field="commission",
                expected="the id of a commission or station of the election",
            )
        if find_user(session, assignment.user) is None:
            raise NotFound(f"no user {assignment.user!r}")
        if by is not None and not allowed(
            by.assignments, chosen, Permission.MANAGE_USERS, assignment.commission
        ):
            raise PermissionDeniedError(
                f"{by.user} may not manage roles in {assignment.commission}"
            )
        stored = StoredAssignment(
            assignment.user, assignment.election, assignment.commission, str(assignment.role)
        )
        granter = by.user if by else "(command line)"
        changed = (
            add_assignment(session, stored, granter)
            if grant
            else remove_assignment(session, stored)
        )
        if changed:
            record_action(
                session,
                granter,
                "role-granted" if grant else "role-revoked",
                assignment.user,
                {"role": str(assignment.role), "commission": assignment.commission},
            )
        return changed

    changed = write(store, work)
    if changed:
        forget_signed_in(assignment.user)
    return changed


def sign_in(
    store: Store, login: str, password: str, address: str, *, kind: str = "session"
) -> IssuedCredential:
    """Check the password and issue a session (with a CSRF token) or a bearer token. Every
    attempt is recorded (:func:`record_action`): ``signed-in``, or ``sign-in-failed`` with
    the reason (:data:`FAILURE_REASONS`) and never the password; the login typed is
    recorded only if such an account exists (else it might be a password typed in the wrong
    field), as ``(unknown)``."""
    now = datetime.now(UTC)

    def limited(session: Session) -> int:
        return failed_attempts(session, login, address, now - FAILURE_WINDOW)

    if read(store, limited) >= MAX_FAILURES:
        _failed(store, login, _exists(store, login), kind, "rate-limited", count=False)
        raise RateLimitedError(
            "too many failed sign-ins: wait before trying again",
            retry_after=int(FAILURE_WINDOW.total_seconds()),
        )
    user = read(store, lambda session: find_user(session, login))
    try:
        hasher.verify(user.password_hash if user else _UNKNOWN_USER_HASH, password)
        checked = True
    except (VerificationError, InvalidHashError):
        checked = False
    if user is None or not checked or not user.active:
        reason = (
            "unknown-login"
            if user is None
            else ("wrong-password" if not checked else "account-disabled")
        )
        _failed(store, login, user is not None, kind, reason, address=address)
        raise AuthenticationError("wrong login or password")
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else None
    expires = now + (SESSION_LIFETIME if kind == "session" else TOKEN_LIFETIME)
    rehash = hasher.check_needs_rehash(user.password_hash)
    new_hash = hasher.hash(password) if rehash else None

    def succeeded(session: Session) -> None:
        record_attempt(session, login, address, True)
        if new_hash is not None:
            update_user(session, login, password_hash=new_hash)
        credential = StoredCredential(_digest(secret), login, kind, kind, csrf, expires, False)
        add_credential(session, credential)
        record_action(session, login, "signed-in", login, {"kind": kind})

    write(store, succeeded)
    return IssuedCredential(secret, kind, login, expires, csrf)


FAILURE_REASONS = ("unknown-login", "wrong-password", "account-disabled", "rate-limited")
UNKNOWN_LOGIN = "(unknown)"


def _failed(
    store: Store,
    login: str,
    exists: bool,
    kind: str,
    reason: str,
    *,
    address: str = "",
    count: bool = True,
) -> None:
    """Record a failed sign-in (and count it for the rate limit, unless ``count`` is
    false: an attempt refused by the limit does not extend it)."""
    known = login if exists else UNKNOWN_LOGIN

    def work(session: Session) -> None:
        if count:
            record_attempt(session, login, address, False)
        details = {"kind": kind, "reason": reason}
        record_action(session, known, "sign-in-failed", known, details)

    write(store, work)


def _exists(store: Store, login: str) -> bool:
    return read(store, lambda session: find_user(session, login)) is not None


def issue_token(store: Store, principal: Principal, label: str) -> IssuedCredential:
    """A bearer token for a machine client acting as ``principal``."""
    secret = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + TOKEN_LIFETIME

    def work(session: Session) -> None:
        credential = StoredCredential(
            _digest(secret), principal.user, "token", label or "token", None, expires, False
        )
        add_credential(session, credential)
        record_action(session, principal.user, "token-issued", principal.user, {"label": label})

    write(store, work)
    return IssuedCredential(secret, "token", principal.user, expires)


def known_principal(
    secret: str, *, kinds: Sequence[str] = ("session", "token")
) -> Principal | None:
    """:func:`authenticate` without the store: the principal if this process knows it
    (``None`` if it must be read), or the same :class:`AuthenticationError`."""
    return _known_principal(_digest(secret), kinds)


def _known_principal(digest: str, kinds: Sequence[str]) -> Principal | None:
    known = _signed_in.get(digest)
    if known is None or known.until <= time.monotonic():
        return None
    if known.kind not in kinds:
        raise AuthenticationError("not signed in: the session or token is not valid")
    if known.expires_at <= datetime.now(UTC):
        raise AuthenticationError("the session or token has expired: sign in again")
    return known.principal


def authenticate(
    store: Store, secret: str, *, kinds: Sequence[str] = ("session", "token")
) -> Principal:
    """The principal of a session or token; :class:`AuthenticationError` if it is unknown,
    revoked or expired, or the user is disabled (see the module's description: a principal
    is kept for :data:`SIGNED_IN_CACHE`)."""
    digest = _digest(secret)
    principal = _known_principal(digest, kinds)
    if principal is not None:
        return principal

    def work(session: Session) -> _Known:
        found = find_signed_in(session, digest)
        if found is None:
            raise AuthenticationError("not signed in: the session or token is not valid")
        credential, user, assignments = found
        if credential.revoked or credential.kind not in kinds:
            raise AuthenticationError("not signed in: the session or token is not valid")
        if credential.expires_at <= datetime.now(UTC):
            raise AuthenticationError("the session or token has expired: sign in again")
        if not user.active:
            raise AuthenticationError("the account is disabled")
        roles = tuple(
            Assignment(a.user, a.election, a.commission, Role(a.role)) for a in assignments
        )
        principal = Principal(user.id, user.name, roles, credential.kind, credential.csrf_token)
        until = time.monotonic() + SIGNED_IN_CACHE.total_seconds()
        return _Known(principal, credential.kind, credential.expires_at, until)

    found = read(store, work)
    with _signed_in_lock:
        if len(_signed_in) >= SIGNED_IN_KEPT:
            now = time.monotonic()
            for old in [d for d, k in _signed_in.items() if k.until <= now] or list(_signed_in):
                del _signed_in[old]
        _signed_in[digest] = found
    return found.principal


def sign_out(store: Store, secret: str) -> None:
    def work(session: Session) -> None:
        credential = find_credential(session, _digest(secret))
        if credential is not None:
            revoke_credential(session, credential.token_sha256)
            record_action(session, credential.user, "signed-out", credential.user, {})

    write(store, work)
    with _signed_in_lock:
        _signed_in.pop(_digest(secret), None)
