"""Fixtures of the service tests: a store holding a small election (SQLite, or PostgreSQL
when SAYLAU_TEST_DATABASE_URL is set), the app, and people with roles."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from api_helpers import DEFINITION, Person, person_maker
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from saylau.api.app import create_app
from saylau.core.election import parse_election
from saylau.services import accounts
from saylau.store import Store
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with small parameters: the same code, quicker tests."""
    monkeypatch.setattr(
        accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def store() -> Iterator[Store]:
    with temporary_store() as fresh:
        election = parse_election(DEFINITION, "test")
        with fresh.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        yield fresh


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store), base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def person(store: Store) -> Person:
    """``person(login, role, place)``: creates the user with that role and returns the
    headers of a bearer token."""
    return person_maker(store)
