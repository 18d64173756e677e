"""``saylau user add`` and ``saylau user grant`` on a store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import DEFINITION, ELECTION_ID
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.core.election import parse_election
from saylau.store import open_store
from saylau.store.accounts import assignments_of, find_user
from saylau.store.repository import save_election


def test_user_add_and_grant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'saylau.db'}"
    with open_store(url) as store:
        store.migrate()
        with store.session() as session:
            save_election(session, parse_election(DEFINITION, "test"), json.dumps(DEFINITION))
    monkeypatch.setenv("SAYLAU_PASSWORD", "a long enough password")
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["user", "add", "root", "--name", "Root", "--election", ELECTION_ID,
         "--commission", "cec", "--role", "cec-admin", "--database", url],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "User root added as cec-admin in cec" in added.output
    granted = runner.invoke(
        app,
        ["user", "grant", "root", "--election", ELECTION_ID, "--commission", "north",
         "--role", "observer", "--database", url],
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output
    again = runner.invoke(app, ["user", "add", "root", "--name", "Root", "--database", url])
    assert again.exit_code == 3
    assert "exists already" in again.output
    monkeypatch.setenv("SAYLAU_PASSWORD", "short")
    short = runner.invoke(app, ["user", "add", "bek", "--name", "Bek", "--database", url])
    assert short.exit_code == 2
    assert "at least 12 characters" in short.output
    with open_store(url) as store, store.session() as session:
        user = find_user(session, "root")
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert [a.role for a in assignments_of(session, "root")] == ["cec-admin", "observer"]
        assert find_user(session, "bek") is None
