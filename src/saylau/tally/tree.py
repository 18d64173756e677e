"""The commission tree as index arrays: parents, levels, and the order to roll sums up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from saylau.core.election import Election

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TreeIndex:
    """``commission_ids[i]`` has parent ``parent[i]`` (-1 for the root) and ``depth[i]``;
    stations are numbered grouped by commission: ``station_ids[j]`` sits under commission
    ``station_parent[j]`` (non-decreasing) with
    ``station_voters[j]`` voters on its list; ``members[contest]`` are the indices of the
    stations that vote in a contest. Built once per election definition; tallies then work
    on station indices only."""

    commission_ids: tuple[str, ...]
    position: dict[str, int]
    parent: IntArray
    depth: IntArray
    station_ids: tuple[str, ...]
    station_position: dict[str, int]
    station_parent: IntArray
    station_voters: IntArray
    members: dict[str, IntArray] = field(default_factory=dict)
    expected: dict[str, IntArray] = field(default_factory=dict)

    @classmethod
    def of(cls, election: Election) -> TreeIndex:
        ids = tuple(election.commissions)
        position = {cid: i for i, cid in enumerate(ids)}
        parent = np.array(
            [-1 if c.parent is None else position[c.parent] for c in election.commissions.values()],
            dtype=np.int64,
        )
        depth = np.zeros(len(ids), dtype=np.int64)
        for i in range(len(ids)):  # parents are listed before their children
            if parent[i] >= 0:
                depth[i] = depth[parent[i]] + 1
        # Stations numbered grouped by their commission, so that sums by commission run
        # over contiguous rows.
        ordered = sorted(election.stations.values(), key=lambda s: position[s.commission])
        station_ids = tuple(s.id for s in ordered)
        count = len(station_ids)
        station_parent = np.fromiter((position[s.commission] for s in ordered), np.int64, count)
        voters = np.fromiter((s.voters for s in ordered), np.int64, count)
        index = cls(
            commission_ids=ids,
            position=position,
            parent=parent,
            depth=depth,
            station_ids=station_ids,
            station_position={sid: i for i, sid in enumerate(station_ids)},
            station_parent=station_parent,
            station_voters=voters,
        )
        for contest_id in election.contests:
            members = index.stations(election.contest_stations(contest_id))
            index.members[contest_id] = np.sort(members)
        return index

    def expected_totals(self, contest_id: str) -> IntArray:
        """Stations and voters expected in a contest under every commission (cached)."""
        if contest_id not in self.expected:
            members = self.members[contest_id]
            direct = group_sum(
                self.station_parent[members],
                [np.ones(len(members), dtype=np.int64), self.station_voters[members]],
                len(self.commission_ids),
            )
            self.expected[contest_id] = self.roll_up(direct)
        return self.expected[contest_id]

    def stations(self, station_ids: Sequence[str]) -> IntArray:
        """Station indices of the given station ids."""
        where = self.station_position
        return np.fromiter((where[sid] for sid in station_ids), np.int64, len(station_ids))

    def roll_up(self, direct: IntArray) -> IntArray:
        """Totals over each commission's subtree from totals directly under it.

        ``direct`` has one row per commission; rows are added into their parents deepest
        level first, so every row ends up holding its whole subtree."""
        total = direct.copy()
        for level in range(int(self.depth.max(initial=0)), 0, -1):
            rows = np.flatnonzero(self.depth == level)
            np.add.at(total, self.parent[rows], total[rows])
        return total


def group_sum(keys: IntArray, columns: Sequence[IntArray], groups: int) -> IntArray:
    """Exact integer sums of each column grouped by ``keys`` (0 <= key < groups).

    Values are counts (ingest refuses negative numbers). With ``keys`` in ascending order
    (stations numbered grouped by commission, as :class:`TreeIndex` does, and protocols
    loaded in that order) each column is one int64 ``np.add.reduceat`` over contiguous
    runs. Otherwise each column is one ``np.bincount``: its float64 accumulator is exact
    while partial sums stay below 2**53, which holds when the column's exact int64 total
    does; a column that could exceed it is summed with the int64 ``np.add.at``."""
    out = np.zeros((groups, len(columns)), dtype=np.int64)
    if len(keys) == 0:
        return out
    if bool(np.all(keys[1:] >= keys[:-1])):
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        targets = keys[starts]
        for j, column in enumerate(columns):
            out[targets, j] = np.add.reduceat(column, starts)
        return out
    for j, column in enumerate(columns):
        if int(column.sum()) < EXACT_FLOAT_LIMIT:
            out[:, j] = np.bincount(keys, weights=column, minlength=groups)
        else:
            np.add.at(out[:, j], keys, column)
    return out


EXACT_FLOAT_LIMIT = 2**53
