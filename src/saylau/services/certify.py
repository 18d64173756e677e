"""Certification: the CEC records a contest's final result in the ledger.

:func:`certify` certifies every contest asked for whose count is complete (every expected
station counted) and that is not certified with the same result already: a
``results-certified`` event by the CEC with :func:`certified_results` (the votes at the top,
the seats, the stations counted). ``saylau verify`` recomputes each certified contest from
the ledger and fails if the certified numbers differ. A contest still being counted is
refused, with the number of stations missing.

Ties: a contest whose result has a tie that its rule leaves to the commission (``ties =
"none"``, the kz-2023 districts) or to a lot without a seed (``"lot"``) is refused, naming
the tie and its contenders, until a seed is given for it (``lots``: contest -> seed, a text
published before the draw). The CEC then draws the lots: one ``lot-drawn`` event per tie
(its context, seed, contenders, places and the winners the seed gives), recorded before the
``results-certified`` event in the same transaction, and the certified seats follow them.
Every tie decided by a lot is recorded so, also when the policy carries its seed. A seed for
a contest without an unresolved tie is refused. A contest certified by lot before and
unchanged since is not certified again; if its votes changed, its tie needs a new draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Kind, decode_line
from saylau.core.ledger.state import Lot
from saylau.core.ties import Tie, TiePolicy
from saylau.services.ledger import LedgerAppender
from saylau.services.results import (
    COMPLETE,
    ContestResult,
    contest_results,
    stored_lots,
    with_seed,
)
from saylau.store.db import Store
from saylau.store.errors import ConflictError, NotFound
from saylau.store.models import LedgerEventRecord

HOW_TO_DRAW = (
    "to decide it by lot, certify with --lot CONTEST=SEED, SEED a text published before "
    "the draw (for example the date and number of the CEC's session): the lot is recorded "
    "in the ledger and anyone can replay it"
)


@dataclass(frozen=True)
class Certified:
    contest: str
    results: dict[str, Data]
    new: bool
    """False if the ledger had this very certification already."""
    lots: tuple[Tie, ...] = field(default=())
    """The ties decided by lot: a ``lot-drawn`` event each, before the certification."""


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
        .where(
            LedgerEventRecord.subject.is_(None),  # the index: events of no station
            LedgerEventRecord.kind == Kind.RESULTS_CERTIFIED.value,
        )
        .order_by(LedgerEventRecord.sequence)
    )
    found: dict[str, Data] = {}
    for line in session.scalars(query):
        payload = decode_line(bytes(line), checked=False).payload
        found[str(payload["contest"])] = payload.get("results")
    return found


def unresolved_message(results: Sequence[ContestResult]) -> str | None:
    """The refusal to certify contests whose result has an unresolved tie (``None`` if
    none has): each contest, the tie's context, the contenders and the places at stake."""
    tied = [
        f"{r.contest.id}: tie {tie.describe()}, policy {tie.policy}"
        for r in results
        for tie in r.unresolved
    ]
    if not tied:
        return None
    return f"cannot certify contests with an unresolved tie: {'; '.join(tied)}; {HOW_TO_DRAW}"


def _same_lots(drawn: Sequence[Tie], recorded: Sequence[Lot]) -> bool:
    return sorted((t.context, t.seed, t.contenders, t.places) for t in drawn) == sorted(
        (lot.context, lot.seed, lot.contenders, lot.places) for lot in recorded
    )


def _seeds(election_id: str, contests: Iterable[str], lots: Mapping[str, str]) -> None:
    known = set(contests)
    for contest, seed in lots.items():
        if contest not in known:
            raise NotFound(
                f"--lot {contest}={seed}: no contest {contest!r} among those certified in "
                f"election {election_id!r}"
            )
        TiePolicy.lot(seed)  # a seed of one line of text


def certify(
    store: Store,
    election: Election,
    contest_ids: Iterable[str],
    *,
    time: str | None = None,
    lots: Mapping[str, str] | None = None,
) -> list[Certified]:
    """Certify the complete contests among ``contest_ids`` (see the module's description),
    drawing the lots of ``lots`` (contest -> seed). Raises :class:`ConflictError`, naming
    them, if any of them is not complete or has a tie left unresolved, or if a seed is given
    for a contest without one; then nothing is certified."""
    wanted = list(contest_ids)
    seeds = dict(lots or {})
    _seeds(election.id, wanted, seeds)
    results = contest_results(store, election, wanted, lots={})
    incomplete = [
        f"{r.contest.id} ({_missing(r):,} stations not counted)"
        for r in results
        if r.status != COMPLETE
    ]
    if incomplete:
        shown = ", ".join(incomplete[:10])
        more = f" and {len(incomplete) - 10} more" if len(incomplete) > 10 else ""
        raise ConflictError(f"cannot certify contests still being counted: {shown}{more}")
    by_id = {r.contest.id: r for r in results}
    untied = [c for c in seeds if not by_id[c].unresolved]
    if untied:
        raise ConflictError(
            "nothing to draw: "
            + "; ".join(f"--lot {c}={seeds[c]}: contest {c} has no unresolved tie" for c in untied)
            + " (ties under the rule registration are decided by it; a tie the rule leaves "
            "to the commission or to a lot is left unresolved until a lot is drawn)"
        )
    done: list[Certified] = []
    with store.session() as session:
        earlier = last_certified(session)
        recorded = stored_lots(session, wanted)
        decided: list[ContestResult] = []
        for result in results:
            contest = result.contest.id
            standing = None
            if result.unresolved and contest in recorded:
                # certified by lot before: unchanged, the draw stands; changed, a new draw
                again = with_seed(election, result, recorded[contest][0].seed)
                if earlier.get(contest) == certified_results(again) and _same_lots(
                    again.drawn, recorded[contest]
                ):
                    standing = again
            if standing is not None:
                seed = recorded[contest][0].seed
                if contest in seeds and seeds[contest] != seed:
                    raise ConflictError(
                        f"--lot {contest}={seeds[contest]}: the tie of contest {contest} was "
                        f"drawn by lot at event {recorded[contest][0].sequence} (seed {seed!r}) "
                        "and certified, and its votes have not changed since: the draw stands"
                    )
                done.append(Certified(contest, certified_results(standing), False, standing.drawn))
                continue
            decided.append(
                with_seed(election, result, seeds[contest]) if contest in seeds else result
            )
        refusal = unresolved_message(decided)
        if refusal is not None:
            raise ConflictError(refusal)
        appender = LedgerAppender.open(session, election, time=time)
        for result in decided:
            contest = result.contest.id
            data = certified_results(result)
            drawn = result.drawn
            if earlier.get(contest) == data and _same_lots(drawn, recorded.get(contest, ())):
                done.append(Certified(contest, data, new=False, lots=drawn))
                continue
            for tie in drawn:
                assert tie.seed is not None
                appender.draw_lot(contest, tie.context, tie.seed, tie.contenders, tie.places)
            appender.certify(contest, data)
            done.append(Certified(contest, data, new=True, lots=drawn))
        appender.flush()
    order = {contest: n for n, contest in enumerate(wanted)}
    return sorted(done, key=lambda c: order[c.contest])
