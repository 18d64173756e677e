"""Accounts and roles (administrators)."""

from __future__ import annotations

from fastapi import APIRouter

from saylau.api.access import rule
from saylau.api.auth import PrincipalDep, StoreDep
from saylau.api.schemas import Changed, NewUser, RoleChange, UserOut
from saylau.core.roles import Assignment, Permission
from saylau.services.accounts import change_role, create_user, users

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("", response_model=list[UserOut], openapi_extra=rule(Permission.MANAGE_USERS))
def list_accounts(principal: PrincipalDep, store: StoreDep) -> list[UserOut]:
    return [UserOut(login=u.id, name=u.name, active=u.active) for u in users(store, principal)]


@router.post(
    "", status_code=201, response_model=UserOut, openapi_extra=rule(Permission.MANAGE_USERS)
)
def add_account(body: NewUser, principal: PrincipalDep, store: StoreDep) -> UserOut:
    create_user(store, body.login, body.name, body.password, by=principal)
    return UserOut(login=body.login, name=body.name.strip(), active=True)


@router.post(
    "/{login}/roles",
    response_model=Changed,
    openapi_extra=rule(Permission.MANAGE_USERS, "body"),
)
def grant_role(login: str, body: RoleChange, principal: PrincipalDep, store: StoreDep) -> Changed:
    assignment = Assignment(login, body.election, body.commission, body.role)
    return Changed(changed=change_role(store, assignment, grant=True, by=principal))


@router.post(
    "/{login}/roles/revoke",
    response_model=Changed,
    openapi_extra=rule(Permission.MANAGE_USERS, "body"),
)
def revoke_role(login: str, body: RoleChange, principal: PrincipalDep, store: StoreDep) -> Changed:
    assignment = Assignment(login, body.election, body.commission, body.role)
    return Changed(changed=change_role(store, assignment, grant=False, by=principal))
