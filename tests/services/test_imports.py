"""``import_file`` and ``saylau import``: a wide file through a mapping into the store.

Runs on SQLite, and on PostgreSQL with SAYLAU_TEST_DATABASE_URL. The fixtures are in
tests/ingest: a small file in the style of the Russian precinct files (2 regions, 3
territorial commissions, 6 precincts), its mappings, and bad files next to the exact messages
they must produce."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from saylau.cli.imports import import_command
from saylau.core.ledger.events import decode_line
from saylau.core.ledger.replay import Replay, replay
from saylau.core.protocol import Line
from saylau.ingest.errors import IngestError
from saylau.ledger import verify_event_signature
from saylau.services.imports import import_file
from saylau.services.results import contest_results
from saylau.store import ConflictError, Store
from saylau.store.ledger_events import ledger_lines
from saylau.store.models import (
    ElectionRecord,
    ImportRecord,
    ProtocolRecord,
    StationRecord,
)
from saylau.store.repository import load_election
from saylau.store.testing import temporary_store

INGEST = Path(__file__).parents[1] / "ingest"
DATA = INGEST / "data"
BAD = INGEST / "bad_input"
SMALL, CREATE, EXISTING = DATA / "small.csv", DATA / "small.toml", DATA / "existing.toml"
PARTIES = ['1. Партия "Альфа"', "2. Партия Бета", "3. Партия Гамма"]


@pytest.fixture
def store() -> Iterator[Store]:
    with temporary_store() as fresh:
        yield fresh


def snapshot(store: Store) -> list[tuple[object, ...]]:
    """Everything an import may write."""
    with store.session() as session:
        rows: list[tuple[object, ...]] = [
            (r.id, r.definition_sha256) for r in session.scalars(select(ElectionRecord))
        ]
        rows += [(s.id, s.voters) for s in session.scalars(select(StationRecord))]
        rows += [(i.id, i.file_sha256) for i in session.scalars(select(ImportRecord))]
        rows += [
            (p.station_id, p.version, p.content_sha256, p.updated_at)
            for p in session.scalars(select(ProtocolRecord).order_by(ProtocolRecord.station_id))
        ]
    return rows


def zipped(tmp_path: Path) -> Path:
    path = tmp_path / "small.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(SMALL, "small.csv")
    return path


@pytest.mark.parametrize("packed", [False, True], ids=["csv", "zip"])
def test_import_creates_the_definition_and_stores_every_row(
    store: Store, tmp_path: Path, packed: bool
) -> None:
    path = zipped(tmp_path) if packed else SMALL
    report = import_file(store, path, CREATE)
    assert report.file == ("small.zip:small.csv" if packed else "small.csv")
    assert not report.refused
    assert report.definition_created
    assert (report.rows_read, report.rows_rejected, report.stored.inserted) == (6, 0, 6)
    assert report.findings == {"W03": 1}
    assert report.recorded is not None
    assert report.earlier is None
    assert set(report.seconds) == {"parse", "definition", "validate", "store", "ledger", "commit"}
    # genesis and definition; per station its key, protocol-entered and protocol-accepted
    # (by the territorial commission, whose 3 keys are registered before their first event)
    assert report.ledger_events == 2 + 6 * 3 + 3
    replayed = replay_store(store)
    assert replayed.ok, replayed.findings
    assert len(replayed.state.protocols) == 6
    assert {p.status for p in replayed.state.protocols.values()} == {"accepted"}
    with store.session() as session:
        election = load_election(session, "test-ru")
    levels = [c.level.value for c in election.commissions.values()]
    assert levels.count("region") == 2
    assert levels.count("territory") == 3
    assert len(election.stations) == 6
    station = election.stations["Область Северная/2 Озёрная/1"]
    assert (station.commission, station.number, station.voters) == (
        "Область Северная/2 Озёрная",
        "1",
        500,
    )
    assert election.parties["alfa"].color == "#aa0000"
    contest = election.contests["duma-list"]
    assert (contest.seats, contest.against_all) == (10, False)
    with store.session() as session:
        record = session.scalars(
            select(ProtocolRecord).where(ProtocolRecord.station_id == station.id)
        ).one()
    assert record.findings[0]["code"] == "W03"
    assert record.status == "accepted"
    assert record.source == f"{report.file} row 4"


def replay_store(store: Store) -> Replay:
    with store.session() as session:
        events = [decode_line(line) for line in ledger_lines(session)]
    return replay(events, verifier=verify_event_signature)


def test_a_changed_file_is_a_correction_in_the_ledger(store: Store, tmp_path: Path) -> None:
    import_file(store, SMALL, CREATE)
    with SMALL.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    # one vote of party 1 at the first station found invalid on a recount
    first = rows[0]
    first[PARTIES[0]] = str(int(first[PARTIES[0]]) - 1)
    first["Действительных"] = str(int(first["Действительных"]) - 1)
    first["Недействительных"] = str(int(first["Недействительных"]) + 1)
    changed = tmp_path / "small.csv"
    with changed.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(first))
        writer.writeheader()
        writer.writerows(rows)
    report = import_file(store, changed, CREATE)
    assert report.stored.changed == 1
    assert report.ledger_events == 2  # protocol-corrected and protocol-accepted
    replayed = replay_store(store)
    assert replayed.ok, replayed.findings
    [corrected] = [p for p in replayed.state.protocols.values() if p.version == 2]
    [correction] = corrected.corrections
    assert "imported again from small.csv" in correction.reason


def test_the_tally_equals_the_column_sums_of_the_file(store: Store) -> None:
    import_file(store, SMALL, CREATE)
    with SMALL.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    with store.session() as session:
        election = load_election(session, "test-ru")
    [result] = contest_results(store, election, ["duma-list"])
    totals = result.tally.votes_at("cec")
    assert totals == {
        choice: sum(int(row[column]) for row in rows)
        for choice, column in zip(["alfa", "beta", "gamma"], PARTIES, strict=True)
    }
    found = sum(int(r["В переносных ящиках"]) + int(r["В стационарных ящиках"]) for r in rows)
    assert result.tally.line_at("cec", Line.FOUND) == found
    assert result.tally.line_at("Край Южный", Line.VALID) == 930 + 396 + 260
    assert result.status == "unofficial complete"
    assert result.allocation is not None


def test_importing_the_same_file_again_changes_nothing(store: Store, tmp_path: Path) -> None:
    first = import_file(store, SMALL, CREATE)
    before = snapshot(store)
    again = import_file(store, SMALL, CREATE)
    assert snapshot(store) == before
    assert (again.stored.inserted, again.stored.changed, again.stored.unchanged) == (0, 0, 6)
    assert again.ledger_events == 0
    assert not again.definition_created
    assert again.nothing_changed
    assert again.recorded is None
    assert again.earlier is not None
    assert first.recorded is not None
    assert again.earlier.id == first.recorded.id
    # The same rows from another file (the zip) or mapping change no protocol either.
    for path, mapping in ((zipped(tmp_path), CREATE), (SMALL, EXISTING)):
        report = import_file(store, path, mapping)
        assert report.stored.unchanged == 6
        assert report.nothing_changed


def fixture_cases() -> list[str]:
    return sorted(path.stem for path in BAD.glob("*.csv"))


def mapping_for(case: str) -> Path:
    return EXISTING if case == "unknown-station" else CREATE


HEADER_ERRORS = {"missing-column", "unmapped-column"}
"""Cases that stop the whole file; the others are refused with every bad row listed."""


@pytest.mark.parametrize("case", fixture_cases())
def test_a_bad_file_stores_nothing_and_says_why(store: Store, case: str) -> None:
    import_file(store, SMALL, CREATE)
    before = snapshot(store)
    expected = (BAD / f"{case}.expected").read_text(encoding="utf-8").rstrip("\n")
    if case in HEADER_ERRORS:
        with pytest.raises(IngestError) as caught:
            import_file(store, BAD / f"{case}.csv", mapping_for(case))
        assert str(caught.value) == expected
    else:
        report = import_file(store, BAD / f"{case}.csv", mapping_for(case))
        assert report.refused
        assert "\n".join(map(str, report.problems)) == expected
        assert report.problems_total == len(expected.splitlines())
        assert report.stored.total == 0
    assert snapshot(store) == before


def test_a_bad_file_creates_no_definition(store: Store) -> None:
    report = import_file(store, BAD / "non-integer.csv", CREATE)
    assert report.refused
    assert report.rows_rejected == 2
    assert snapshot(store) == []


def test_partial_stores_the_good_rows_and_reports_the_rest(store: Store) -> None:
    report = import_file(store, BAD / "non-integer.csv", CREATE, partial=True)
    assert not report.refused
    assert (report.rows_read, report.rows_rejected, report.stored.inserted) == (6, 2, 4)
    assert [p.row for p in report.problems] == [3, 5]
    assert report.recorded is not None
    assert report.recorded.rows_rejected == 2
    with store.session() as session:
        election = load_election(session, "test-ru")
    # The bad rows' stations are in the definition (their ids and voters were readable).
    assert len(election.stations) == 6
    fixed = import_file(store, SMALL, CREATE)
    assert (fixed.stored.inserted, fixed.stored.unchanged, fixed.rows_rejected) == (2, 4, 0)


def test_partial_rejects_rows_with_a_control_error(store: Store) -> None:
    report = import_file(store, BAD / "control-error.csv", CREATE, partial=True)
    assert report.stored.inserted == 5
    assert [p.code for p in report.problems] == ["E03"]
    assert report.findings == {"E03": 1, "W03": 1}


def test_an_accepted_control_error_is_stored_as_a_warning(store: Store, tmp_path: Path) -> None:
    mapping = tmp_path / "accept.toml"
    lines = CREATE.read_text(encoding="utf-8").split("\n[election]", 1)
    mapping.write_text(
        lines[0]
        + '\n[controls.accept]\nE03 = "counted by the commission"\n\n[election]'
        + lines[1],
        encoding="utf-8",
    )
    report = import_file(store, BAD / "control-error.csv", mapping)
    assert (report.refused, report.stored.inserted) == (False, 6)
    with store.session() as session:
        record = session.scalars(
            select(ProtocolRecord).where(ProtocolRecord.station_id.endswith("Северная/1"))
        ).one()
    assert record.status == "accepted"
    assert record.findings[0]["code"] == "E03"
    assert record.findings[0]["severity"] == "warning"
    assert record.findings[0]["accepted"] == "import mapping: counted by the commission"


def test_a_different_definition_under_the_same_id_is_refused(store: Store, tmp_path: Path) -> None:
    import_file(store, SMALL, CREATE)
    other = tmp_path / "other.toml"
    other.write_text(
        CREATE.read_text(encoding="utf-8").replace("seats = 10", "seats = 12"), encoding="utf-8"
    )
    with pytest.raises(ConflictError, match="election 'test-ru' is already stored"):
        import_file(store, SMALL, other)


def test_an_existing_election_must_have_the_contest_and_its_choices(
    store: Store, tmp_path: Path
) -> None:
    import_file(store, SMALL, CREATE)
    text = EXISTING.read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(text.replace('id = "duma-list"', 'id = "senate"'), encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        import_file(store, SMALL, wrong)
    assert str(caught.value) == (
        "wrong.toml, field 'contest.id': expected a contest of election 'test-ru' "
        "(duma-list), found 'senate'"
    )
    wrong.write_text(text.replace('id = "beta"', 'id = "delta"'), encoding="utf-8")
    with pytest.raises(IngestError, match=r"'choices\[2\].id': expected a choice of contest"):
        import_file(store, SMALL, wrong)


# The command in process: a small Typer app with the command registered as the lead does.
cli = typer.Typer()
cli.command("import")(import_command)
cli.command("noop")(lambda: None)
runner = CliRunner()


def url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_the_command_imports_and_reimports(store: Store) -> None:
    args = ["import", str(SMALL), "--mapping", str(CREATE), "--database", url(store)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "stored new" in result.stdout
    assert "Election definition test-ru created from the file." in result.stdout
    again = runner.invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "Already imported on " in again.stdout
    assert "nothing changed." in again.stdout


def test_the_command_lists_the_first_20_bad_rows_and_counts_all(
    store: Store, tmp_path: Path
) -> None:
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    bad = [lines[0]] + [
        f"Край Южный,2 Новая,{n},100,100,0,50,0,50,0,50,0,50,0,0,x,20,10,u" for n in range(25)
    ]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    args = ["import", str(path), "-m", str(CREATE), "--database", url(store)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 3
    assert "error: many.csv: 25 bad rows (25 problems); nothing was stored." in result.stderr
    shown = [line for line in result.stderr.splitlines() if line.startswith("  many.csv, row")]
    assert len(shown) == 20
    assert shown[0] == (
        "  many.csv, row 2, field '1. Партия \"Альфа\"': expected a whole number of 0 or more, "
        "found 'x'"
    )
    assert "  ... and 5 more" in result.stderr
    assert snapshot(store) == []
    partial = runner.invoke(cli, [*args, "--partial"])
    assert partial.exit_code == 0
    assert "25 rows were not stored (25 problems):" in partial.stderr


def test_the_command_reports_a_bad_mapping(store: Store, tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = runner.invoke(
        cli, ["import", str(SMALL), "-m", str(missing), "--database", url(store)]
    )
    assert result.exit_code == 3
    assert "error: nope.toml: expected a readable mapping file" in result.stderr
