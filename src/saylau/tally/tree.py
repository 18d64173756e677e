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
    station ``station_ids[j]`` sits under commission ``station_parent[j]`` with
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
        station_ids = tuple(election.stations)
        count = len(station_ids)
        station_parent = np.fromiter(
            (position[s.commission] for s in election.stations.values()), np.int64, count
        )
        voters = np.fromiter((s.voters for s in election.stations.values()), np.int64, count)
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
            index.members[contest_id] = index.stations(election.contest_stations(contest_id))
        return index

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


def group_sum(keys: IntArray, values: IntArray, groups: int) -> IntArray:
    """Exact integer sums of ``values`` rows grouped by ``keys`` (0 <= key < groups)."""
    width = values.shape[1] if values.ndim == 2 else 1
    out = np.zeros((groups, width), dtype=np.int64)
    if len(keys) == 0:
        return out
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    block = values.reshape(len(keys), width)[order]
    out[sorted_keys[starts]] = np.add.reduceat(block, starts, axis=0)
    return out
