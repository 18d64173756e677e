"""``saylau keys``: generate, rotate and list a key directory's keys, then publish and
verify a ledger signed with them; the refusals with their exact messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.core.election import Election, parse_election
from saylau.core.ledger.events import Event, decode_line
from saylau.core.protocol import Line
from saylau.ledger.keyring import PASSPHRASE_VARIABLE
from saylau.services.ledger import record_protocols
from saylau.store import Store
from saylau.store.db import KEYS_VARIABLE, open_store
from saylau.store.ledger_events import ledger_lines
from saylau.store.protocols import ProtocolRow, upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import cec, definition, polling_station, region

DEFINITION: dict[str, object] = definition(
    "small-2024",
    title="Small election",
    commissions=[cec(), region("north", "North")],
    stations=[polling_station("001", "north"), polling_station("002", "north", 800)],
)
ELECTION = parse_election(DEFINITION, "test")


@dataclass
class Place:
    url: str
    keys: Path

    def run(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, list(args), env=env)
        assert "Traceback" not in result.output
        return result.exit_code, result.stdout, result.stderr

    def store_protocols(self, election: Election, rows: list[ProtocolRow]) -> None:
        """What any writer does (here the generator's way): upsert, then the ledger."""
        with open_store(self.url, self.keys) as store, store.session() as session:
            upsert_protocols(session, election.id, rows)
            record_protocols(session, election, rows)

    def events(self) -> list[Event]:
        with open_store(self.url) as store, store.session() as session:
            return [decode_line(line) for line in ledger_lines(session)]


def row(station: str, amanat: int, aq_jol: int) -> ProtocolRow:
    lines = {Line.VOTERS: 1000, Line.INVALID: 0, Line.AGAINST_ALL: 0}
    lines[Line("ballots_valid")] = amanat + aq_jol
    return ProtocolRow(station, "list", lines, [amanat, aq_jol], "accepted")


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Place]:
    monkeypatch.delenv(KEYS_VARIABLE, raising=False)
    monkeypatch.delenv(PASSPHRASE_VARIABLE, raising=False)
    monkeypatch.setattr("saylau.ledger.keyring._KEYRINGS", {})
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, ELECTION, json.dumps(DEFINITION))
        yield Place(url(store), tmp_path / "keys")


def url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def signer(event: Event) -> str:
    (signature,) = event.signatures or ()
    return signature.key_id


def rotated_ledger(place: Place) -> tuple[dict[str, str], str, str]:
    """Keys generated, a protocol, north's and the CEC's keys rotated, another protocol;
    returns the first keys' ids and the new ones of north and the CEC."""
    keys, db = str(place.keys), ["--database", place.url]
    code, out, err = place.run("keys", "generate", "--all", "--keys", keys, *db)
    assert (code, err) == (0, "")
    assert "4 keys written" in out
    first = {p.parent.name: p.stem for p in place.keys.glob("*/*.pem")}
    assert sorted(first) == ["001", "002", "cec", "north"]
    assert (place.keys.stat().st_mode & 0o777) == 0o700

    place.store_protocols(ELECTION, [row("001", 600, 300)])
    code, out, err = place.run(
        "keys", "rotate", "--commission", "north", "--reason", "officer left", "--keys", keys, *db
    )
    assert (code, err) == (0, ""), err
    assert f"key of north rotated: {first['north']} -> " in out
    # the key directory given before the command works for every command
    code, out, err = place.run(
        "--keys", keys, "keys", "rotate", "--commission", "cec", "--reason", "yearly", *db
    )
    assert (code, err) == (0, ""), err
    place.store_protocols(ELECTION, [row("002", 500, 250)])

    code, out, err = place.run("keys", "list", "--json", "--keys", keys, *db)
    assert code == 0, err
    listed = json.loads(out)
    by_id = {k["key_id"]: k for k in listed["keys"]}
    new_north = by_id[first["north"]]["replaced_by"]
    new_cec = by_id[first["cec"]]["replaced_by"]
    assert new_north is not None
    assert new_cec is not None
    assert {k["commission"]: k["key_id"] for k in listed["keys"] if k["retired"] is None} == {
        "cec": new_cec,
        "001": first["001"],
        "north": new_north,
        "002": first["002"],
    }
    assert all(k["file"] is True for k in listed["keys"])
    assert listed["not_in_ledger"] == []
    return first, new_north, new_cec


def test_generate_rotate_and_list(place: Place) -> None:
    first, new_north, new_cec = rotated_ledger(place)
    events = place.events()
    rotations = [e for e in events if e.kind == "key-rotated"]
    assert [(e.payload["commission"], signer(e)) for e in rotations] == [
        ("north", first["cec"]),
        ("cec", first["cec"]),
    ]
    after = events[rotations[-1].sequence + 1 :]
    assert {(e.actor, signer(e)) for e in after} == {
        ("cec", new_cec),  # registering 002's key
        ("002", first["002"]),
        ("north", new_north),
    }


def test_publish_and_verify_a_ledger_with_rotated_keys(place: Place, tmp_path: Path) -> None:
    _first, _new_north, new_cec = rotated_ledger(place)
    keys, db = str(place.keys), ["--database", place.url]
    bundle = tmp_path / "bundle"
    code, out, err = place.run("--keys", keys, "publish", "--out", str(bundle), *db)
    assert (code, err) == (0, ""), err
    assert "Signed with the CEC's current key." in out
    code, out, err = place.run("verify", str(bundle))
    assert code == 0, out
    (head,) = bundle.glob("tree-head-*.json")
    assert json.loads(head.read_bytes())["key_id"] == new_cec  # by the CEC's new key


def test_missing_key_file_is_refused_by_a_writer(
    place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys, db = str(place.keys), ["--database", place.url]
    assert place.run("keys", "generate", "--all", "--keys", keys, *db)[0] == 0
    place.store_protocols(ELECTION, [row("001", 600, 300), row("002", 500, 250)])
    (cec,) = (place.keys / "cec").glob("*.pem")
    cec.unlink()
    monkeypatch.setattr("saylau.ledger.keyring._KEYRINGS", {})  # as a new process would
    code, _out, err = place.run("--keys", keys, "certify", *db)
    assert code == 3
    assert err.strip() == (
        f"error: the key directory {keys} lacks key {cec.stem} of commission cec "
        f"(expected the file {cec})"
    )
    code, out, _err = place.run("keys", "list", "--keys", keys, *db)
    assert code == 0
    assert "MISSING" in out


def test_refusals(place: Place) -> None:
    keys, db = str(place.keys), ["--database", place.url]
    code, _out, err = place.run("keys", "rotate", "--commission", "001", "--reason", "x", *db)
    assert (code, err.strip()) == (
        2,
        "error: no key directory: give --keys DIR or set SAYLAU_KEYS (without one, the "
        "ledger is signed with demo keys)",
    )
    code, _out, err = place.run("keys", "generate", "--commission", "nowhere", "--keys", keys, *db)
    assert (code, err.strip()) == (3, "error: election small-2024 has no commission 'nowhere'")
    assert list(place.keys.iterdir()) == []
    assert place.run("keys", "generate", "--commission", "cec", "--keys", keys, *db)[0] == 0
    code, _out, err = place.run(
        "keys", "rotate", "--commission", "cec", "--reason", "x", "--keys", keys, *db
    )
    assert code == 3
    assert err.strip() == (
        "error: commission cec has no current key in the ledger, so none to rotate (its key "
        "is registered before its first event)"
    )
    assert place.events() == []  # the refused rotation wrote nothing, not even the genesis
    code, _out, err = place.run("keys", "generate", "--commission", "cec", "--keys", keys, *db)
    assert code == 3
    assert err.strip().startswith(
        "error: commission cec has a key waiting to be registered already: "
    )
    code, _out, err = place.run("keys", "generate", "--commission", "north", *db)
    assert code == 2
    code, _out, err = place.run("keys", "generate", "--keys", keys, *db)
    assert (code, err.strip()) == (
        2,
        "error: name the commissions with --commission, or give --all",
    )


def test_passphrase_protected_keys(place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    keys, db = str(place.keys), ["--database", place.url]
    secret = {PASSPHRASE_VARIABLE: "correct horse battery staple"}
    assert place.run("keys", "generate", "--all", "--keys", keys, *db, env=secret)[0] == 0
    for path in place.keys.glob("*/*.pem"):
        assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with monkeypatch.context() as patch:
        patch.setenv(PASSPHRASE_VARIABLE, secret[PASSPHRASE_VARIABLE])
        place.store_protocols(ELECTION, [row("001", 600, 300)])
    rotate = ["keys", "rotate", "--commission", "cec", "--reason", "yearly", "--keys", keys, *db]
    code, _out, err = place.run(*rotate)
    (cec,) = (place.keys / "cec").glob("*.pem")
    assert code == 3
    assert err.startswith(f"error: {cec}: key {cec.stem} of commission cec: not a readable ")
    assert err.strip().endswith(f"; its passphrase is read from ${PASSPHRASE_VARIABLE}")
    code, _out, err = place.run(*rotate, env=secret)
    assert (code, err) == (0, "")
    new = [p for p in (place.keys / "cec").glob("*.pem") if p != cec]
    assert len(new) == 1
    assert new[0].read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
