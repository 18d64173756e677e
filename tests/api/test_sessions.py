"""Browser sessions (secure cookie + CSRF token), bearer tokens, sign-in rate limiting,
accounts and roles managed by an administrator, and one error envelope for everything."""

from __future__ import annotations

from api_helpers import ELECTION_ID, PASSWORD, Person
from fastapi.testclient import TestClient

from saylau.core.roles import Role
from saylau.services.accounts import MAX_FAILURES
from saylau.store import Store
from saylau.store.accounts import find_user


def test_a_session_cookie_needs_the_csrf_token_to_change_anything(
    client: TestClient, person: Person
) -> None:
    person("ana", Role.TYPIST, "001")
    signed = client.post("/api/session", json={"login": "ana", "password": PASSWORD})
    assert signed.status_code == 200
    cookie = signed.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower()
    assert client.get("/api/me").json()["user"] == "ana"
    url = f"/api/elections/{ELECTION_ID}/protocols/001/list/claim"
    refused = client.post(url, json={"version": 0})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf"
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    assert client.post(url, json={"version": 0}, headers=csrf).status_code == 200
    assert client.post("/api/session/end", headers=csrf).status_code == 204
    assert client.get("/api/me").status_code == 401


def test_bearer_tokens(client: TestClient, person: Person) -> None:
    person("bot", Role.OBSERVER, "cec")
    token = client.post("/api/tokens", json={"login": "bot", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/me", headers=headers).json()["assignments"] == [
        {"election": ELECTION_ID, "commission": "cec", "role": "observer"}
    ]
    wrong = client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthenticated"


def test_failed_sign_ins_are_rate_limited(client: TestClient, person: Person) -> None:
    person("ana", Role.TYPIST, "001")
    for _ in range(MAX_FAILURES):
        bad = client.post("/api/session", json={"login": "ana", "password": "wrong password"})
        assert bad.status_code == 401
    limited = client.post("/api/session", json={"login": "ana", "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate-limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_an_administrator_manages_accounts(
    client: TestClient, person: Person, store: Store
) -> None:
    admin = person("root", Role.ADMIN, "cec")
    typist = person("ana", Role.TYPIST, "001")
    new = {"login": "bek", "name": "Bek", "password": "another long password"}
    assert client.post("/api/users", json=new, headers=typist).status_code == 403
    assert client.post("/api/users", json=new, headers=admin).status_code == 201
    with store.session() as session:
        stored = find_user(session, "bek")
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    short = client.post(
        "/api/users", json={**new, "login": "x2", "password": "short"}, headers=admin
    )
    assert short.status_code == 422
    assert short.json()["error"]["details"] == {
        "field": "password",
        "expected": "at least 12 characters",
    }
    role = {"election": ELECTION_ID, "commission": "002", "role": "typist"}
    granted = client.post("/api/users/bek/roles", json=role, headers=admin)
    assert granted.json() == {"changed": True}
    nowhere = client.post(
        "/api/users/bek/roles", json={**role, "commission": "nowhere"}, headers=admin
    )
    assert nowhere.status_code == 422
    assert nowhere.json()["error"]["details"]["field"] == "commission"
    logins = [u["login"] for u in client.get("/api/users", headers=admin).json()]
    assert logins == ["ana", "bek", "root"]


def test_every_error_has_the_envelope(client: TestClient) -> None:
    for answer in (
        client.get("/api/nowhere"),
        client.put("/api/health"),
        client.post("/api/session", json={"login": 5}),
        client.get(f"/api/elections/{ELECTION_ID}/contests/nowhere/status"),
    ):
        error = answer.json()["error"]
        assert set(error) == {"code", "message", "details"}
    missing = client.get(f"/api/elections/{ELECTION_ID}/contests/nowhere/status")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not-found"
