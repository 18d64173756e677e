"""Accounts in the store: users, their role assignments, sessions and tokens, sign-in attempts.

Each function takes a Session; the caller owns the transaction. Secrets are never stored:
a credential is kept as the SHA-256 of its token, a password as its Argon2id hash (made by
the services).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from saylau.store.errors import ConflictError, NotFound
from saylau.store.models import (
    CredentialRecord,
    RoleAssignmentRecord,
    SignInAttemptRecord,
    UserRecord,
    WaitingActionRecord,
    table,
    utc_now,
)

_USERS = table(UserRecord)
_ROLES = table(RoleAssignmentRecord)
_CREDENTIALS = table(CredentialRecord)
_ATTEMPTS = table(SignInAttemptRecord)
_WAITING = table(WaitingActionRecord)


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: str
    name: str
    password_hash: str
    active: bool


@dataclass(frozen=True, slots=True)
class StoredAssignment:
    user: str
    election: str
    commission: str
    role: str


@dataclass(frozen=True, slots=True)
class StoredCredential:
    token_sha256: str
    user: str
    kind: str
    label: str
    csrf_token: str | None
    expires_at: datetime
    revoked: bool


def add_user(session: Session, user_id: str, name: str, password_hash: str) -> None:
    """A new, active user; :class:`ConflictError` if the login is taken."""
    if find_user(session, user_id) is not None:
        raise ConflictError(f"user {user_id!r} exists already")
    session.execute(
        insert(_USERS).values(
            id=user_id, name=name, password_hash=password_hash, active=True, created_at=utc_now()
        )
    )


def find_user(session: Session, user_id: str) -> StoredUser | None:
    row = session.execute(
        select(_USERS.c.id, _USERS.c.name, _USERS.c.password_hash, _USERS.c.active).where(
            _USERS.c.id == user_id
        )
    ).first()
    return None if row is None else StoredUser(*row)


def list_users(session: Session) -> list[StoredUser]:
    rows = session.execute(
        select(_USERS.c.id, _USERS.c.name, _USERS.c.password_hash, _USERS.c.active).order_by(
            _USERS.c.id
        )
    )
    return [StoredUser(*row) for row in rows]


def update_user(
    session: Session,
    user_id: str,
    *,
    password_hash: str | None = None,
    active: bool | None = None,
) -> None:
    values: dict[str, object] = {}
    if password_hash is not None:
        values["password_hash"] = password_hash
    if active is not None:
        values["active"] = active
    result = session.execute(update(_USERS).where(_USERS.c.id == user_id).values(**values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"no user {user_id!r}")


def assignments_of(session: Session, user_id: str) -> list[StoredAssignment]:
    query = (
        select(_ROLES.c.user_id, _ROLES.c.election_id, _ROLES.c.commission_id, _ROLES.c.role)
        .where(_ROLES.c.user_id == user_id)
        .order_by(_ROLES.c.id)
    )
    return [StoredAssignment(*row) for row in session.execute(query)]


def add_assignment(session: Session, assignment: StoredAssignment, granted_by: str) -> bool:
    """Store the assignment; ``False`` if the user already holds it."""
    if assignment in assignments_of(session, assignment.user):
        return False
    session.execute(
        insert(_ROLES).values(
            user_id=assignment.user,
            election_id=assignment.election,
            commission_id=assignment.commission,
            role=assignment.role,
            granted_by=granted_by,
            created_at=utc_now(),
        )
    )
    return True


def remove_assignment(session: Session, assignment: StoredAssignment) -> bool:
    """Remove the assignment; ``False`` if the user did not hold it."""
    result = session.execute(
        delete(_ROLES).where(
            _ROLES.c.user_id == assignment.user,
            _ROLES.c.election_id == assignment.election,
            _ROLES.c.commission_id == assignment.commission,
            _ROLES.c.role == assignment.role,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add_credential(session: Session, credential: StoredCredential) -> None:
    session.execute(
        insert(_CREDENTIALS).values(
            token_sha256=credential.token_sha256,
            user_id=credential.user,
            kind=credential.kind,
            label=credential.label,
            csrf_token=credential.csrf_token,
            created_at=utc_now(),
            expires_at=credential.expires_at,
            revoked=credential.revoked,
        )
    )


def find_credential(session: Session, token_sha256: str) -> StoredCredential | None:
    c = _CREDENTIALS.c
    row = session.execute(
        select(
            c.token_sha256, c.user_id, c.kind, c.label, c.csrf_token, c.expires_at, c.revoked
        ).where(c.token_sha256 == token_sha256)
    ).first()
    if row is None:
        return None
    return StoredCredential(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))


def revoke_credential(session: Session, token_sha256: str) -> None:
    session.execute(
        update(_CREDENTIALS).where(_CREDENTIALS.c.token_sha256 == token_sha256).values(revoked=True)
    )


def revoke_credentials_of(session: Session, user_id: str) -> None:
    session.execute(
        update(_CREDENTIALS).where(_CREDENTIALS.c.user_id == user_id).values(revoked=True)
    )


def record_attempt(session: Session, login: str, address: str, succeeded: bool) -> None:
    session.execute(
        insert(_ATTEMPTS).values(login=login, address=address, succeeded=succeeded, at=utc_now())
    )


def failed_attempts(session: Session, login: str, address: str, since: datetime) -> int:
    """Failed sign-ins for ``login`` or from ``address`` since ``since``."""
    query = select(func.count()).where(
        _ATTEMPTS.c.succeeded.is_(False),
        _ATTEMPTS.c.at >= since,
        or_(_ATTEMPTS.c.login == login, _ATTEMPTS.c.address == address),
    )
    return int(session.scalar(query) or 0)


def find_signed_in(
    session: Session, token_sha256: str
) -> tuple[StoredCredential, StoredUser, list[StoredAssignment]] | None:
    """The credential, its user and the user's assignments, in one query."""
    c, u, r = _CREDENTIALS.c, _USERS.c, _ROLES.c
    query = (
        select(
            c.token_sha256, c.user_id, c.kind, c.label, c.csrf_token, c.expires_at, c.revoked,
            u.name, u.password_hash, u.active,
            r.election_id, r.commission_id, r.role,
        )
        .join(_USERS, u.id == c.user_id)
        .outerjoin(_ROLES, r.user_id == c.user_id)
        .where(c.token_sha256 == token_sha256)
        .order_by(r.id)
    )  # fmt: skip
    rows = session.execute(query).all()
    if not rows:
        return None
    first = rows[0]
    credential = StoredCredential(*first[:6], bool(first[6]))
    user = StoredUser(first[1], first[7], first[8], bool(first[9]))
    assignments = [
        StoredAssignment(first[1], row[10], row[11], row[12]) for row in rows if row[10] is not None
    ]
    return credential, user, assignments


@dataclass(frozen=True, slots=True)
class WaitingAction:
    """An action recorded while the ledger had not started (see :func:`add_waiting_action`)."""

    at: datetime
    user: str
    action: str
    subject: str
    details: Mapping[str, Any]


def add_waiting_action(session: Session, action: WaitingAction) -> None:
    """Keep an action until the ledger starts (:func:`take_waiting_actions`)."""
    session.execute(
        insert(_WAITING).values(
            at=action.at,
            user_id=action.user,
            action=action.action,
            subject=action.subject,
            details=json.dumps(dict(action.details), ensure_ascii=False, sort_keys=True),
        )
    )


def take_waiting_actions(session: Session) -> list[WaitingAction]:
    """The waiting actions in the order they were made, removed from the store (the caller
    appends them to the ledger in the same transaction)."""
    w = _WAITING.c
    rows = session.execute(
        select(w.id, w.at, w.user_id, w.action, w.subject, w.details).order_by(w.id)
    ).all()
    if not rows:
        return []
    session.execute(delete(_WAITING).where(w.id.in_([row[0] for row in rows])))
    return [WaitingAction(row[1], row[2], row[3], row[4], json.loads(row[5])) for row in rows]
