"""What the public portal shows, as one in-memory object: :class:`PortalData`.

:func:`portal_data` builds it from a store: the election definition, every contest tallied
and allocated by :func:`saylau.services.results.contest_results`, each station's stored
protocols with their control findings, the status of the count and the time of the last
change. The portal (``saylau.web``) and the static-site builder read only this object, so the
same pages can be built from another source, such as a published bundle whose ledger is
replayed, by filling the same fields.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Text, cast, func, select

from saylau.core.controls import Finding, Severity
from saylau.core.election import Election, Level
from saylau.core.ledger.events import Kind
from saylau.core.names import Names
from saylau.core.protocol import Line
from saylau.services.elections import resolve_election
from saylau.services.history import store_history
from saylau.services.results import COMPLETE, PARTIAL, ContestResult, contest_results
from saylau.store.db import Store
from saylau.store.models import LedgerEventRecord, ProtocolRecord, table

CERTIFIED = "certified"
STATUSES = (PARTIAL, COMPLETE, CERTIFIED)
"""The status of the whole count, as the banner shows it."""

NATIONAL_LIST = "mazhilis-list"
"""The contest that the national page, the map and the turnout figures follow."""

_PROTOCOLS = table(ProtocolRecord)
_LINE_ORDER: tuple[Line, ...] = tuple(Line)


@dataclass(frozen=True, slots=True)
class Correction:
    """One earlier state of a protocol, for its correction history.

    Filled from the ledger's history of the protocol (:mod:`saylau.services.history`):
    the new version, when, by which commission, and the reason, the decision and each
    changed number."""

    version: int
    time: str
    actor: str
    summary: str


@dataclass(frozen=True, slots=True)
class StationProtocol:
    """A station's stored protocol of one contest: its lines (only those on the form), its
    votes by choice id in ballot order, status, findings, version and time."""

    station: str
    contest: str
    status: str
    lines: Mapping[Line, int]
    votes: Mapping[str, int]
    findings: tuple[Finding, ...]
    version: int
    updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class Maslikhat:
    """A local assembly: the contests that elect it (its list contest, if any, first)."""

    id: str
    commission: str
    name: Names
    level: str
    contests: tuple[str, ...]
    seats: int


@dataclass(frozen=True, repr=False)
class PortalData:
    """Everything the portal shows. Build it with :func:`portal_data` (from a store) or
    fill it from another source; it is read, never changed."""

    election: Election
    results: Mapping[str, ContestResult]
    protocols: Mapping[str, tuple[StationProtocol, ...]]
    """Station id -> its stored protocols (all statuses), in contest order."""
    status: str
    updated: datetime | None
    corrections: Mapping[tuple[str, str], tuple[Correction, ...]] = field(default_factory=dict)
    """(station, contest) -> its corrections, oldest first (:func:`corrections_of`)."""
    arrivals: Mapping[str, datetime] = field(default_factory=dict)
    """Station -> when its first protocol arrived (its first ``protocol-entered`` event),
    for the reporting-order screening; empty when the source does not say."""

    def __repr__(self) -> str:
        counted = sum(len(p) for p in self.protocols.values())
        return (
            f"PortalData({self.election.id!r}, {len(self.results)} contests, "
            f"{counted} protocols, {self.status!r}, updated {self.updated})"
        )

    @property
    def root(self) -> str:
        return next(c.id for c in self.election.commissions.values() if c.parent is None)

    @property
    def national(self) -> ContestResult:
        return self.results[NATIONAL_LIST]

    def regions(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.election.commissions.values() if c.level is Level.REGION)

    def maslikhats(self) -> tuple[Maslikhat, ...]:
        return self._maslikhats

    @cached_property
    def _maslikhats(self) -> tuple[Maslikhat, ...]:
        return group_maslikhats(self.election)


def count_status(results: Mapping[str, ContestResult], certified: Collection[str]) -> str:
    """Certified once every contest's results are certified (``certified``: the contests
    the ledger certified); complete when every contest is counted."""
    if results and all(contest in certified for contest in results):
        return CERTIFIED
    done = all(r.status == COMPLETE for r in results.values())
    return COMPLETE if done else PARTIAL


def maslikhat_name(title: Names) -> Names:
    """The assembly's name from a contest title ``"<maslikhat>: <constituency>"``."""

    def part(text: str) -> str:
        return text.split(": ", 1)[0]

    return Names(part(title.kk), part(title.ru), part(title.en))


def group_maslikhats(election: Election) -> tuple[Maslikhat, ...]:
    """The maslikhats of an election: contests other than the Mazhilis ones, grouped by the
    commission that determines them (a region's maslikhat is elected by its list contest and
    its districts; a city's or district's by its districts)."""
    grouped: dict[str, list[str]] = {}
    for contest in election.contests.values():
        if contest.rule.startswith("mazhilis"):
            continue
        grouped.setdefault(contest.commission, []).append(contest.id)
    found = []
    for commission_id, ids in grouped.items():
        contests = [election.contests[cid] for cid in ids]
        contests.sort(key=lambda c: (c.rule.endswith("district"), c.id))
        level = election.commissions[commission_id].level
        found.append(
            Maslikhat(
                id=commission_id,
                commission=commission_id,
                name=maslikhat_name(contests[-1].title),
                level="regional" if level is Level.REGION else "local",
                contests=tuple(c.id for c in contests),
                seats=sum(c.seats for c in contests),
            )
        )
    found.sort(key=lambda m: (m.level != "regional", m.id))
    return tuple(found)


def _findings(text: str | None) -> tuple[Finding, ...]:
    if not text or text.strip() in ("[]", "null"):
        return ()
    items = json.loads(text)
    if not isinstance(items, list):
        return ()
    return tuple(
        Finding(
            code=str(item["code"]),
            key=str(item["key"]),
            severity=Severity(str(item["severity"])),
            lines=tuple(str(line) for line in item.get("lines", [])),
            values={str(k): int(v) for k, v in dict(item.get("values", {})).items()},
        )
        for item in items
    )


def load_protocols(
    store: Store, election: Election
) -> tuple[dict[str, tuple[StationProtocol, ...]], datetime | None]:
    """Every stored protocol of the election by station, and the time of the last change."""
    columns = [_PROTOCOLS.c[line.value] for line in _LINE_ORDER]
    query = select(
        _PROTOCOLS.c.station_id,
        _PROTOCOLS.c.contest_id,
        _PROTOCOLS.c.status,
        cast(_PROTOCOLS.c.votes, Text),
        cast(_PROTOCOLS.c.findings, Text),
        _PROTOCOLS.c.version,
        _PROTOCOLS.c.updated_at,
        *columns,
    ).where(_PROTOCOLS.c.election_id == election.id)
    order = {cid: i for i, cid in enumerate(election.contests)}
    choices = {cid: [c.id for c in c_def.choices] for cid, c_def in election.contests.items()}
    found: dict[str, list[StationProtocol]] = {}
    latest: datetime | None = None
    with store.session() as session:
        for row in session.connection().execute(query):
            station, contest, status, votes, findings, version, updated, *values = row
            counts = map(int, votes.strip()[1:-1].split(",")) if votes.strip() != "[]" else ()
            if updated is not None and updated.tzinfo is None:
                updated = updated.replace(tzinfo=UTC)
            if updated is not None and (latest is None or updated > latest):
                latest = updated
            lines = {
                line: int(v) for line, v in zip(_LINE_ORDER, values, strict=True) if v is not None
            }
            found.setdefault(station, []).append(
                StationProtocol(
                    station=station,
                    contest=contest,
                    status=status,
                    lines=lines,
                    votes=dict(zip(choices[contest], counts, strict=True)),
                    findings=_findings(findings),
                    version=int(version),
                    updated=updated,
                )
            )
    protocols = {
        sid: tuple(sorted(items, key=lambda p: order[p.contest])) for sid, items in found.items()
    }
    return protocols, latest


def certified_contests(store: Store) -> frozenset[str]:
    """The contests whose results the ledger certifies."""
    query = (
        select(LedgerEventRecord.contest)
        .where(LedgerEventRecord.kind == Kind.RESULTS_CERTIFIED.value)
        .distinct()
    )
    with store.session() as session:
        return frozenset(str(c) for c in session.scalars(query) if c is not None)


def portal_data(store: Store, election_id: str | None = None) -> PortalData:
    """The portal's data from a store: the election named (or the only one stored)."""
    election = resolve_election(store, election_id)
    results = {r.contest.id: r for r in contest_results(store, election, election.contests)}
    protocols, updated = load_protocols(store, election)
    return PortalData(
        election=election,
        results=results,
        protocols=protocols,
        status=count_status(results, certified_contests(store)),
        updated=updated,
        corrections=corrections_of(store, protocols),
        arrivals=arrivals_of(store),
    )


def arrivals_of(store: Store) -> dict[str, datetime]:
    """Station -> the time of its first ``protocol-entered`` event in the store's ledger
    (the precinct commission, the event's actor, is the station)."""
    query = (
        select(LedgerEventRecord.actor, func.min(LedgerEventRecord.time))
        .where(LedgerEventRecord.kind == Kind.PROTOCOL_ENTERED.value)
        .group_by(LedgerEventRecord.actor)
    )
    with store.session() as session:
        return {str(actor): ledger_time(str(moment)) for actor, moment in session.execute(query)}


def ledger_time(text: str) -> datetime:
    """A ledger time (``2023-03-19T20:00:00Z``) as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def corrections_of(
    store: Store, protocols: Mapping[str, tuple[StationProtocol, ...]]
) -> dict[tuple[str, str], tuple[Correction, ...]]:
    """The corrections the ledger records of every protocol stored in more than one
    version: who, when, why (reason and decision) and which numbers changed."""
    found: dict[tuple[str, str], tuple[Correction, ...]] = {}
    for station_protocols in protocols.values():
        for p in station_protocols:
            if p.version < 2:
                continue
            entries = [
                Correction(
                    e.version,
                    e.time,
                    e.commission,
                    "; ".join([e.reason, f"decision {e.decision}", *e.changes]),
                )
                for e in store_history(store, p.station, p.contest)
                if e.kind == "protocol-corrected"
            ]
            if entries:
                found[p.station, p.contest] = tuple(entries)
    return found
