"""Double entry end to end through the API: the form, two typists, differences resolved by
a coordinator, warnings acknowledged, errors blocking, stale versions refused."""

from __future__ import annotations

from typing import Any

from api_helpers import Person, protocol_url, values
from fastapi.testclient import TestClient

from saylau.core.roles import Role


def _post(client: TestClient, headers: dict[str, str], action: str, body: dict[str, Any]) -> Any:
    return client.post(protocol_url(action=action), json=body, headers=headers)


def _type(client: TestClient, who: dict[str, str], version: int, data: dict[str, Any]) -> Any:
    claimed = _post(client, who, "claim", {"version": version})
    assert claimed.status_code == 200, claimed.json()
    return _post(client, who, "entries", {"version": version + 1, **data})


def test_the_form_mirrors_the_paper_protocol(client: TestClient, person: Person) -> None:
    ana = person("ana", Role.TYPIST, "001")
    form = client.get(protocol_url(action="form"), params={"language": "kk"}, headers=ana)
    assert form.status_code == 200
    data = form.json()
    assert [line["number"] for line in data["lines"]] == list(range(1, 10))
    assert data["lines"][0] == {
        "number": 1,
        "key": "voters",
        "title": "Тізімге енгізілген сайлаушылар саны",
    }
    assert [c["key"] for c in data["choices"]] == ["amanat", "aq-jol"]
    assert data["title"] == "Партиялық тізімдер"


def test_two_matching_entries_are_accepted(client: TestClient, person: Person) -> None:
    ana, bek = person("ana", Role.TYPIST, "001"), person("bek", Role.TYPIST, "north-t")
    first = _type(client, ana, 0, values())
    assert first.status_code == 200, first.json()
    assert first.json()["stage"] == "first-entered"
    assert first.json()["findings"] == []
    assert "first" not in first.json()  # a typist never sees typed values
    again = _post(client, ana, "claim", {"version": 2})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "same-typist"
    second = _type(client, bek, 2, values())
    assert second.status_code == 200, second.json()
    assert second.json()["stage"] == "accepted"
    assert second.json()["version"] == 4
    status = client.get("/api/elections/test-2024/contests/list/status")
    assert status.json()["counted"] == 1
    assert status.json()["status"] == "unofficial-partial"


def test_differences_go_to_a_coordinator(client: TestClient, person: Person) -> None:
    ana, bek = person("ana", Role.TYPIST, "001"), person("bek", Role.TYPIST, "001")
    chen = person("chen", Role.COORDINATOR, "north")
    _type(client, ana, 0, values(300, 200))
    differing = _type(client, bek, 2, values(301, 199))
    assert differing.json()["stage"] == "entries-different"
    denied = _post(client, bek, "resolve", {"version": 4, "resolution": "keep-first"})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"
    shown = client.get(protocol_url(), headers=chen).json()
    assert shown["first"]["protocol"]["votes"] == {"amanat": 300, "aq-jol": 200}
    assert shown["second"]["protocol"]["votes"] == {"amanat": 301, "aq-jol": 199}
    kept = _post(client, chen, "resolve", {"version": 4, "resolution": "keep-second"})
    assert kept.status_code == 200, kept.json()
    assert kept.json()["stage"] == "accepted"
    assert kept.json()["accepted"]["protocol"]["votes"] == {"amanat": 301, "aq-jol": 199}


def test_warnings_need_a_reason_and_errors_block(client: TestClient, person: Person) -> None:
    ana, bek = person("ana", Role.TYPIST, "001"), person("bek", Role.TYPIST, "001")
    chen = person("chen", Role.COORDINATOR, "north")
    low = values(30, 22)
    low["lines"].update(
        ballots_issued=60, ballots_cancelled=940, ballots_found=60, ballots_invalid=3
    )
    refused = _type(client, ana, 0, low)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "warnings-not-acknowledged"
    assert error["details"]["field"] == "acknowledged.W02"
    assert client.get(protocol_url(), headers=ana).json()["version"] == 1  # nothing changed
    checked = client.post(
        protocol_url(action="check"), json=low, headers=ana, params={"language": "ru"}
    )
    assert [f["code"] for f in checked.json()] == ["W02"]
    assert checked.json()[0]["message"].startswith("W02: Явка")
    wrong = values()
    wrong["votes"]["amanat"] += 10
    typed = _post(client, ana, "entries", {"version": 1, **wrong})
    assert typed.json()["findings"][0]["code"] == "E04"
    blocked = _type(client, bek, 2, wrong)
    assert blocked.json()["stage"] == "entries-blocked"
    keep = _post(client, chen, "resolve", {"version": 4, "resolution": "keep-first"})
    assert keep.status_code == 422
    assert keep.json()["error"]["code"] == "errors-block-acceptance"
    back = _post(client, chen, "resolve", {"version": 4, "resolution": "send-back"})
    assert back.json()["stage"] == "empty"


def test_a_stale_version_gets_409_and_the_current_values(
    client: TestClient, person: Person
) -> None:
    ana = person("ana", Role.TYPIST, "001")
    assert _post(client, ana, "claim", {"version": 0}).status_code == 200
    stale = _post(client, ana, "claim", {"version": 0})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version-conflict"
    assert stale.json()["error"]["details"]["current"]["version"] == 1
    assert stale.json()["error"]["details"]["current"]["claimant"] == "ana"


def test_bad_values_name_the_field(client: TestClient, person: Person) -> None:
    ana = person("ana", Role.TYPIST, "001")
    _post(client, ana, "claim", {"version": 0})
    missing = values()
    del missing["lines"]["ballots_valid"]
    answer = _post(client, ana, "entries", {"version": 1, **missing})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["field"] == "lines.ballots_valid"
    unknown = values()
    unknown["votes"]["nobody"] = 1
    answer = _post(client, ana, "entries", {"version": 1, **unknown})
    assert answer.json()["error"]["details"]["field"] == "votes.nobody"
    negative = values()
    negative["lines"]["voters"] = -1
    answer = _post(client, ana, "entries", {"version": 1, **negative})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["field"] == "body.lines.voters"
    assert client.get(protocol_url(), headers=ana).json()["version"] == 1


def test_idempotent_retries(client: TestClient, person: Person) -> None:
    ana = person("ana", Role.TYPIST, "001")
    key = {"Idempotency-Key": "claim-001-list", **ana}
    first = _post(client, key, "claim", {"version": 0})
    retry = _post(client, key, "claim", {"version": 0})
    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    assert client.get(protocol_url(), headers=ana).json()["version"] == 1
    other = _post(client, key, "release", {"version": 1})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency-key-reused"


def test_a_submission_without_a_claim_claims_the_entry_itself(
    client: TestClient, person: Person
) -> None:
    ana, bek = person("ana", Role.TYPIST, "001"), person("bek", Role.TYPIST, "001")
    first = _post(client, ana, "entries", {"version": 0, **values()})
    assert first.status_code == 200, first.json()
    assert (first.json()["stage"], first.json()["version"]) == ("first-entered", 1)
    same = _post(client, ana, "entries", {"version": 1, **values()})
    assert same.status_code == 409
    assert same.json()["error"]["code"] == "same-typist"
    stale = _post(client, bek, "entries", {"version": 0, **values()})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version-conflict"
    assert stale.json()["error"]["details"]["current"]["stage"] == "first-entered"
    second = _post(client, bek, "entries", {"version": 1, **values()})
    assert second.status_code == 200, second.json()
    assert (second.json()["stage"], second.json()["version"]) == ("accepted", 2)
    status = client.get("/api/elections/test-2024/contests/list/status")
    assert status.json()["counted"] == 1
