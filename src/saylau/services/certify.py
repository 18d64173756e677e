"""Certification: the CEC records a contest's final result in the ledger.

:func:`certify` certifies every contest asked for whose count is complete (every expected
station counted) and that is not certified with the same result already: a
``results-certified`` event by the CEC with :func:`certified_results` (the votes at the top,
the seats, the stations counted). ``saylau verify`` recomputes each certified contest from
the ledger and fails if the certified numbers differ. A contest still being counted is
refused, with the number of stations missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Kind, decode_line
from saylau.services.ledger import LedgerAppender
from saylau.services.results import COMPLETE, ContestResult, contest_results
from saylau.store.db import Store
from saylau.store.errors import ConflictError
from saylau.store.models import LedgerEventRecord


@dataclass(frozen=True)
class Certified:
    contest: str
    results: dict[str, Data]
    new: bool
    """False if the ledger had this very certification already."""


def certified_results(result: ContestResult) -> dict[str, Data]:
    """What a certification records of a contest: the votes at the top, the seats and the
    stations counted of expected."""
    tally = result.tally
    root = tally.total_row()
    votes: dict[str, Data] = {
        choice: int(n) for choice, n in zip(tally.choice_ids, tally.votes[root], strict=True)
    }
    seats: dict[str, Data] = (
        {} if result.allocation is None else {k: int(v) for k, v in result.allocation.seats.items()}
    )
    return {
        "votes": votes,
        "seats": seats,
        "stations_counted": int(tally.stations_counted[root]),
        "stations_expected": int(tally.stations_expected[root]),
    }


def _missing(result: ContestResult) -> int:
    root = result.tally.total_row()
    return int(result.tally.stations_expected[root] - result.tally.stations_counted[root])


def last_certified(session: Session) -> dict[str, Data]:
    """Contest -> the results of its last certification in the ledger, read in one query
    (one query per contest scans the ledger thousands of times for a whole election)."""
    query = (
        select(LedgerEventRecord.line)
        .where(LedgerEventRecord.kind == Kind.RESULTS_CERTIFIED.value)
        .order_by(LedgerEventRecord.sequence)
    )
    found: dict[str, Data] = {}
    for line in session.scalars(query):
        payload = decode_line(bytes(line), checked=False).payload
        found[str(payload["contest"])] = payload.get("results")
    return found


def certify(
    store: Store, election: Election, contest_ids: Iterable[str], *, time: str | None = None
) -> list[Certified]:
    """Certify the complete contests among ``contest_ids`` (see the module's description).
    Raises :class:`ConflictError`, naming them, if any of them is not complete; then
    nothing is certified."""
    wanted = list(contest_ids)
    results = contest_results(store, election, wanted)
    incomplete = [
        f"{r.contest.id} ({_missing(r):,} stations not counted)"
        for r in results
        if r.status != COMPLETE
    ]
    if incomplete:
        shown = ", ".join(incomplete[:10])
        more = f" and {len(incomplete) - 10} more" if len(incomplete) > 10 else ""
        raise ConflictError(f"cannot certify contests still being counted: {shown}{more}")
    done: list[Certified] = []
    with store.session() as session:
        appender = LedgerAppender.open(session, election, time=time)
        earlier = last_certified(session)
        for result in results:
            data = certified_results(result)
            if result.contest.id in earlier and earlier[result.contest.id] == data:
                done.append(Certified(result.contest.id, data, new=False))
                continue
            appender.certify(result.contest.id, data)
            done.append(Certified(result.contest.id, data, new=True))
        appender.flush()
    return done
