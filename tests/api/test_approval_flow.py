"""Approval up the tree through the API: protocols accepted and approved, summaries signed
bottom up, the CEC certifies; a correction after that reopens everything above the station
and the result status falls back (NIST SP 1500-100)."""

from __future__ import annotations

from typing import Any

from api_helpers import ELECTION_ID, Person, district_values, ledger_findings, protocol_url
from fastapi.testclient import TestClient

from saylau.core.roles import Role
from saylau.store import Store
from saylau.store.ledger_events import ledger_lines

CONTEST = "north-1"
BASE = f"/api/elections/{ELECTION_ID}/contests/{CONTEST}"


def _post(client: TestClient, who: dict[str, str], url: str, body: dict[str, Any]) -> Any:
    answer = client.post(url, json=body, headers=who)
    assert answer.status_code == 200, answer.json()
    return answer.json()


def _accept(
    client: TestClient, station: str, typists: tuple[dict[str, str], dict[str, str]]
) -> int:
    version = 0
    for who in typists:
        _post(client, who, protocol_url(station, CONTEST, "claim"), {"version": version})
        body = {"version": version + 1, **district_values()}
        version = _post(client, who, protocol_url(station, CONTEST, "entries"), body)["version"]
    return version


def _status(client: TestClient, commission: str | None = None) -> str:
    params = {"commission": commission} if commission else {}
    return str(client.get(f"{BASE}/status", params=params).json()["status"])


def test_approval_up_the_tree_and_reopening(
    client: TestClient, person: Person, store: Store
) -> None:
    typists = (person("ana", Role.TYPIST, "north"), person("bek", Role.TYPIST, "north"))
    town = person("tima", Role.COORDINATOR, "north-t")
    region = person("rita", Role.COORDINATOR, "north")
    admin = person("cec", Role.ADMIN, "cec")
    observer = person("olga", Role.OBSERVER, "cec")

    versions = {}
    for station in ("001", "002", "003"):
        assert _status(client) == "unofficial-partial"
        versions[station] = _accept(client, station, typists)
    assert _status(client) == "unofficial-complete"

    early = client.post(f"{BASE}/summaries/north-t/sign", json={"version": 0}, headers=town)
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "not-ready"
    assert early.json()["error"]["details"]["stations"] == ["001", "002"]

    for station in ("001", "002"):
        url = protocol_url(station, CONTEST, "approve")
        _post(client, town, url, {"version": versions[station]})
    _post(client, region, protocol_url("003", CONTEST, "approve"), {"version": versions["003"]})
    blocked = client.post(f"{BASE}/summaries/north/sign", json={"version": 0}, headers=region)
    assert blocked.json()["error"]["details"]["commissions"] == ["north-t"]
    _post(client, town, f"{BASE}/summaries/north-t/sign", {"version": 0})
    _post(client, region, f"{BASE}/summaries/north/sign", {"version": 0})
    denied = client.post(f"{BASE}/certify", json={"version": 1}, headers=region)
    assert denied.status_code == 403
    certified = _post(client, admin, f"{BASE}/certify", {"version": 1})
    assert certified["stage"] == "certified"
    assert _status(client) == "certified"

    rows = client.get(f"{BASE}/protocols/north", headers=observer).json()
    assert [row["stage"] for row in rows] == ["approved"] * 3

    correction = {
        "version": versions["001"] + 1,
        **district_values(310, 190),
        "reason": "arithmetic slip found on review",
        "decision": "North-T decision 7",
    }
    corrected = _post(client, region, protocol_url("001", CONTEST, "correct"), correction)
    assert corrected["stage"] == "accepted"
    assert corrected["content_version"] == 2
    assert _status(client) == "unofficial-complete"
    for commission in ("north-t", "north"):
        summary = client.get(f"{BASE}/summaries/{commission}", headers=observer).json()
        assert summary["stage"] == "open"

    kinds = [line.decode() for line in _lines(store)]
    assert sum('"kind":"results-certified"' in line for line in kinds) == 1
    assert sum('"kind":"protocol-corrected"' in line for line in kinds) == 1
    assert sum('"kind":"protocol-approved"' in line for line in kinds) == 3
    assert any('"action":"summary-reopened"' in line for line in kinds)
    assert ledger_findings(store) == []


def _lines(store: Store) -> list[bytes]:
    with store.session() as session:
        return list(ledger_lines(session))


def test_a_recount_reopens_double_entry(client: TestClient, person: Person, store: Store) -> None:
    typists = (person("ana", Role.TYPIST, "north"), person("bek", Role.TYPIST, "north"))
    region = person("rita", Role.COORDINATOR, "north")
    versions = {station: _accept(client, station, typists) for station in ("001", "002", "003")}
    assert _status(client) == "unofficial-complete"
    url = protocol_url("003", CONTEST, "recount")
    missing = client.post(
        url,
        json={"version": versions["003"], "reason": "complaint", "decision": ""},
        headers=region,
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["field"] == "decision"
    body = {"version": versions["003"], "reason": "complaint of observers", "decision": "N-12"}
    reopened = _post(client, region, url, body)
    assert reopened["stage"] == "empty"
    assert _status(client) == "unofficial-partial"
    version = reopened["version"]
    for who in typists:
        _post(client, who, protocol_url("003", CONTEST, "claim"), {"version": version})
        entry = {"version": version + 1, **district_values()}
        version = _post(client, who, protocol_url("003", CONTEST, "entries"), entry)["version"]
    again = client.get(protocol_url("003", CONTEST), headers=region).json()
    assert again["stage"] == "accepted"
    assert again["content_version"] == 1  # the recount found the same numbers
    assert _status(client) == "unofficial-complete"
    assert ledger_findings(store) == []
