"""Every route x every role x inside and outside the person's subtree, from the route table
(as published in the OpenAPI spec, which FastAPI builds from it).

Each route declares what it needs (``x-access``: a permission and the path parameter naming
the place). The expected answer comes from this file's own table of what each role may do
and of which places lie under which commission, not from the code under test. A person
without the right must get 401 (nobody signed in) or 403; a person with it must never get
them. A route without ``x-access`` or without an example request here fails the test, so a
new route cannot escape the matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from api_helpers import ELECTION_ID, PASSWORD, Person, values
from fastapi.testclient import TestClient

from saylau.api.access import ACCESS_KEY
from saylau.api.app import create_app
from saylau.core.roles import Role
from saylau.store import Store

# What each role may do, written out here independently of saylau.core.roles.
MAY: dict[str, set[str]] = {
    "cec-admin": {
        "read-status", "read-entry", "type-entry", "release-any", "resolve", "correct",
        "approve", "sign", "certify", "manage-users",
    },
    "coordinator": {
        "read-status", "read-entry", "release-any", "resolve", "correct", "approve", "sign",
    },
    "chair": {"read-status", "read-entry", "type-entry", "release-any"},
    "typist": {"read-status", "type-entry"},
    "observer": {"read-status"},
}  # fmt: skip

# The places the routes act on, and the commissions each lies under (itself included).
TARGET = {"station": "001", "commission": "north-t", "root": "cec", "body": "001"}
UNDER = {
    "001": {"001", "north-t", "north", "cec"},
    "north-t": {"north-t", "north", "cec"},
    "cec": {"cec"},
}
# Where each role is assigned: inside covers the targets it can cover, outside none.
INSIDE = {
    "cec-admin": "cec",
    "coordinator": "north",
    "chair": "001",
    "typist": "001",
    "observer": "north",
}
OUTSIDE = {
    "cec-admin": "south",
    "coordinator": "south",
    "chair": "004",
    "typist": "004",
    "observer": "south",
}

PATH = {"election": ELECTION_ID, "station": "001", "contest": "list", "commission": "north-t"}
EXAMPLES: dict[str, dict[str, Any]] = {
    "create_session": {"login": "{login}", "password": PASSWORD},
    "end_session": {},
    "create_token": {"login": "{login}", "password": PASSWORD},
    "another_token": {"label": "matrix"},
    "me": {},
    "list_accounts": {},
    "add_account": {"login": "new-{login}", "name": "New", "password": "a long password 123"},
    "grant_role": {"election": ELECTION_ID, "commission": "001", "role": "observer"},
    "revoke_role": {"election": ELECTION_ID, "commission": "001", "role": "observer"},
    "get_entry": {},
    "get_form": {},
    "check": values(),
    "claim": {"version": 0},
    "release": {"version": 0},
    "submit": {"version": 0, **values()},
    "resolve": {"version": 0, "resolution": "send-back"},
    "correct": {"version": 0, **values(), "reason": "recount", "decision": "No. 1"},
    "recount": {"version": 0, "reason": "complaint", "decision": "No. 2"},
    "approve": {"version": 0},
    "statuses": {},
    "summary": {},
    "sign": {"version": 0},
    "certify": {"version": 0},
    "status": {},
    "flags": {},
    "health": {},
    "entry_page": {},
    "admin_page": {},
    "review_page": {},
}
PEOPLE = [(role, where) for role in MAY for where in ("inside", "outside")]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    name: str
    access: dict[str, Any] | None


def _route_name(operation_id: str, path: str, method: str) -> str:
    """The route function's name: FastAPI's operation id is the name, the path with every
    non-word character as ``_``, and the method."""
    suffix = re.sub(r"\W", "_", path) + "_" + method.lower()
    assert operation_id.endswith(suffix), operation_id
    return operation_id.removesuffix(suffix)


def _operations() -> list[Operation]:
    spec = create_app(Store.__new__(Store)).openapi()
    return [
        Operation(
            method.upper(),
            path,
            _route_name(item["operationId"], path, method),
            item.get(ACCESS_KEY),
        )
        for path, methods in spec["paths"].items()
        for method, item in methods.items()
    ]


def _expected(operation: Operation, role: str | None, where: str) -> bool:
    assert operation.access is not None
    permission, place = operation.access["permission"], operation.access.get("place")
    if permission == "public":
        return True
    if role is None:
        return False
    if permission == "signed-in":
        return True
    if permission not in MAY[role]:
        return False
    if place is None:
        return True
    assigned = INSIDE[role] if where == "inside" else OUTSIDE[role]
    return assigned in UNDER[TARGET[place]]


def _fill(value: Any, login: str) -> Any:
    if isinstance(value, str):
        return value.replace("{login}", login)
    if isinstance(value, dict):
        return {k: _fill(v, login) for k, v in value.items()}
    return value


def test_every_route_declares_its_access_and_has_an_example() -> None:
    operations = _operations()
    assert len(operations) == len(EXAMPLES)
    for operation in operations:
        assert operation.access is not None, f"{operation.path} declares no access"
        assert operation.name in EXAMPLES, f"{operation.name} has no example request"


@pytest.mark.parametrize(("role", "where"), [*PEOPLE, (None, "anonymous")])
def test_authorization_matrix(store: Store, person: Person, role: str | None, where: str) -> None:
    login = f"{role or 'nobody'}-{where}"
    if role is None:
        person(login)  # an account without roles, so that signing in works; no token sent
        headers: dict[str, str] = {}
    else:
        headers = person(login, Role(role), INSIDE[role] if where == "inside" else OUTSIDE[role])
    escapes = []
    checked = 0
    with TestClient(create_app(store), base_url="https://testserver") as client:
        for operation in _operations():
            path = operation.path.format(**PATH, login=login)
            body = _fill(EXAMPLES[operation.name], login)
            method = operation.method
            answer = client.request(
                method, path, headers=headers, json=body if method == "POST" else None
            )
            client.cookies.clear()  # signing in sets a session cookie: forget it
            allowed = _expected(operation, role, where)
            denied = answer.status_code in (401, 403)
            checked += 1
            if allowed == denied or answer.status_code >= 500:
                escapes.append((method, path, answer.status_code, answer.text))
    assert checked == len(EXAMPLES)
    assert escapes == []
