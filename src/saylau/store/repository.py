"""Repository functions: what the services read and write, each taking a Session.

The caller owns the transaction (:meth:`saylau.store.db.Store.session`); nothing here commits.
Elections are stored whole (the definition document) and unpacked into commissions, stations
and contests; :func:`load_election` rebuilds the core :class:`Election` from the document
with :func:`saylau.core.election.parse_election`, so the core stays the only parser.
Protocols live in :mod:`saylau.store.protocols` (writing) and :mod:`saylau.store.arrays`
(reading); their functions are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from saylau.core.election import Election, parse_election
from saylau.core.names import Names
from saylau.store.arrays import MISSING, ContestArrays, load_contest_arrays
from saylau.store.copying import copies, copy_rows
from saylau.store.errors import ConflictError, NotFound, StoreError
from saylau.store.models import (
    CommissionRecord,
    ContestRecord,
    ElectionRecord,
    ImportRecord,
    StationRecord,
    table,
)
from saylau.store.protocols import (
    ProtocolRow,
    UpsertCounts,
    content_sha256,
    contest_choices,
    finding_data,
    require_election,
    upsert_protocols,
)

__all__ = [
    "MISSING",
    "ContestArrays",
    "ProtocolRow",
    "StoredImport",
    "UpsertCounts",
    "content_sha256",
    "contest_choices",
    "definition_sha256",
    "election_ids",
    "find_import",
    "finding_data",
    "load_contest_arrays",
    "load_election",
    "record_import",
    "save_election",
    "upsert_protocols",
]


def _document(definition_json: str) -> dict[str, object]:
    try:
        data = json.loads(definition_json)
    except ValueError as error:
        raise StoreError(f"the election definition is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise StoreError("the election definition is not a JSON object")
    return data


def _sha256(data: object) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def definition_sha256(definition_json: str) -> str:
    """The hash of a definition document's content: key order and spacing do not count."""
    return _sha256(_document(definition_json))


_COMMISSIONS = table(CommissionRecord)
_COMMISSION_COLUMNS = ("election_id", "id", "level", "parent_id", "name_kk", "name_ru", "name_en")
_COMMISSION_TYPES = ("text",) * 7
_STATIONS = table(StationRecord)
_STATION_COLUMNS = ("election_id", "id", "commission_id", "number", "voters", "abroad")
_STATION_TYPES = ("text", "text", "text", "text", "int4", "bool")


def _names(prefix: str, names: Names) -> dict[str, str]:
    return {f"{prefix}_kk": names.kk, f"{prefix}_ru": names.ru, f"{prefix}_en": names.en}


def save_election(session: Session, election: Election, definition_json: str) -> bool:
    """Store an election and its definition document (from which ``election`` was parsed).

    Returns ``True`` if it was stored, ``False`` if the same definition was already there
    (nothing changes). A different definition under the same id raises
    :class:`ConflictError`: a stored election is never silently replaced."""
    document = _document(definition_json)
    sha = _sha256(document)
    document_id = document.get("id")
    if document_id != election.id:
        raise StoreError(
            f"the definition document has id {document_id!r}, the election {election.id!r}"
        )
    stored = session.scalar(
        select(ElectionRecord.definition_sha256).where(ElectionRecord.id == election.id)
    )
    if stored == sha:
        return False
    if stored is not None:
        raise ConflictError(
            f"election {election.id!r} is already stored with a different definition "
            f"(sha256 {stored[:12]}, this one {sha[:12]}): give the new definition a new id"
        )
    session.add(
        ElectionRecord(
            id=election.id,
            **_names("title", election.title),
            date=election.date,
            ruleset=election.ruleset,
            definition=definition_json,
            definition_sha256=sha,
        )
    )
    session.flush()
    connection = session.connection()
    commissions = [
        (election.id, c.id, c.level.value, c.parent, c.name.kk, c.name.ru, c.name.en)
        for c in election.commissions.values()
    ]
    _write_rows(session, _COMMISSIONS, _COMMISSION_COLUMNS, _COMMISSION_TYPES, commissions)
    stations = [
        (election.id, s.id, s.commission, s.number, s.voters, s.abroad)
        for s in election.stations.values()
    ]
    _write_rows(session, _STATIONS, _STATION_COLUMNS, _STATION_TYPES, stations)
    if election.contests:
        connection.execute(
            insert(table(ContestRecord)),
            [
                {
                    "election_id": election.id,
                    "id": c.id,
                    "rule": c.rule,
                    "commission_id": c.commission,
                    "seats": c.seats,
                    **_names("title", c.title),
                    "choices": [
                        {
                            "id": choice.id,
                            "party": choice.party,
                            "name": {
                                "kk": choice.name.kk,
                                "ru": choice.name.ru,
                                "en": choice.name.en,
                            },
                        }
                        for choice in c.choices
                    ],
                }
                for c in election.contests.values()
            ],
        )
    return True


def _write_rows(
    session: Session,
    into: Table,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """``rows`` (values in the order of ``columns``) into ``into``: by binary ``COPY`` where
    the connection can (a large definition, a hundred thousand stations, goes in several
    times faster), else by one ``INSERT`` of them all."""
    connection = session.connection()
    if copies(connection):
        copy_rows(session, into.name, columns, types, rows)
    elif rows:
        connection.execute(insert(into), [dict(zip(columns, row, strict=True)) for row in rows])


def load_election(session: Session, election_id: str) -> Election:
    """The stored election, rebuilt from its definition document."""
    definition = session.scalar(
        select(ElectionRecord.definition).where(ElectionRecord.id == election_id)
    )
    if definition is None:
        raise NotFound(f"election {election_id!r} is not stored")
    return parse_election(json.loads(definition), f"stored election {election_id}")


def election_definition(session: Session, election_id: str) -> str:
    """The stored definition document (JSON text) of an election."""
    definition = session.scalar(
        select(ElectionRecord.definition).where(ElectionRecord.id == election_id)
    )
    if definition is None:
        raise NotFound(f"election {election_id!r} is not stored")
    return definition


def election_ids(session: Session) -> list[str]:
    """Ids of the stored elections, sorted."""
    return list(session.scalars(select(ElectionRecord.id).order_by(ElectionRecord.id)))


@dataclass(frozen=True, slots=True)
class StoredImport:
    """A recorded import of a file with a column mapping."""

    id: int
    election_id: str
    file_name: str
    file_sha256: str
    mapping_sha256: str
    rows_total: int
    rows_stored: int
    rows_rejected: int
    created_at: datetime


def _stored_import(record: ImportRecord) -> StoredImport:
    return StoredImport(
        id=record.id,
        election_id=record.election_id,
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        mapping_sha256=record.mapping_sha256,
        rows_total=record.rows_total,
        rows_stored=record.rows_stored,
        rows_rejected=record.rows_rejected,
        created_at=record.created_at,
    )


def find_import(
    session: Session, election_id: str, file_sha256: str, mapping_sha256: str
) -> StoredImport | None:
    """The import of this file with this mapping, if it was recorded."""
    record = session.scalar(
        select(ImportRecord).where(
            ImportRecord.election_id == election_id,
            ImportRecord.file_sha256 == file_sha256,
            ImportRecord.mapping_sha256 == mapping_sha256,
        )
    )
    return None if record is None else _stored_import(record)


def record_import(
    session: Session,
    election_id: str,
    *,
    file_name: str,
    file_sha256: str,
    mapping_sha256: str,
    rows_total: int,
    rows_stored: int,
    rows_rejected: int,
) -> StoredImport:
    """Record an import. The same file with the same mapping is recorded once: a second
    record raises :class:`ConflictError` (look it up with :func:`find_import` first)."""
    require_election(session, election_id)
    earlier = find_import(session, election_id, file_sha256, mapping_sha256)
    if earlier is not None:
        raise ConflictError(
            f"{file_name}: this file was already imported with this mapping into election "
            f"{election_id!r} (import {earlier.id}, as {earlier.file_name})"
        )
    record = ImportRecord(
        election_id=election_id,
        file_name=file_name,
        file_sha256=file_sha256,
        mapping_sha256=mapping_sha256,
        rows_total=rows_total,
        rows_stored=rows_stored,
        rows_rejected=rows_rejected,
    )
    session.add(record)
    session.flush()
    return _stored_import(record)
