"""Election forensics of a stored contest: the accepted protocols read from the store, the
screening of saylau.forensics run on them, the report as data and SVG figures.

:func:`contest_forensics` is what the command line calls: it names what it expected when the
election, contest or commission is unknown or nothing is counted yet.
:func:`portal_forensics` does the same from the portal's :class:`PortalData` (the store's, or
a published bundle's), which is what the public portal's forensics pages render."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Text, cast, func, select

from saylau.core.controls import Severity
from saylau.core.election import ContestDef, Election
from saylau.core.ledger.events import utc_time
from saylau.core.protocol import Line
from saylau.forensics import (
    ForensicsReport,
    StationData,
    analyse,
    report_data,
    report_figures,
)
from saylau.forensics.data import IntArray
from saylau.forensics.report import REPLICATES, Plain
from saylau.services.elections import resolve_election
from saylau.services.night import ACCEPTED
from saylau.services.portal import PortalData, StationProtocol, ledger_time
from saylau.store.arrays import load_contest_arrays
from saylau.store.db import Store
from saylau.store.errors import NotFound
from saylau.store.models import LedgerEventRecord, ProtocolRecord

DEFAULT_SEED = 2016
ENTERED = "protocol-entered"


@dataclass(frozen=True)
class ForensicsPage:
    """One contest under one commission: the report, as data and as SVG figures."""

    election: Election
    contest: ContestDef
    commission: str
    report: ForensicsReport
    data: dict[str, Plain]
    figures: dict[str, str]


def root_of(election: Election) -> str:
    return next(c.id for c in election.commissions.values() if c.parent is None)


def choose_contest(election: Election, contest_id: str | None) -> ContestDef:
    """The contest named, or the one the most stations vote in (the first on a tie)."""
    if contest_id is not None:
        if contest_id not in election.contests:
            known = ", ".join(list(election.contests)[:5])
            raise NotFound(
                f"no contest {contest_id!r} in election {election.id!r}: expected one of its "
                f"contests, such as {known}"
            )
        return election.contests[contest_id]
    sizes = {cid: len(election.contest_stations(cid)) for cid in election.contests}
    if not sizes:
        raise NotFound(f"election {election.id!r} has no contest")
    return election.contests[max(sizes, key=lambda cid: sizes[cid])]


def _column(arrays: dict[Line, np.ndarray], line: Line, rows: np.ndarray) -> np.ndarray:
    return np.asarray(arrays[line][rows], dtype=np.int64)


def load_station_data(
    store: Store, election: Election, contest: ContestDef, commission: str
) -> StationData:
    """The accepted protocols of ``contest`` at the stations under ``commission``, with their
    control warnings, their versions, and when each station's first protocol arrived: the
    time of the first ``protocol-entered`` event of the ledger signed by the station (unknown
    for imported protocols, which have no such event)."""
    under = set(election.subtree_stations(commission))
    with store.session() as session:
        arrays = load_contest_arrays(session, election.id, contest.id)
        # The findings as text, decoded only where there are any (most protocols have none).
        query = select(
            ProtocolRecord.station_id, ProtocolRecord.version, cast(ProtocolRecord.findings, Text)
        ).where(ProtocolRecord.election_id == election.id, ProtocolRecord.contest_id == contest.id)
        extra = {
            str(station): (int(version), str(findings))
            for station, version, findings in session.execute(query)
        }
        arrived = select(LedgerEventRecord.actor, func.min(LedgerEventRecord.time)).where(
            LedgerEventRecord.kind == ENTERED
        )
        times: dict[str, str] = {
            str(actor): str(time)
            for actor, time in session.execute(arrived.group_by(LedgerEventRecord.actor))
        }
    rows = np.array(
        [
            ok and station in under
            for station, ok in zip(arrays.station_ids, arrays.with_status(ACCEPTED), strict=True)
        ],
        dtype=np.bool_,
    )
    if not rows.any():
        where = "" if commission == root_of(election) else f" under commission {commission!r}"
        raise NotFound(
            f"contest {contest.id!r} has no accepted protocol{where}: expected at least one "
            "counted station (store protocols first: saylau generate or saylau import)"
        )
    stations = [s for s, keep in zip(arrays.station_ids, rows, strict=True) if keep]
    lines = arrays.lines
    issued = _column(lines, Line.ISSUED, rows)
    outside = np.maximum(_column(lines, Line.ISSUED_OUTSIDE, rows), 0)
    found = _column(lines, Line.FOUND, rows)
    valid = np.maximum(_column(lines, Line.VALID, rows), 0)
    invalid = np.maximum(_column(lines, Line.INVALID, rows), 0)
    found = np.where(found >= 0, found, valid + invalid)
    ballots = np.where(issued >= 0, issued + outside, found)
    groups = [election.stations[s].commission for s in stations]
    group_ids = tuple(dict.fromkeys(groups))
    position = {g: i for i, g in enumerate(group_ids)}
    return StationData(
        station_ids=tuple(stations),
        group_ids=group_ids,
        group=np.array([position[g] for g in groups], dtype=np.int64),
        voters=np.maximum(_column(lines, Line.VOTERS, rows), 0),
        ballots=ballots,
        found=found,
        votes=np.asarray(arrays.votes[rows], dtype=np.int64),
        choice_ids=arrays.choices,
        warnings=tuple(_warnings(extra.get(s, (1, ""))[1]) for s in stations),
        versions=np.array([extra.get(s, (1, ""))[0] for s in stations], dtype=np.int64),
        arrival=arrival_minutes([times.get(s) for s in stations]),
    )


def _warnings(text: str) -> tuple[str, ...]:
    """The control warnings of a protocol, ``"W01 turnout-high"``, from its stored findings."""
    if len(text) <= 2:  # "" or "[]"
        return ()
    findings = json.loads(text)
    if not isinstance(findings, list):
        return ()
    return tuple(
        f"{f.get('code')} {f.get('key')}"
        for f in findings
        if isinstance(f, dict) and f.get("severity") == "warning"
    )


def arrival_minutes(times: list[str | None]) -> np.ndarray:
    """Arrival in minutes after the first station's (NaN where unknown)."""
    parsed = [ledger_time(t).timestamp() if t else np.nan for t in times]
    values = np.array(parsed, dtype=np.float64)
    if np.isnan(values).all():
        return values
    return (values - np.nanmin(values)) / 60.0


def contest_forensics(
    store: Store,
    *,
    election_id: str | None = None,
    contest_id: str | None = None,
    commission: str | None = None,
    seed: int = DEFAULT_SEED,
    replicates: int = REPLICATES,
    level: float = 0.01,
    flags: int | None = 200,
) -> ForensicsPage:
    """The forensics of a stored contest under a commission (default: the whole contest),
    as a report, its data (at most ``flags`` station flags) and its figures."""
    election = resolve_election(store, election_id)
    contest = choose_contest(election, contest_id)
    where = commission or root_of(election)
    if where not in election.commissions:
        raise NotFound(
            f"no commission {where!r} in election {election.id!r}: expected a commission id "
            f"such as {root_of(election)!r}"
        )
    data = load_station_data(store, election, contest, where)
    label = f"{election.id} / {contest.id}" + ("" if commission is None else f" / {where}")
    report = analyse(data, label=label, seed=seed, replicates=replicates, level=level)
    return ForensicsPage(
        election=election,
        contest=contest,
        commission=where,
        report=report,
        data=report_data(report, flags=flags),
        figures=report_figures(report),
    )


# -- from the portal's data ----------------------------------------------------------------


def _station_columns(
    election: Election, contest: ContestDef, protocols: Sequence[StationProtocol]
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Voters, ballots issued (inside and outside), ballots found and votes of
    ``protocols``, read as :func:`load_station_data` reads the stored columns."""

    def column(line: Line) -> IntArray:
        return np.array([p.lines.get(line, -1) for p in protocols], dtype=np.int64)

    issued, outside = column(Line.ISSUED), np.maximum(column(Line.ISSUED_OUTSIDE), 0)
    found = column(Line.FOUND)
    valid = np.maximum(column(Line.VALID), 0)
    invalid = np.maximum(column(Line.INVALID), 0)
    found = np.where(found >= 0, found, valid + invalid)
    ballots = np.where(issued >= 0, issued + outside, found)
    choices = [c.id for c in contest.choices]
    votes = np.array(
        [[p.votes.get(c, 0) for c in choices] for p in protocols], dtype=np.int64
    ).reshape(len(protocols), len(choices))
    return np.maximum(column(Line.VOTERS), 0), ballots, found, votes


def portal_station_data(
    data: PortalData,
    contest_id: str,
    commission: str,
    *,
    arrivals: Mapping[str, datetime] | None = None,
) -> StationData:
    """The accepted protocols of a contest at the stations under ``commission``, from the
    portal's data, as :func:`load_station_data` reads them from a store.

    A station arrived when its first protocol was stored: ``arrivals`` if given (station ->
    time of its first ``protocol-entered`` event), else the time of the protocol when it is
    still in its first version (that is the time of that event), unknown for a corrected
    one."""
    election = data.election
    if contest_id not in election.contests:
        raise NotFound(f"no contest {contest_id!r} in election {election.id!r}")
    if commission not in election.commissions:
        raise NotFound(f"no commission {commission!r} in election {election.id!r}")
    contest = election.contests[contest_id]
    chosen: list[StationProtocol] = []
    # In the order of the store's columns (by station id), so that the seeded Monte Carlo
    # draws what contest_forensics draws for the same protocols.
    for station in sorted(election.subtree_stations(commission)):
        found = next((p for p in data.protocols.get(station, ()) if p.contest == contest_id), None)
        if found is not None and found.status == ACCEPTED:
            chosen.append(found)
    if not chosen:
        where = "" if commission == root_of(election) else f" under commission {commission!r}"
        raise NotFound(f"contest {contest_id!r} has no accepted protocol{where}")
    voters, ballots, found_ballots, votes = _station_columns(election, contest, chosen)
    stations = [p.station for p in chosen]
    groups = [election.stations[s].commission for s in stations]
    group_ids = tuple(dict.fromkeys(groups))
    position = {g: i for i, g in enumerate(group_ids)}
    times: list[str | None] = []
    for p in chosen:
        moment = arrivals.get(p.station) if arrivals is not None else None
        if moment is None and arrivals is None and p.version == 1:
            moment = p.updated
        times.append(None if moment is None else _utc_text(moment))
    return StationData(
        station_ids=tuple(stations),
        group_ids=group_ids,
        group=np.array([position[g] for g in groups], dtype=np.int64),
        voters=voters,
        ballots=ballots,
        found=found_ballots,
        votes=votes,
        choice_ids=tuple(c.id for c in contest.choices),
        warnings=tuple(
            tuple(f"{f.code} {f.key}" for f in p.findings if f.severity is Severity.WARNING)
            for p in chosen
        ),
        versions=np.array([p.version for p in chosen], dtype=np.int64),
        arrival=arrival_minutes(times),
    )


def _utc_text(moment: datetime) -> str:
    return utc_time(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


def portal_forensics(
    data: PortalData,
    contest_id: str,
    commission: str | None = None,
    *,
    arrivals: Mapping[str, datetime] | None = None,
    seed: int = DEFAULT_SEED,
    replicates: int = REPLICATES,
    level: float = 0.01,
    flags: int | None = 200,
) -> ForensicsPage:
    """The forensics of a contest under a commission (default: every station that votes
    in it) from the portal's data; the same report as :func:`contest_forensics` gives for
    the same protocols. :class:`NotFound` for an unknown contest or commission or nothing
    counted."""
    election = data.election
    if contest_id not in election.contests:
        raise NotFound(f"no contest {contest_id!r} in election {election.id!r}")
    contest = election.contests[contest_id]
    where = commission or root_of(election)
    stations = portal_station_data(data, contest_id, where, arrivals=arrivals)
    label = f"{election.id} / {contest.id}" + ("" if commission is None else f" / {where}")
    report = analyse(stations, label=label, seed=seed, replicates=replicates, level=level)
    return ForensicsPage(
        election=election,
        contest=contest,
        commission=where,
        report=report,
        data=report_data(report, flags=flags),
        figures=report_figures(report),
    )
