"""Importing a wide CSV file (one row per polling station) through a column mapping.

:func:`import_file` reads the mapping and the file (a zip holding one CSV is read in place),
makes or finds the election definition, runs the protocol controls of the core on every row
and stores the protocols in one transaction:

- by default a file with any bad row (an unreadable cell, a station that is unknown or
  appears twice, a control error) stores nothing, and the report lists every bad row: file,
  row, column or finding code, and what was expected;
- with ``partial=True`` the good rows are stored and the bad ones reported;
- importing the same file with the same mapping again changes nothing: identical protocols
  are left alone by the upsert and the import is recorded once (the report names the first).

Control errors that the mapping accepts (``[controls.accept]``, for a relation that the
source's law does not make an error) are stored as warnings with the mapping's reason;
warnings are kept on the stored protocols.

A large file has its controls run on two processes (:mod:`saylau.services.import_controls`)
and its ledger events built in bulk, signed on the other cores and written as they are signed
(:mod:`saylau.services.ledger_bulk`); on SQLite the transaction gets a larger page cache.
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from saylau.core.controls import Finding
from saylau.core.election import ContestDef, Election, parse_election
from saylau.core.rules import DistrictRule
from saylau.i18n.findings import describe_finding
from saylau.ingest.definition import election_document
from saylau.ingest.errors import IngestError
from saylau.ingest.mapping import ImportMapping, load_mapping
from saylau.ingest.wide_csv import WideTable, read_wide
from saylau.rulesets import load_ruleset
from saylau.services import ledger_bulk
from saylau.services.import_controls import Controls, findings_of_all
from saylau.services.ledger import LedgerAppender
from saylau.services.night import ACCEPTED
from saylau.store.db import Store
from saylau.store.protocols import ProtocolRow, UpsertCounts, finding_data, upsert_protocols
from saylau.store.repository import (
    StoredImport,
    find_import,
    load_election,
    record_import,
    save_election,
)

MAX_PROBLEMS = 1000
"""Bad rows reported in detail (in row order); all are counted."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row was not stored: a cell (``column``) or a control finding (``code``)."""

    file: str
    row: int | None
    column: str | None
    expected: str
    found: object = None
    code: str | None = None

    @classmethod
    def of(cls, error: IngestError) -> RowProblem:
        return cls(error.file, error.row, error.field, error.expected, error.found)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", field '{self.column}'"
        if self.code is not None:
            return f"{where}: {self.expected}"
        text = f"{where}: expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found!r}"
        return text


@dataclass(frozen=True)
class ImportReport:
    """What an import did. ``refused``: the file had bad rows and nothing was stored;
    ``earlier``: the same file with the same mapping was imported before."""

    file: str
    mapping: str
    election_id: str
    contest_id: str
    partial: bool
    refused: bool
    definition_created: bool
    rows_read: int
    rows_rejected: int
    stored: UpsertCounts
    problems: tuple[RowProblem, ...]
    problems_total: int
    findings: Mapping[str, int]
    accepted: Mapping[str, str]
    earlier: StoredImport | None
    recorded: StoredImport | None
    seconds: Mapping[str, float] = field(default_factory=dict)
    ledger_events: int = 0
    """Events appended to the ledger (protocols entered, corrected, accepted; keys)."""

    @property
    def rows_written(self) -> int:
        """Protocols inserted or updated (a new version)."""
        return self.stored.inserted + self.stored.changed

    @property
    def nothing_changed(self) -> bool:
        return not self.refused and self.rows_written == 0

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk import: the rows make millions of
    short-lived objects and no cycles, and each full collection would walk them all."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


SQLITE_CACHE_KIB = 262_144
"""SQLite's page cache during an import (256 MiB; its default of 2 MiB makes each insert
into the indexes of a large import read and write pages again)."""


@contextmanager
def _large_cache(session: Session) -> Iterator[None]:
    """On SQLite, :data:`SQLITE_CACHE_KIB` of page cache for the import's transaction; the
    connection's own size again at its end (before the commit)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


@contextmanager
def _ledger_scope(appender: LedgerAppender, rows: int) -> Iterator[ledger_bulk.Written]:
    """Many rows: their events built in bulk and written as they are signed
    (:func:`saylau.services.ledger_bulk.building`), while the next ones are built and
    signed; few: as the appender makes them."""
    if rows < ledger_bulk.BULK_ROWS:
        yield ledger_bulk.Written()
        return
    with ledger_bulk.building(appender, write=True) as written:
        yield written


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _seats(mapping: ImportMapping) -> int:
    """The contest's seats: the mapping's, else its ruleset contest's."""
    new = mapping.new_election
    assert new is not None
    assert mapping.contest.rule is not None
    rule = load_ruleset(new.ruleset).contest(mapping.contest.rule).rule
    if isinstance(rule, DistrictRule):
        return mapping.contest.seats or rule.seats
    seats = mapping.contest.seats or rule.seats
    if seats is None:
        raise IngestError(
            mapping.source, None, "contest.seats", "the number of seats (the ruleset has none)"
        )
    return seats


def _election(
    store: Store, mapping: ImportMapping, table: WideTable
) -> tuple[Election, str | None]:
    """The election: created from the file (with its definition document) or stored."""
    if mapping.new_election is None:
        with store.session() as session:
            return load_election(session, mapping.election_id), None
    document = election_document(table, mapping, _seats(mapping))
    election = parse_election(document, f"{mapping.source} (the election made from the file)")
    return election, json.dumps(document, ensure_ascii=False, sort_keys=True)


def _contest(mapping: ImportMapping, election: Election) -> tuple[ContestDef, list[int]]:
    """The contest and, for each of its choices in ballot order, the mapping's column."""
    contest = election.contests.get(mapping.contest.id)
    if contest is None:
        known = ", ".join(election.contests) or "none"
        raise IngestError(
            mapping.source,
            None,
            "contest.id",
            f"a contest of election {election.id!r} ({known})",
            mapping.contest.id,
        )
    mapped = {choice.id: index for index, choice in enumerate(mapping.choices)}
    ids = [choice.id for choice in contest.choices]
    for index, choice in enumerate(mapping.choices):
        if choice.id not in ids:
            raise IngestError(
                mapping.source,
                None,
                f"choices[{index}].id",
                f"a choice of contest {contest.id!r}: {', '.join(ids)}",
                choice.id,
            )
    missing = [cid for cid in ids if cid not in mapped]
    if missing:
        raise IngestError(
            mapping.source,
            None,
            "choices",
            f"a column for every choice of contest {contest.id!r}",
            f"none for {', '.join(missing)}",
        )
    return contest, [mapped[cid] for cid in ids]


def _stored_finding(finding: Finding, accept: Mapping[str, str]) -> dict[str, object]:
    data = finding_data(finding)
    reason = accept.get(finding.code)
    if finding.blocking and reason is not None:
        data["severity"] = "warning"
        data["accepted"] = f"import mapping: {reason}"
    return data


@dataclass
class _Checked:
    rows: list[ProtocolRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rejected: int = 0
    findings: Counter[str] = field(default_factory=Counter)


def _check(
    table: WideTable,
    mapping: ImportMapping,
    election: Election,
    contest: ContestDef,
    order: list[int],
) -> _Checked:
    """Control every readable row; the good ones become protocol rows."""
    checked = _Checked()
    accept = mapping.accept
    members = set(election.contest_stations(contest.id))
    line_keys = list(table.lines)
    line_rows: list[tuple[int, ...]] = [()] * len(table)
    if line_keys:
        line_rows = list(zip(*(table.lines[line].tolist() for line in line_keys), strict=True))
    votes = table.votes[:, order].tolist()
    choice_ids = [choice.id for choice in contest.choices]
    numbers = table.row_numbers.tolist()
    bad = table.bad.tolist()
    controls = Controls(
        table, mapping.controls, contest.id, choice_ids, line_keys, line_rows, votes, bad
    )
    all_findings = findings_of_all(controls)
    field_name = table.key_labels[-1]
    contest_id, rows, findings = contest.id, checked.rows, checked.findings
    for index, station in enumerate(table.station_ids):
        if bad[index]:
            continue
        row = numbers[index]
        if station not in members:
            expected = (
                f"a station of election {election.id!r}"
                if station not in election.stations
                else f"a station that votes in contest {contest.id!r}"
            )
            checked.problems.append(RowProblem(table.file, row, field_name, expected, station))
            checked.rejected += 1
            continue
        lines = dict(zip(line_keys, line_rows[index], strict=True))
        row_votes = votes[index]
        found = all_findings.get(index)
        stored: list[dict[str, object]] = []
        if found:
            findings.update([f.code for f in found])
            blocking = [f for f in found if f.blocking and f.code not in accept]
            if blocking:
                checked.rejected += 1
                for finding in blocking:
                    text = f"{describe_finding(finding)} [{finding.key}]"
                    checked.problems.append(
                        RowProblem(table.file, row, None, text, None, finding.code)
                    )
                continue
            stored = [_stored_finding(f, accept) for f in found]
        rows.append(
            ProtocolRow(
                station, contest_id, lines, row_votes, ACCEPTED, stored, f"{table.file} row {row}"
            )
        )
    return checked


def import_file(
    store: Store,
    path: Path,
    mapping_path: Path,
    *,
    partial: bool = False,
    ledger_time: str | None = None,
) -> ImportReport:
    """Import a wide file with a mapping (see the module documentation). The ledger's
    events are stamped ``ledger_time`` (``YYYY-MM-DDTHH:MM:SSZ``), now if not given."""
    with _collector_paused():
        return _import(store, path, mapping_path, partial=partial, ledger_time=ledger_time)


def _import(
    store: Store, path: Path, mapping_path: Path, *, partial: bool, ledger_time: str | None
) -> ImportReport:
    clock = _Clock()
    mapping = load_mapping(mapping_path)
    table = read_wide(path, mapping)
    clock.lap("parse")
    election, document = _election(store, mapping, table)
    contest, order = _contest(mapping, election)
    clock.lap("definition")
    checked = _check(table, mapping, election, contest, order)
    clock.lap("validate")
    problems = sorted(
        [*map(RowProblem.of, table.errors), *checked.problems],
        key=lambda p: (p.row or 0, p.code is not None),
    )[:MAX_PROBLEMS]
    rejected = int(table.bad.sum()) + checked.rejected
    refused = rejected > 0 and not partial
    created = False
    counts = UpsertCounts()
    earlier = recorded = None
    events = 0
    if not refused:
        file_hash = file_sha256(path)
        with store.session() as session, _large_cache(session):
            if document is not None:
                created = save_election(session, election, document)
            earlier = find_import(session, election.id, file_hash, mapping.sha256)
            counts = upsert_protocols(session, election.id, checked.rows)
            clock.lap("store")
            written = [r for r in checked.rows if (r.station, r.contest) in counts.written]
            appender = LedgerAppender.open(session, election, time=ledger_time)
            with _ledger_scope(appender, len(written)) as streamed:
                appender.protocols(
                    written,
                    reason=f"imported again from {table.file}",
                    decision=f"import of file {file_hash[:16]} with mapping {mapping.sha256[:16]}",
                )
            events = streamed.count + appender.flush()
            clock.lap("ledger")
            if earlier is None:
                recorded = record_import(
                    session,
                    election.id,
                    file_name=table.file,
                    file_sha256=file_hash,
                    mapping_sha256=mapping.sha256,
                    rows_total=len(table),
                    rows_stored=len(checked.rows),
                    rows_rejected=rejected,
                )
        clock.lap("commit")
    return ImportReport(
        file=table.file,
        mapping=mapping.source,
        election_id=election.id,
        contest_id=contest.id,
        partial=partial,
        refused=refused,
        definition_created=created,
        rows_read=len(table),
        rows_rejected=rejected,
        stored=counts,
        problems=tuple(problems),
        problems_total=table.error_count + len(checked.problems),
        findings=dict(sorted(checked.findings.items())),
        accepted=dict(mapping.accept),
        earlier=earlier,
        recorded=recorded,
        seconds=dict(clock.laps),
        ledger_events=events,
    )
