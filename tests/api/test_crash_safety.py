"""Crash safety: concurrent clients submit protocols to a real server; the server is killed
with SIGKILL in the middle and started again; each client retries what was not answered
with the same idempotency key. Every acknowledged submission is then stored exactly once
and the ledger verifies. On PostgreSQL when SAYLAU_TEST_DATABASE_URL is set (as in CI),
else on an SQLite file."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from api_helpers import PASSWORD, ledger_findings, values, wide_definition
from server_process import Server, free_port

from saylau.core.election import parse_election
from saylau.core.roles import Assignment, Role
from saylau.services.accounts import change_role, create_user, sign_in
from saylau.store import Store
from saylau.store.ledger_events import ledger_lines
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store

STATIONS = 16
CLIENTS = 6
KILL_AFTER = 20  # acknowledged requests before the crash
RETRY_SECONDS = 60.0


def _prepare(store: Store) -> dict[str, str]:
    definition = wide_definition(STATIONS)
    with store.session() as session:
        save_election(session, parse_election(definition, "load"), json.dumps(definition))
    tokens = {}
    for n in range(CLIENTS * 2):
        login = f"typist-{n}"
        create_user(store, login, login, PASSWORD)
        change_role(store, Assignment(login, "load-2024", "cec", Role.TYPIST), grant=True)
        tokens[login] = sign_in(store, login, PASSWORD, "test", kind="token").secret
    return tokens


class Client:
    """One typing client: the stations ``stations``, typed first by ``first`` and then by
    ``second``; every request carries an idempotency key and is retried until answered."""

    def __init__(self, base: str, first: str, second: str, tokens: dict[str, str]):
        self.base, self.first, self.second, self.tokens = base, first, second, tokens
        self.acknowledged: list[tuple[str, dict[str, Any]]] = []
        self.failures: list[str] = []

    def _send(self, http: httpx.Client, who: str, url: str, body: dict[str, Any], key: str) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", "Idempotency-Key": key}
        deadline = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < deadline:
            try:
                answer = http.post(f"{self.base}{url}", json=body, headers=headers)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if answer.status_code != 200:
                self.failures.append(f"{url}: {answer.status_code} {answer.text}")
                return None
            self.acknowledged.append((key, answer.json()))
            return answer.json()
        self.failures.append(f"{url}: no answer")
        return None

    def run(self, stations: list[str]) -> None:
        with httpx.Client(timeout=30) as http:
            for station in stations:
                url = f"/api/elections/load-2024/protocols/{station}/list"
                version = 0
                for who in (self.first, self.second):
                    claim = self._send(
                        http, who, f"{url}/claim", {"version": version}, f"{station}-{who}-c"
                    )
                    if claim is None:
                        return
                    body = {"version": version + 1, **values()}
                    entry = self._send(http, who, f"{url}/entries", body, f"{station}-{who}-e")
                    if entry is None:
                        return
                    version = entry["version"]


@pytest.mark.parametrize("workers", [1, 2])
def test_acknowledged_submissions_survive_a_crash(workers: int) -> None:
    """With two worker processes on PostgreSQL, two groups of requests (one per process)
    queue for the ledger's lock."""
    with temporary_store() as store:
        tokens = _prepare(store)
        url = store.engine.url.render_as_string(hide_password=False)
        server = Server(url, free_port(), workers=workers)
        server.start()
        clients = [
            Client(server.base, f"typist-{2 * n}", f"typist-{2 * n + 1}", tokens)
            for n in range(CLIENTS)
        ]
        stations = [f"s{n:04d}" for n in range(STATIONS)]
        threads = [
            threading.Thread(target=c.run, args=(stations[n::CLIENTS],))
            for n, c in enumerate(clients)
        ]
        try:
            for thread in threads:
                thread.start()
            while sum(len(c.acknowledged) for c in clients) < KILL_AFTER:
                time.sleep(0.01)
            server.kill()
            at_crash = sum(len(c.acknowledged) for c in clients)
            server.start()
            for thread in threads:
                thread.join()
        finally:
            server.stop()
        assert at_crash < STATIONS * 4  # the crash came in the middle of the load
        assert [f for c in clients for f in c.failures] == []
        _check(store, clients)


def _check(store: Store, clients: list[Client]) -> None:
    answers: dict[str, list[dict[str, Any]]] = {}
    for client in clients:
        for key, body in client.acknowledged:
            answers.setdefault(key, []).append(body)
    assert len(answers) == STATIONS * 4
    for key, bodies in answers.items():
        assert all(body == bodies[0] for body in bodies), key  # a retry got the same answer
    with store.session() as session:
        events = [json.loads(line)["body"] for line in ledger_lines(session)]
    actions = Counter(
        (e["payload"]["subject"], e["payload"]["action"], e["payload"]["details"]["version"])
        for e in events
        if e["kind"] == "action-recorded" and e["payload"]["action"].startswith("entry-")
    )
    assert len(actions) == STATIONS * 4
    assert set(actions.values()) == {1}  # each acknowledged submission stored exactly once
    kinds = Counter(e["kind"] for e in events)
    assert kinds["protocol-entered"] == STATIONS
    assert kinds["protocol-accepted"] == STATIONS
    assert ledger_findings(store) == []
