"""Count protocols in the store: idempotent bulk upsert.

:func:`upsert_protocols` writes in batches with one ``executemany`` per batch. It reads the
stored content hashes of a contest once, so a repeated import writes nothing, and a changed
protocol is updated with ``version + 1`` only if nobody changed it in the meantime
(:class:`ConflictError` otherwise). Reading is in :mod:`saylau.store.arrays`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.core.controls import Finding
from saylau.core.protocol import Line
from saylau.store.bulk import BulkWriter
from saylau.store.errors import NotFound, StoreError
from saylau.store.models import ContestRecord, ElectionRecord, ProtocolRecord, StationRecord, table

BATCH_SIZE = 5_000

_PROTOCOLS = table(ProtocolRecord)
_LINE_ORDER: tuple[Line, ...] = tuple(Line)


@dataclass(frozen=True, slots=True)
class ProtocolRow:
    """One protocol to store: ``votes`` in the contest's choice order, ``findings`` as plain
    data (see :func:`finding_data`), ``source`` e.g. an import file name and row."""

    station: str
    contest: str
    lines: Mapping[Line, int]
    votes: Sequence[int]
    status: str
    findings: Sequence[Mapping[str, object]] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    inserted: int = 0
    unchanged: int = 0
    changed: int = 0
    written: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False, repr=False)
    """``(station, contest)`` of every protocol inserted or changed (not compared)."""

    @property
    def total(self) -> int:
        return self.inserted + self.unchanged + self.changed


def finding_data(finding: Finding) -> dict[str, object]:
    """A core finding as the plain data stored with a protocol."""
    return {
        "code": finding.code,
        "key": finding.key,
        "severity": finding.severity.value,
        "lines": [str(line) for line in finding.lines],
        "values": dict(finding.values),
    }


def _encode(row: ProtocolRow) -> tuple[tuple[int | None, ...], str, str, str]:
    """The line values, the votes and findings as JSON, and the content hash."""
    # The canonical text is unambiguous: the lines are the repr of a tuple of ints and
    # Nones, the votes digits and commas, the status prefixed by its length, the findings
    # sorted JSON. It is built without json.dumps for the common case: this runs per row.
    lines = tuple(map(row.lines.get, _LINE_ORDER))
    votes = ",".join(map(str, row.votes))
    findings = "[]"
    if row.findings:
        plain = [dict(f) for f in row.findings]
        findings = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    status = row.status
    canonical = f"{lines!r}|{votes}|{len(status)}:{status}|{findings}"
    sha = hashlib.sha256(canonical.encode()).hexdigest()
    return lines, f"[{votes}]", findings, sha


def content_sha256(row: ProtocolRow) -> str:
    """The hash of a protocol's content: lines, votes, status and findings (not its source)."""
    return _encode(row)[3]


@dataclass
class _Contest:
    choices: int
    stored: dict[str, tuple[str, int]]
    """Station id -> (content hash, version) of the stored protocols."""


def require_election(session: Session, election_id: str) -> None:
    """Raise :class:`NotFound` unless the election is stored."""
    query = select(ElectionRecord.id).where(ElectionRecord.id == election_id)
    if session.scalar(query) is None:
        raise NotFound(f"election {election_id!r} is not stored")


def _stations(session: Session, election_id: str) -> set[str]:
    require_election(session, election_id)
    query = select(StationRecord.id).where(StationRecord.election_id == election_id)
    return set(session.connection().execute(query).scalars().all())


def contest_choices(session: Session, election_id: str, contest_id: str) -> tuple[str, ...]:
    """The choice ids of a stored contest, in ballot order."""
    choices = session.scalar(
        select(ContestRecord.choices).where(
            ContestRecord.election_id == election_id, ContestRecord.id == contest_id
        )
    )
    if choices is None:
        raise NotFound(f"election {election_id!r} has no contest {contest_id!r}")
    return tuple(str(choice["id"]) for choice in choices)


def _contest(session: Session, election_id: str, contest_id: str) -> _Contest:
    choices = contest_choices(session, election_id, contest_id)
    query = select(_PROTOCOLS.c.station_id, _PROTOCOLS.c.content_sha256, _PROTOCOLS.c.version)
    query = query.where(
        _PROTOCOLS.c.election_id == election_id, _PROTOCOLS.c.contest_id == contest_id
    )
    rows = session.connection().execute(query).all()
    return _Contest(len(choices), {station: (sha, version) for station, sha, version in rows})


def upsert_protocols(
    session: Session,
    election_id: str,
    rows: Iterable[ProtocolRow],
    *,
    batch_size: int = BATCH_SIZE,
) -> UpsertCounts:
    """Store protocols: new ones are inserted (version 1), identical ones left alone, changed
    ones updated with ``version + 1``. A later row for the same station and contest in the
    same call replaces the earlier one (and counts as a change).

    Raises :class:`NotFound` for an unknown election, contest or station,
    :class:`StoreError` when the number of votes does not match the contest's choices, and
    :class:`ConflictError` when another writer changed one of the protocols meanwhile.
    ``rows`` must not use the session while they are read: on PostgreSQL a ``COPY`` is
    open on its connection."""
    stations = _stations(session, election_id)
    with BulkWriter(session.connection()) as writer:
        return _upsert(session, election_id, rows, writer, stations=stations, batch_size=batch_size)


def _upsert(
    session: Session,
    election_id: str,
    rows: Iterable[ProtocolRow],
    writer: BulkWriter,
    *,
    stations: set[str],
    batch_size: int,
) -> UpsertCounts:
    contests: dict[str, _Contest] = {}
    inserts, updates, now = writer.inserts, writer.updates, writer.now
    inserted = unchanged = changed = pending = 0
    written: set[tuple[str, str]] = set()
    for row in rows:
        station, contest_id, status = row.station, row.contest, row.status
        contest = contests.get(contest_id)
        if contest is None:
            writer.settle()  # the connection is free for the query
            contest = contests[contest_id] = _contest(session, election_id, contest_id)
        if station not in stations:
            raise NotFound(f"election {election_id!r} has no station {station!r}")
        if len(row.votes) != contest.choices:
            raise StoreError(
                f"{row.source or station}: {len(row.votes)} vote counts for contest "
                f"{contest_id!r}, which has {contest.choices} choices"
            )
        lines, votes, findings, sha = _encode(row)
        stored = contest.stored.get(station)
        if stored is None:
            version = 1
            inserts[contest_id, station] = (
                election_id, station, contest_id,
                *lines, votes, status, findings, version, row.source, sha, now,
            )  # fmt: skip
            inserted += 1
        elif stored[0] == sha:
            unchanged += 1
            continue
        else:
            version = stored[1] + 1
            content = (*lines, votes, status, findings, version, row.source, sha, now)
            key = (contest_id, station)
            if key in inserts:
                inserts[key] = (election_id, station, contest_id, *content)
            else:
                if key in writer.staged:
                    writer.apply()  # its earlier change must be in place first
                earlier = updates.get(key)
                expected = stored[1] if earlier is None else earlier[-1]
                updates[key] = (*content, election_id, station, contest_id, expected)
            changed += 1
        contest.stored[station] = (sha, version)
        written.add((station, contest_id))
        pending += 1
        if pending >= batch_size:
            writer.flush()
            pending = 0
    writer.finish()
    return UpsertCounts(inserted, unchanged, changed, frozenset(written))
