"""The portal built from a published bundle: the same data as from the store it was
published from, refused when the bundle does not verify, and written by ``saylau site
--bundle`` and ``saylau publish --site``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saylau.cli.exit_codes import VERIFICATION_FAILED
from saylau.cli.main import app as cli
from saylau.core.controls import ControlSettings
from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line, Protocol
from saylau.ledger.bundle import MANIFEST, file_of, load_document
from saylau.services.bundle_portal import UnverifiedBundleError, bundle_portal_data
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.services.portal import PortalData, portal_data
from saylau.services.publishing import publish_ledger
from saylau.store import Store
from saylau.store.protocols import ProtocolRow, upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import cec, definition, party_list, polling_station, region

runner = CliRunner()

DEFINITION: dict[str, object] = definition(
    "bundle-2024",
    title="Bundle election",
    commissions=[cec(), region("north", "North"), region("south", "South")],
    stations=[
        polling_station("001", "north"),
        polling_station("002", "north", 800),
        polling_station("003", "south", 900),
    ],
    contests=[party_list("mazhilis-list")],
)
TIMES = ("2024-03-17T21:00:00Z", "2024-03-17T23:30:00Z")


ELECTION = parse_election(DEFINITION, "bundle definition")


def row(station: str, amanat: int, aq_jol: int, found: int | None = None) -> ProtocolRow:
    """A protocol checked by the controls as the night's are (a broken relation when
    ``found`` is not the valid ballots)."""
    valid = amanat + aq_jol
    lines = {
        Line.VOTERS: 1000,
        Line.FOUND: valid if found is None else found,
        Line.INVALID: 0,
        Line.VALID: valid,
        Line.AGAINST_ALL: 0,
    }
    votes = {"amanat": amanat, "aq-jol": aq_jol}
    protocol = Protocol(station, "mazhilis-list", lines, votes)
    return protocol_row(protocol, ELECTION, ControlSettings(), "test")


def store_rows(store: Store, election: Election, rows: list[ProtocolRow], time: str) -> None:
    with store.session() as session:
        upsert_protocols(session, election.id, rows)
        record_protocols(session, election, rows, time=time)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PortalData, Path]]:
    folder = tmp_path_factory.mktemp("bundle")
    election = ELECTION
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        store_rows(store, election, [row("001", 600, 300), row("002", 500, 200)], TIMES[0])
        # 003 arrives with a broken control relation (valid + invalid != found), 002 is
        # corrected: one rejected protocol, one with a correction history.
        store_rows(store, election, [row("002", 499, 201), row("003", 400, 100, 999)], TIMES[1])
        publish_ledger(store, folder / "v1", time="2024-03-18T06:00:00Z")
        database = store.engine.url.render_as_string(hide_password=False)
        yield database, portal_data(store), folder / "v1"


def test_bundle_gives_the_stored_portal_data(
    published: tuple[str, PortalData, Path],
) -> None:
    _, stored, bundle = published
    built, source = bundle_portal_data(bundle)
    assert source.version == 1
    assert built.election == stored.election
    assert built.status == stored.status == "unofficial partial"
    national, expected = built.national, stored.national
    assert national.tally.votes.tolist() == expected.tally.votes.tolist()
    assert national.tally.stations_counted.tolist() == expected.tally.stations_counted.tolist()
    assert national.allocation is not None
    assert expected.allocation is not None
    assert national.allocation.seats == expected.allocation.seats
    assert national.tally.votes_at("cec") == {"amanat": 1099, "aq-jol": 501}
    assert built.protocols.keys() == stored.protocols.keys() == {"001", "002", "003"}
    for station, protocols in stored.protocols.items():
        for mine, theirs in zip(built.protocols[station], protocols, strict=True):
            assert (mine.contest, mine.status, mine.version) == (
                theirs.contest,
                theirs.status,
                theirs.version,
            )
            assert dict(mine.lines) == dict(theirs.lines)
            assert dict(mine.votes) == dict(theirs.votes)
            assert mine.findings == theirs.findings
    assert built.protocols["003"][0].status == "rejected"
    assert [p.version for p in built.protocols["002"]] == [2]
    assert built.corrections == stored.corrections
    assert built.arrivals == stored.arrivals
    assert built.arrivals["003"].isoformat() == "2024-03-17T23:30:00+00:00"
    assert built.arrivals["002"].isoformat() == "2024-03-17T21:00:00+00:00"
    (correction,) = built.corrections["002", "mazhilis-list"]
    assert "votes.amanat: 500 -> 499" in correction.summary
    assert built.updated is not None
    assert built.updated.isoformat() == "2024-03-17T23:30:00+00:00"


def test_a_changed_number_is_refused(
    published: tuple[str, PortalData, Path], tmp_path: Path
) -> None:
    _, _, bundle = published
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in bundle.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    entry = file_of(load_document(copy / MANIFEST), "votes-csv")
    assert entry is not None
    votes = copy / str(entry["name"])
    votes.write_bytes(votes.read_bytes().replace(b",amanat,600", b",amanat,700"))
    with pytest.raises(UnverifiedBundleError, match=r"does not verify .* file-hash"):
        bundle_portal_data(copy)
    out = tmp_path / "site"
    result = runner.invoke(cli, ["site", "--bundle", str(copy), "--out", str(out)])
    assert result.exit_code == VERIFICATION_FAILED, result.output
    assert "the bundle does not verify" in result.output
    assert not out.exists()


def test_site_command_builds_from_the_bundle(
    published: tuple[str, PortalData, Path], tmp_path: Path
) -> None:
    _, _, bundle = published
    out = tmp_path / "site"
    result = runner.invoke(
        cli, ["site", "--bundle", str(bundle), "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Built from bundle version 1 (" in result.output
    assert "which verifies" in result.output
    page = (out / "en" / "station" / "003" / "index.html").read_text(encoding="utf-8")
    assert "rejected" in page
    nist = json.loads((out / "data" / "results.nist.json").read_text(encoding="utf-8"))
    assert {1099, 501} <= _numbers(nist)


def _numbers(document: object) -> set[int]:
    if isinstance(document, dict):
        return {n for value in document.values() for n in _numbers(value)}
    if isinstance(document, list):
        return {n for value in document for n in _numbers(value)}
    return {document} if isinstance(document, int) else set()


def test_publish_with_site_writes_both(
    published: tuple[str, PortalData, Path], tmp_path: Path
) -> None:
    database, _, _ = published
    bundle, out = tmp_path / "v2", tmp_path / "site"
    result = runner.invoke(
        cli,
        ["publish", "--out", str(bundle), "--site", str(out), "--database", database],
    )
    assert result.exit_code == 0, result.output
    assert (bundle / MANIFEST).is_file()
    assert "Built from bundle version 1" in result.output
    assert (out / "SHA256SUMS").is_file()
    assert (out / "en" / "index.html").is_file()
