"""Many clients acting on the same protocol version at once: exactly one wins each version,
every other gets 409 with the current values. Threads against the in-process app, on SQLite
or on PostgreSQL (SAYLAU_TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from api_helpers import Person, ledger_findings, protocol_url, values
from fastapi.testclient import TestClient

from saylau.api.app import create_app
from saylau.core.roles import Role
from saylau.store import Store

CLIENTS = 8


def _race(store: Store, requests: list[tuple[str, dict[str, str], dict[str, Any]]]) -> list[Any]:
    """Send the requests from one thread each, all released at once."""
    app = create_app(store)
    barrier = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def run(index: int) -> None:
        url, headers, body = requests[index]
        with TestClient(app, base_url="https://testserver") as client:
            barrier.wait()
            answer = client.post(url, json=body, headers=headers)
            answers[index] = (answer.status_code, answer.json())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _statuses(answers: list[Any]) -> Counter[int]:
    return Counter(status for status, _ in answers)


def test_one_claim_wins_each_version(store: Store, person: Person, client: TestClient) -> None:
    typists = [person(f"typist-{i}", Role.TYPIST, "001") for i in range(CLIENTS)]
    answers = _race(store, [(protocol_url(action="claim"), h, {"version": 0}) for h in typists])
    assert _statuses(answers) == {200: 1, 409: CLIENTS - 1}
    winner = next(body for status, body in answers if status == 200)
    for status, body in answers:
        if status == 409:
            assert body["error"]["code"] == "version-conflict"
            assert body["error"]["details"]["current"]["claimant"] == winner["claimant"]
    assert client.get(protocol_url(), headers=typists[0]).json()["version"] == 1
    assert ledger_findings(store) == []


def test_one_submission_without_a_claim_wins_each_version(store: Store, person: Person) -> None:
    typists = [person(f"typist-{i}", Role.TYPIST, "001") for i in range(CLIENTS)]
    url = protocol_url(action="entries")
    answers = _race(store, [(url, h, {"version": 0, **values()}) for h in typists])
    assert _statuses(answers) == {200: 1, 409: CLIENTS - 1}
    winner = next(body for status, body in answers if status == 200)
    assert (winner["stage"], winner["version"]) == ("first-entered", 1)
    for status, body in answers:
        if status == 409:
            assert body["error"]["code"] == "version-conflict"
            assert body["error"]["details"]["current"]["version"] == 1
    seconds = _race(store, [(url, h, {"version": 1, **values()}) for h in typists])
    # the first typist may not type the second entry: the others race for it
    assert _statuses(seconds) == {200: 1, 409: CLIENTS - 1}
    accepted = next(body for status, body in seconds if status == 200)
    assert (accepted["stage"], accepted["version"]) == ("accepted", 2)
    assert ledger_findings(store) == []


def test_one_correction_wins_each_version(store: Store, person: Person, client: TestClient) -> None:
    ana, bek = person("ana", Role.TYPIST, "001"), person("bek", Role.TYPIST, "001")
    for who, version in ((ana, 0), (bek, 2)):
        client.post(protocol_url(action="claim"), json={"version": version}, headers=who)
        body = {"version": version + 1, **values()}
        client.post(protocol_url(action="entries"), json=body, headers=who)
    coordinators = [person(f"coordinator-{i}", Role.COORDINATOR, "north") for i in range(CLIENTS)]
    requests = [
        (
            protocol_url(action="correct"),
            headers,
            {"version": 4, **values(300 + i + 1, 200 - i - 1), "reason": "r", "decision": f"D{i}"},
        )
        for i, headers in enumerate(coordinators)
    ]
    answers = _race(store, requests)
    assert _statuses(answers) == {200: 1, 409: CLIENTS - 1}
    current = client.get(protocol_url(), headers=coordinators[0]).json()
    assert current["version"] == 5
    assert current["content_version"] == 2
    assert ledger_findings(store) == []
