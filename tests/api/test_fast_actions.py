"""The protocol actions of a bearer token are answered before FastAPI's routing; everything
else (a session cookie, a body the route's model refuses, another route) goes to FastAPI,
and both give the same answers and the same error envelopes."""

from __future__ import annotations

from typing import Any

from api_helpers import PASSWORD, Person, protocol_url, values
from fastapi.testclient import TestClient

from saylau.api.fast_actions import ProtocolActions
from saylau.core.roles import Role


def _spy(client: TestClient) -> list[str]:
    """The paths the fast layer hands on to FastAPI, from now on."""
    client.get("/api/health")  # builds the middleware stack
    layer: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, ProtocolActions):
        layer = layer.app
    handed: list[str] = []
    inner = layer.app

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        handed.append(scope["path"])
        await inner(scope, receive, send)

    layer.app = recording
    return handed


def test_a_bearer_tokens_actions_skip_fastapi_and_answer_as_the_routes(
    client: TestClient, person: Person
) -> None:
    ana, bek = person("ana", Role.TYPIST, "001"), person("bek", Role.TYPIST, "001")
    handed = _spy(client)
    first = client.post(
        protocol_url(action="entries"), json={"version": 0, **values()}, headers=ana
    )
    claimed = client.post(protocol_url(action="claim"), json={"version": 1}, headers=bek)
    second = client.post(
        protocol_url(action="entries"), json={"version": 2, **values()}, headers=bek
    )
    assert handed == []
    assert first.status_code == 200
    assert first.json() == {
        "station": "001",
        "contest": "list",
        "stage": "first-entered",
        "version": 1,
        "content_version": 0,
        "claimant": None,
        "findings": [],
    }
    assert first.headers["content-type"] == "application/json"
    assert claimed.json()["claimant"] == "bek"
    assert (second.json()["stage"], second.json()["version"]) == ("accepted", 3)


def test_errors_of_the_fast_layer_have_the_service_envelope(
    client: TestClient, person: Person
) -> None:
    ana = person("ana", Role.TYPIST, "001")
    outside = person("dana", Role.TYPIST, "004")
    handed = _spy(client)
    client.post(protocol_url(action="claim"), json={"version": 0}, headers=ana)
    stale = client.post(protocol_url(action="claim"), json={"version": 0}, headers=ana)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version-conflict"
    assert stale.json()["error"]["details"]["current"]["claimant"] == "ana"
    denied = client.post(protocol_url(action="claim"), json={"version": 1}, headers=outside)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"
    unknown = client.post(
        protocol_url(action="claim"), json={"version": 1}, headers={"Authorization": "Bearer x"}
    )
    assert unknown.status_code == 401
    assert unknown.headers["www-authenticate"] == "Bearer"
    assert unknown.json()["error"]["code"] == "unauthenticated"
    missing = client.post(protocol_url("999", action="claim"), json={"version": 0}, headers=ana)
    assert missing.status_code == 404
    assert handed == []


def test_what_the_fast_layer_does_not_answer_goes_to_fastapi(
    client: TestClient, person: Person
) -> None:
    ana = person("ana", Role.TYPIST, "001")
    handed = _spy(client)
    url = protocol_url(action="claim")
    bad = client.post(url, json={"version": -1}, headers=ana)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid-request"
    assert "version" in bad.json()["error"]["message"]
    long_key = client.post(url, json={"version": 0}, headers={**ana, "Idempotency-Key": "k" * 201})
    assert long_key.status_code == 422
    signed = client.post("/api/session", json={"login": "ana", "password": PASSWORD})
    assert signed.status_code == 200
    no_csrf = client.post(url, json={"version": 0})
    assert no_csrf.status_code == 403
    assert no_csrf.json()["error"]["code"] == "csrf"
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    by_cookie = client.post(url, json={"version": 0}, headers=csrf)
    assert by_cookie.status_code == 200
    assert by_cookie.json()["claimant"] == "ana"
    assert handed.count(url) == 4
    assert "/api/session" in handed
