"""Results of an election from the stored protocols: tallies up the tree, progress, seats.

Only accepted protocols count. Seats are computed by the rules engine with the contest's
ruleset on the votes counted so far; the status says whether the count is complete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from saylau.core.allocation import ListResult, allocate_list
from saylau.core.districts import DistrictResult, decide_district
from saylau.core.election import ContestDef, Election
from saylau.core.rules import DistrictRule, Ruleset
from saylau.core.ties import TiePolicy
from saylau.rulesets import load_ruleset
from saylau.services.night import ACCEPTED
from saylau.store.arrays import ContestArrays
from saylau.store.db import Store
from saylau.store.election_arrays import load_election_arrays
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

    @property
    def status(self) -> str:
        root = self.tally.total_row()
        counted = self.tally.stations_counted[root]
        return COMPLETE if counted == self.tally.stations_expected[root] else PARTIAL


def allocate(
    election: Election, ruleset: Ruleset, contest: ContestDef, tally: ContestTally
) -> ListResult | DistrictResult | None:
    """Seats of a contest from its tally, as its ruleset says."""
    if tally.stations_counted[tally.total_row()] == 0:
        return None
    rule = ruleset.contest(contest.rule).rule
    policy = TiePolicy(rule.ties)
    votes = tally.contest_votes(against_all=contest.against_all)
    label = f"{election.id}/{contest.id}"
    if isinstance(rule, DistrictRule):
        return decide_district(votes, rule, ties=policy, label=label)
    if sum(c.votes for c in votes.parties) == 0:
        return None
    return allocate_list(votes, rule, contest.seats, ties=policy, label=label)


def contest_results(
    store: Store, election: Election, contest_ids: Iterable[str], tree: TreeIndex | None = None
) -> list[ContestResult]:
    """Tally and allocate the given contests from the store."""
    wanted = list(contest_ids)
    with store.session() as session:
        loaded = load_election_arrays(
            session,
            election.id,
            {cid: [c.id for c in election.contests[cid].choices] for cid in wanted},
        )
    return results_of(election, loaded, wanted, tree)


def results_of(
    election: Election,
    loaded: Mapping[str, ContestArrays],
    contest_ids: Iterable[str],
    tree: TreeIndex | None = None,
) -> list[ContestResult]:
    """Tally and allocate the given contests from their protocols as columns (from the
    store or from a replayed ledger: the same numbers give the same results)."""
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
        results.append(
            ContestResult(
                contest=contest,
                kind="district" if isinstance(rule, DistrictRule) else "list",
                tally=tally,
                allocation=allocate(election, ruleset, contest, tally),
                stored=len(arrays),
                rejected=int(len(arrays) - accepted.sum()),
            )
        )
    return results
