"""``saylau certify`` with a tied district: the refusal names the contest, the tie and its
contenders and says how to resolve it; ``--lot CONTEST=SEED`` draws the lot and certifies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from saylau.cli.exit_codes import BAD_INPUT, USAGE
from saylau.cli.main import app
from saylau.core.election import parse_election
from saylau.core.ledger.events import Kind, decode_line
from saylau.core.protocol import Line
from saylau.services.ledger import record_protocols
from saylau.store import Store
from saylau.store.ledger_events import ledger_lines
from saylau.store.protocols import ProtocolRow, upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store

SEED = "CEC session 7, 18 March 2024"
CONTEXT = "cli-2024/d1: election"
DEFINITION: dict[str, object] = {
    "format": "saylau-election/1",
    "id": "cli-2024",
    "date": "2024-03-17",
    "title": "A tied district",
    "ruleset": "kz-2023",
    "commissions": [{"id": "cec", "level": "cec", "name": "CEC"}],
    "stations": [{"id": "001", "commission": "cec", "voters": 1000}],
    "parties": [{"id": "amanat", "name": "Amanat", "color": "#1f77b4"}],
    "contests": [
        {
            "id": "d1",
            "rule": "mazhilis-district",
            "title": "District 1",
            "commission": "cec",
            "seats": 1,
            "area": ["cec"],
            "choices": [
                {"id": "ayan", "name": "Ayan", "party": "amanat"},
                {"id": "bota", "name": "Bota"},
            ],
        }
    ],
}


@pytest.fixture
def database() -> Iterator[tuple[Store, str]]:
    election = parse_election(DEFINITION, "test")
    lines = {Line.VOTERS: 1000, Line.INVALID: 0, Line.AGAINST_ALL: 0, Line("ballots_valid"): 600}
    rows = [ProtocolRow("001", "d1", lines, [300, 300], "accepted")]
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
            upsert_protocols(session, election.id, rows)
            record_protocols(session, election, rows, time="2024-03-17T21:00:00Z")
        yield store, store.engine.url.render_as_string(hide_password=False)


def kinds(store: Store) -> list[str]:
    with store.session() as session:
        return [decode_line(line).kind for line in ledger_lines(session)]


def test_the_refusal_names_the_tie_and_how_to_resolve_it(database: tuple[Store, str]) -> None:
    store, url = database
    result = CliRunner().invoke(app, ["certify", "--database", url])
    assert result.exit_code == BAD_INPUT, result.output
    message = " ".join(result.stderr.split())
    assert message == (
        "error: cannot certify contests with an unresolved tie: d1: tie "
        f"'{CONTEXT}': ayan, bota tied at 300 for 1 place, policy none; to decide it by lot, "
        "certify with --lot CONTEST=SEED, SEED a text published before the draw (for example "
        "the date and number of the CEC's session): the lot is recorded in the ledger and "
        "anyone can replay it"
    )
    assert Kind.RESULTS_CERTIFIED not in kinds(store)


def test_the_lot_option(database: tuple[Store, str]) -> None:
    store, url = database
    runner = CliRunner()
    bad = runner.invoke(app, ["certify", "--database", url, "--lot", "d1"])
    assert bad.exit_code == USAGE
    assert "option --lot: expected CONTEST=SEED, found 'd1'" in bad.stderr
    twice = runner.invoke(app, ["certify", "--database", url, "--lot", "d1=a", "--lot", "d1=b"])
    assert twice.exit_code == USAGE
    assert "contest d1 is given twice" in twice.stderr
    unknown = runner.invoke(app, ["certify", "--database", url, "--lot", "d9=a"])
    assert unknown.exit_code == BAD_INPUT
    assert "no contest 'd9' in election 'cli-2024'" in unknown.stderr

    tickets = {
        name: hashlib.sha256(f"saylau-lot-v1\n{SEED}\n{CONTEXT}\n{name}".encode()).hexdigest()
        for name in ("ayan", "bota")
    }
    won = min(tickets, key=tickets.__getitem__)
    done = runner.invoke(app, ["certify", "--database", url, "--lot", f"d1={SEED}"])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0] == (
        f"d1: tie '{CONTEXT}': ayan, bota tied at 300 for 1 place decided by lot "
        f"(seed '{SEED}'): {won}"
    )
    assert "1 contests certified" in done.stdout
    assert kinds(store)[-2:] == ["lot-drawn", "results-certified"]
    again = runner.invoke(app, ["certify", "--database", url])
    assert again.exit_code == 0, again.output
    assert "0 contests certified, 1 were certified with the same result already" in again.stdout
