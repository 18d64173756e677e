"""Results of an election from the stored protocols: tallies up the tree, progress, seats.

Only accepted protocols count. Seats are computed by the rules engine with the contest's
ruleset on the votes counted so far; the status says whether the count is complete.

Lots: a tie that the ruleset leaves to the commission (``ties = "none"``) or to a drawing of
lots (``"lot"``) is decided by the lots that the CEC drew when it certified the contest
(``lot-drawn`` events before its ``results-certified`` event, see
:mod:`saylau.services.certify`). The lots of a contest's last certification decide its ties
here, from the store as from a replayed ledger; without them the tie stays unresolved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.core.allocation import ListResult, allocate_list
from saylau.core.districts import DistrictResult, decide_district
from saylau.core.election import ContestDef, Election
from saylau.core.ledger.events import Kind, decode_line
from saylau.core.ledger.state import Lot
from saylau.core.rules import DistrictRule, ListRule, Ruleset, TieRule
from saylau.core.ties import Tie, TiePolicy
from saylau.rulesets import load_ruleset
from saylau.services.night import ACCEPTED
from saylau.store.arrays import ContestArrays
from saylau.store.db import Store
from saylau.store.election_arrays import load_election_arrays
from saylau.store.models import LedgerEventRecord
from saylau.tally import ContestTally, TreeIndex, tally_contest

PARTIAL = "unofficial partial"
COMPLETE = "unofficial complete"


@dataclass(frozen=True)
class ContestResult:
    """One contest: its tally at every commission, the seats from the votes counted so far
    (``None`` while nothing is counted) and how many stored protocols were not counted."""

    contest: ContestDef
    kind: str
    tally: ContestTally
    allocation: ListResult | DistrictResult | None
    stored: int
    rejected: int
    lots: tuple[Lot, ...] = ()
    """The lots recorded at the contest's last certification, whose seed decided its ties."""

    @property
    def unresolved(self) -> tuple[Tie, ...]:
        """The ties left for the commission to decide (no lot drawn for them)."""
        if self.allocation is None:
            return ()
        return tuple(tie for tie in self.allocation.ties if not tie.resolved)

    @property
    def drawn(self) -> tuple[Tie, ...]:
        """The ties decided by lot: each is a ``lot-drawn`` event at certification."""
        if self.allocation is None:
            return ()
        return tuple(tie for tie in self.allocation.ties if tie.seed is not None)

    @property
    def status(self) -> str:
        root = self.tally.total_row()
        counted = self.tally.stations_counted[root]
        return COMPLETE if counted == self.tally.stations_expected[root] else PARTIAL


def tie_policy(rule: ListRule | DistrictRule, seed: str | None = None) -> TiePolicy:
    """The tie policy of a contest: its rule's, or a drawing of lots from ``seed`` where the
    rule leaves ties to the commission (``none``) or to a lot (``lot``)."""
    if seed is not None and rule.ties in (TieRule.NONE, TieRule.LOT):
        return TiePolicy(TieRule.LOT, seed)
    return TiePolicy(rule.ties)


def allocate(
    election: Election,
    ruleset: Ruleset,
    contest: ContestDef,
    tally: ContestTally,
    seed: str | None = None,
) -> ListResult | DistrictResult | None:
    """Seats of a contest from its tally, as its ruleset says (``seed``: of the lots that
    decide the ties the rule leaves open, see :func:`tie_policy`)."""
    if tally.stations_counted[tally.total_row()] == 0:
        return None
    rule = ruleset.contest(contest.rule).rule
    policy = tie_policy(rule, seed)
    votes = tally.contest_votes(against_all=contest.against_all)
    label = f"{election.id}/{contest.id}"
    if isinstance(rule, DistrictRule):
        return decide_district(votes, rule, ties=policy, label=label)
    if sum(c.votes for c in votes.parties) == 0:
        return None
    return allocate_list(votes, rule, contest.seats, ties=policy, label=label)


def lots_by_certification(
    lots: Iterable[Lot], certifications: Iterable[tuple[int, str]]
) -> tuple[dict[str, tuple[Lot, ...]], tuple[Lot, ...]]:
    """The lots of each contest's last certification, and the lots that no certification
    follows. ``certifications`` are ``(sequence, contest)`` of the ``results-certified``
    events: the lots of a certification are those of its contest recorded after the
    contest's certification before it."""
    events: list[tuple[int, str, Lot | None]] = [(lot.sequence, lot.contest, lot) for lot in lots]
    events.extend((sequence, contest, None) for sequence, contest in certifications)
    pending: dict[str, list[Lot]] = {}
    certified: dict[str, tuple[Lot, ...]] = {}
    for _, contest, lot in sorted(events, key=lambda e: e[0]):
        if lot is None:
            certified[contest] = tuple(pending.pop(contest, ()))
        else:
            pending.setdefault(contest, []).append(lot)
    left = tuple(lot for contest in sorted(pending) for lot in pending[contest])
    return {c: found for c, found in certified.items() if found}, left


def lot_of(sequence: int, time: str, actor: str, payload: Mapping[str, object]) -> Lot:
    """A ``lot-drawn`` event's payload (checked by the replay) as a :class:`Lot`."""
    contenders, winners, places = payload["contenders"], payload["winners"], payload["places"]
    assert isinstance(contenders, list)
    assert isinstance(winners, list)
    assert isinstance(places, int)
    return Lot(
        sequence,
        time,
        actor,
        str(payload["contest"]),
        str(payload["context"]),
        str(payload["seed"]),
        tuple(str(n) for n in contenders),
        places,
        tuple(str(n) for n in winners),
    )


def stored_lots(session: Session, contest_ids: Iterable[str]) -> dict[str, tuple[Lot, ...]]:
    """The lots of each contest's last certification in the stored ledger. These events
    name no station or commission (their ``subject`` is empty), so the query reads the few
    events of the election as a whole, not the protocols'."""
    wanted = set(contest_ids)
    query = (
        select(LedgerEventRecord.kind, LedgerEventRecord.line)
        .where(
            LedgerEventRecord.subject.is_(None),
            LedgerEventRecord.kind.in_([Kind.LOT_DRAWN.value, Kind.RESULTS_CERTIFIED.value]),
        )
        .order_by(LedgerEventRecord.sequence)
    )
    lots: list[Lot] = []
    certifications: list[tuple[int, str]] = []
    for kind, line in session.execute(query):
        event = decode_line(bytes(line), checked=False)
        contest = str(event.payload.get("contest"))
        if contest not in wanted:
            continue
        if kind == Kind.LOT_DRAWN.value:
            lots.append(lot_of(event.sequence, event.time, event.actor, event.payload))
        else:
            certifications.append((event.sequence, contest))
    return lots_by_certification(lots, certifications)[0]


def contest_results(
    store: Store,
    election: Election,
    contest_ids: Iterable[str],
    tree: TreeIndex | None = None,
    *,
    lots: Mapping[str, Sequence[Lot]] | None = None,
) -> list[ContestResult]:
    """Tally and allocate the given contests from the store. Their ties are decided by the
    lots of their last certification in the stored ledger, or by ``lots`` if given (``{}``:
    by no lot)."""
    wanted = list(contest_ids)
    with store.session() as session:
        loaded = load_election_arrays(
            session,
            election.id,
            {cid: [c.id for c in election.contests[cid].choices] for cid in wanted},
        )
        if lots is None:
            lots = stored_lots(session, wanted)
    return results_of(election, loaded, wanted, tree, lots=lots)


def with_lots(election: Election, result: ContestResult, lots: Sequence[Lot]) -> ContestResult:
    """``result`` with its ties decided by the seed of ``lots`` (by no lot if empty)."""
    ruleset = load_ruleset(election.ruleset)
    seed = lots[0].seed if lots else None
    allocation = allocate(election, ruleset, result.contest, result.tally, seed)
    return replace(result, allocation=allocation, lots=tuple(lots))


def with_seed(election: Election, result: ContestResult, seed: str) -> ContestResult:
    """``result`` with the ties its rule leaves open drawn by lot from ``seed``."""
    ruleset = load_ruleset(election.ruleset)
    allocation = allocate(election, ruleset, result.contest, result.tally, seed)
    return replace(result, allocation=allocation, lots=())


def results_of(
    election: Election,
    loaded: Mapping[str, ContestArrays],
    contest_ids: Iterable[str],
    tree: TreeIndex | None = None,
    *,
    lots: Mapping[str, Sequence[Lot]] | None = None,
) -> list[ContestResult]:
    """Tally and allocate the given contests from their protocols as columns (from the
    store or from a replayed ledger: the same numbers give the same results). ``lots``:
    the lots recorded for a contest's certification, whose seed decides its open ties."""
    lots = lots or {}
    tree = tree or TreeIndex.of(election)
    ruleset = load_ruleset(election.ruleset)
    results = []
    for contest_id in contest_ids:
        contest = election.contests[contest_id]
        arrays = loaded[contest_id]
        accepted = arrays.with_status(ACCEPTED)
        stations = tree.stations(
            [s for s, ok in zip(arrays.station_ids, accepted, strict=True) if ok]
        )
        order = np.argsort(stations, kind="stable")
        lines = {
            line: np.maximum(values[accepted][order], 0) for line, values in arrays.lines.items()
        }
        tally = tally_contest(
            tree,
            contest_id,
            arrays.choices,
            stations[order],
            np.asfortranarray(arrays.votes[accepted][order]),
            lines=lines,
        )
        rule = ruleset.contest(contest.rule).rule
        drawn = tuple(lots.get(contest_id, ()))
        results.append(
            ContestResult(
                contest=contest,
                kind="district" if isinstance(rule, DistrictRule) else "list",
                tally=tally,
                allocation=allocate(
                    election, ruleset, contest, tally, drawn[0].seed if drawn else None
                ),
                stored=len(arrays),
                rejected=int(len(arrays) - accepted.sum()),
                lots=drawn,
            )
        )
    return results
