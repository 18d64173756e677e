"""Advisory flags on a commission's incoming protocols, for the people who approve them.

Each counted protocol (accepted or approved) of a contest at the stations under a commission
is screened by :func:`saylau.forensics.check_protocol` against a reference made from every
counted protocol of the contest so far (each commission's medians and spreads, the
contest's top 1 %): turnout and the leader's share both in the top 1 %, or one of them (or
the time the protocol arrived) 5 robust standard deviations from its commission's median.
Control warnings and corrections are listed as facts. **Advisory only**: a flag is a lead
for review, never proof; it never blocks, delays or changes the acceptance or approval of a
protocol, and nothing here writes anything.

Who may read them: whoever may read the statuses of the commission's protocols
(:data:`~saylau.core.roles.Permission.READ_STATUS` at the commission: its coordinators and
observers, the CEC's administrators, and anyone assigned above it). The numbers screened are
those of counted protocols, which the public portal publishes anyway; the values of entries
still being typed are never used.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.entry import Stage
from saylau.core.roles import Permission, allowed
from saylau.forensics import StationData, StationFlag, check_protocol, reference
from saylau.forensics.flags import correction_flags, warning_flags
from saylau.forensics.outliers import Reference
from saylau.services.accounts import Principal
from saylau.services.context import election, read
from saylau.services.errors import PermissionDeniedError
from saylau.services.forensics import load_station_data, root_of
from saylau.store.db import Store
from saylau.store.entries import entry_stages
from saylau.store.errors import NotFound
from saylau.store.models import LedgerEventRecord

ADVISORY = (
    "Leads for review, never proof: each flag says what was measured, against what null and "
    "how surprising it is. A flag never blocks or changes the acceptance or approval of a "
    "protocol."
)


Describe = Callable[[Election, StationFlag], Mapping[str, str]]
"""The words of a flag in the reader's language: ``label`` (its kind), ``measured``, ``null``
and ``surprise``, from the flag's kind and numbers (the adapters write them, in kk, ru or
en)."""


def in_english(chosen: Election, flag: StationFlag) -> dict[str, str]:
    """The flag's own English sentences; its kind as the label."""
    return {
        "label": flag.kind,
        "measured": flag.measured,
        "null": flag.null,
        "surprise": flag.surprise,
    }


def _stations(chosen: Election, contest: str, commission: str) -> list[str]:
    voting = set(chosen.contest_stations(contest))
    return [s for s in chosen.subtree_stations(commission) if s in voting]


def _checked(
    store: Store, principal: Principal, election_id: str, contest: str, commission: str
) -> tuple[Election, list[str], dict[str, tuple[str, int]]]:
    """The election, the contest's stations under the commission and their entry stages,
    once the names are known and the person may read them."""

    def work(session: Session) -> tuple[Election, list[str], dict[str, tuple[str, int]]]:
        chosen = election(session, election_id)
        if contest not in chosen.contests:
            raise NotFound(f"election {chosen.id} has no contest {contest!r}")
        if commission not in chosen.commissions:
            raise NotFound(f"election {chosen.id} has no commission {commission!r}")
        stations = _stations(chosen, contest, commission)
        if not stations:
            raise NotFound(f"no station under {commission} votes in contest {contest}")
        if not allowed(principal.assignments, chosen, Permission.READ_STATUS, commission):
            raise PermissionDeniedError(f"{principal.user} may not read {commission}")
        stages = {
            station: value
            for (station, _), value in entry_stages(session, election_id, contest).items()
        }
        return chosen, stations, stages

    return read(store, work)


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def flag_view(flag: StationFlag) -> dict[str, Any]:
    return {
        "kind": flag.kind,
        "measured": flag.measured,
        "null": flag.null,
        "surprise": flag.surprise,
        "score": _number(flag.score),
        "p_value": _number(flag.p_value),
        "significant": flag.significant,
    }


def _screen(data: StationData, ref: Reference, wanted: set[str]) -> dict[str, list[StationFlag]]:
    """The advisory flags of the stations of ``data`` in ``wanted`` (``ref``: made from
    ``data``)."""
    leader = data.leader
    found: dict[str, list[StationFlag]] = {}
    for i, station in enumerate(data.station_ids):
        if station not in wanted:
            continue
        found[station] = check_protocol(
            station,
            data.group_ids[data.group[i]],
            ref,
            voters=int(data.voters[i]),
            ballots=int(data.ballots[i]),
            found=int(data.found[i]),
            leader_votes=int(data.votes[i, leader]),
            arrival=float(data.arrival[i]) if len(data.arrival) else math.nan,
        )
    for flag in [*warning_flags(data), *correction_flags(data)]:
        if flag.station in found:
            found[flag.station].append(flag)
    return found


_Comparison = tuple[StationData, Reference] | None
_COMPARISONS: dict[tuple[int, str, str], tuple[tuple[int, str] | None, _Comparison]] = {}
_COMPARISONS_LOCK = threading.Lock()


def _contest_version(store: Store, contest: str) -> tuple[int, str] | None:
    """The position and hash of the ledger's last event about ``contest`` (None: no event):
    the contest's counted protocols cannot have changed while it stays the same, and the
    hash tells one ledger from another."""
    query = (
        select(LedgerEventRecord.sequence, LedgerEventRecord.hash)
        .where(LedgerEventRecord.contest == contest)
        .order_by(LedgerEventRecord.sequence.desc())
        .limit(1)
    )
    with store.session() as session:
        found = session.execute(query).first()
    return None if found is None else (int(found[0]), str(found[1]))


def _comparison(store: Store, chosen: Election, contest: str) -> _Comparison:
    """Every counted protocol of the contest and the reference made from them, computed
    once per state of the contest's events in the ledger (a coordinator's page polls)."""
    key = (id(store.engine), chosen.id, contest)
    version = _contest_version(store, contest)
    with _COMPARISONS_LOCK:
        cached = _COMPARISONS.get(key)
    if cached is not None and version is not None and cached[0] == version:
        return cached[1]
    try:
        data = load_station_data(store, chosen, chosen.contests[contest], root_of(chosen))
        found: _Comparison = (data, reference(data))
    except NotFound:  # nothing counted in the contest yet
        found = None
    with _COMPARISONS_LOCK:
        _COMPARISONS[key] = (version, found)
    return found


def incoming_flags(
    store: Store,
    principal: Principal,
    election_id: str,
    contest: str,
    commission: str,
    *,
    flagged_only: bool = False,
    language: str = "en",
    describe: Describe = in_english,
) -> dict[str, Any]:
    """The contest's protocols under ``commission`` that have arrived (counted, or being
    entered), each with its stage and, once counted, its advisory flags in the words of
    ``describe``; the names of the commission and contest in ``language``."""
    chosen, stations, stages = _checked(store, principal, election_id, contest, commission)
    comparison = _comparison(store, chosen, contest)
    data = None if comparison is None else comparison[0]
    flags = _screen(*comparison, set(stations)) if comparison is not None else {}
    rows = []
    for station in stations:
        stage, version = stages.get(station, (str(Stage.EMPTY), 0))
        counted = station in flags
        if not counted and stage == Stage.EMPTY:
            continue  # nothing has arrived from this station
        listed = flags.get(station, [])
        if flagged_only and not listed:
            continue
        rows.append(
            {
                "station": station,
                "commission": chosen.stations[station].commission,
                "stage": stage,
                "version": version,
                "counted": counted,
                "flags": [{**flag_view(f), **describe(chosen, f)} for f in listed],
            }
        )
    return {
        "election": chosen.id,
        "contest": contest,
        "commission": commission,
        "commission_name": chosen.commissions[commission].name.get(language),
        "contest_title": chosen.contests[contest].title.get(language),
        "advisory": ADVISORY,
        "compared_with": 0 if data is None else len(data),
        "protocols": rows,
    }
