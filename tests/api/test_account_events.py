"""Every sign-in, failed or not, and every account change is an event of the ledger; made
before the store holds an election, it waits in the store and is appended, in order, when
the ledger starts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_helpers import DEFINITION, ELECTION_ID, PASSWORD, ledger_findings

from saylau.core.election import parse_election
from saylau.core.ledger.events import Kind, decode_line
from saylau.core.roles import Assignment, Role
from saylau.services.accounts import (
    MAX_FAILURES,
    UNKNOWN_LOGIN,
    change_role,
    create_user,
    sign_in,
)
from saylau.services.errors import AuthenticationError, RateLimitedError
from saylau.store import Store
from saylau.store.accounts import update_user
from saylau.store.ledger_events import ledger_lines
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store

WRONG = "not the password at all"


def _lines(store: Store) -> list[bytes]:
    with store.session() as session:
        return list(ledger_lines(session))


def _actions(store: Store) -> list[dict[str, Any]]:
    events = [decode_line(line, checked=False) for line in _lines(store)]
    return [dict(e.payload) for e in events if e.kind == Kind.ACTION_RECORDED]


def _failures(store: Store) -> list[tuple[str, str, str]]:
    return [
        (a["user"], a["subject"], a["details"]["reason"])
        for a in _actions(store)
        if a["action"] == "sign-in-failed"
    ]


def test_failed_sign_ins_are_recorded_with_the_reason_and_never_the_password(
    store: Store,
) -> None:
    create_user(store, "ana", "Ana", PASSWORD)
    with pytest.raises(AuthenticationError):
        sign_in(store, "ana", WRONG, "10.0.0.1")
    with pytest.raises(AuthenticationError):
        sign_in(store, "nobody-here", WRONG, "10.0.0.2")
    with store.session() as session:
        update_user(session, "ana", active=False)
    with pytest.raises(AuthenticationError):
        sign_in(store, "ana", PASSWORD, "10.0.0.3")
    assert _failures(store) == [
        ("ana", "ana", "wrong-password"),
        (UNKNOWN_LOGIN, UNKNOWN_LOGIN, "unknown-login"),
        ("ana", "ana", "account-disabled"),
    ]
    ledger = b"\n".join(_lines(store))
    assert WRONG.encode() not in ledger
    assert PASSWORD.encode() not in ledger
    assert b"nobody-here" not in ledger  # an unknown login may be a mistyped password
    assert b"10.0.0." not in ledger  # nor the addresses of the staff
    assert ledger_findings(store) == []


def test_a_sign_in_refused_by_the_rate_limit_is_recorded(store: Store) -> None:
    create_user(store, "bek", "Bek", PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationError):
            sign_in(store, "bek", WRONG, "10.0.0.9")
    with pytest.raises(RateLimitedError):
        sign_in(store, "bek", PASSWORD, "10.0.0.9")
    reasons = [reason for _user, _subject, reason in _failures(store)]
    assert reasons == ["wrong-password"] * MAX_FAILURES + ["rate-limited"]


def test_actions_before_any_election_wait_and_are_appended_when_the_ledger_starts() -> None:
    with temporary_store() as store:
        create_user(store, "root", "Root", PASSWORD)
        sign_in(store, "root", PASSWORD, "127.0.0.1", kind="token")
        with pytest.raises(AuthenticationError):
            sign_in(store, "root", WRONG, "127.0.0.1")
        assert _lines(store) == []  # no election: nothing can be signed yet

        with store.session() as session:
            save_election(session, parse_election(DEFINITION, "test"), json.dumps(DEFINITION))
        change_role(store, Assignment("root", ELECTION_ID, "cec", Role.ADMIN), grant=True)

        events = [decode_line(line, checked=False) for line in _lines(store)]
        assert [str(e.kind) for e in events[:2]] == [
            Kind.KEY_REGISTERED.value,
            Kind.ELECTION_DEFINED.value,
        ]
        actions = [(a["user"], a["action"], a["details"].get("reason")) for a in _actions(store)]
        assert actions == [
            ("(command line)", "user-created", None),
            ("root", "signed-in", None),
            ("root", "sign-in-failed", "wrong-password"),
            ("(command line)", "role-granted", None),
        ]
        waited = _actions(store)[:3]
        assert all("recorded_at" in a["details"] for a in waited)
        assert "recorded_at" not in _actions(store)[3]["details"]
        assert ledger_findings(store) == []

        # Appended once: the next event does not bring them again.
        sign_in(store, "root", PASSWORD, "127.0.0.1", kind="token")
        assert [a["action"] for a in _actions(store)][4:] == ["signed-in"]
