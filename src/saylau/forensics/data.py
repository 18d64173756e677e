"""The numbers the screening works on: one row per counted polling station of one contest.

Turnout is the ballots issued (inside and outside the station) over the voters on the list;
a choice's share is its votes over the ballots found in the boxes (valid and invalid), as
Kobak, Shpilkin and Pshenichnikov (2016) define the leader's result. The leader is the choice
with the most votes over all the stations given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from saylau.core.errors import InputError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class StationData:
    """Counted protocols of one contest, one row per station.

    ``group[i]`` is the index in ``group_ids`` of station ``i``'s own commission (the one its
    turnout and shares are compared with); ``ballots`` the ballots issued, inside and outside
    the station; ``found`` the ballots found in the boxes; ``votes`` one column per choice.
    Optional, for the review flags: ``warnings[i]`` the codes of the control warnings of the
    station's protocol, ``versions[i]`` its version (2 or more: corrected after it was first
    stored), ``arrival[i]`` when it arrived in minutes (NaN: unknown)."""

    station_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    group: IntArray
    voters: IntArray
    ballots: IntArray
    found: IntArray
    votes: IntArray
    choice_ids: tuple[str, ...]
    warnings: tuple[tuple[str, ...], ...] = ()
    versions: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    arrival: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))

    def __post_init__(self) -> None:
        count = len(self.station_ids)
        if count == 0:
            raise InputError(
                "no station to analyse: expected at least one counted protocol",
                field="stations",
            )
        if not self.choice_ids:
            raise InputError("no choice to analyse: expected at least one", field="choices")
        for name in ("group", "voters", "ballots", "found"):
            column = getattr(self, name)
            if column.shape != (count,):
                raise InputError(
                    f"{name}: expected {count} values (one per station), found {column.shape}",
                    field=name,
                )
            if column.size and int(column.min()) < 0:
                raise InputError(f"{name}: expected counts of at least 0", field=name)
        if self.votes.shape != (count, len(self.choice_ids)):
            raise InputError(
                f"votes: expected {count} rows of {len(self.choice_ids)}, found {self.votes.shape}",
                field="votes",
            )
        if int(self.votes.min()) < 0:
            raise InputError("votes: expected counts of at least 0", field="votes")
        if int(self.group.max()) >= len(self.group_ids):
            raise InputError("group: an index beyond the commissions given", field="group")
        for name, size in (
            ("warnings", len(self.warnings)),
            ("versions", len(self.versions)),
            ("arrival", len(self.arrival)),
        ):
            if size not in (0, count):
                raise InputError(
                    f"{name}: expected none or {count} values, found {size}", field=name
                )

    def __len__(self) -> int:
        return len(self.station_ids)

    @property
    def leader(self) -> int:
        """The column of the choice with the most votes (the first one on a tie)."""
        return int(np.argmax(self.votes.sum(axis=0)))

    @property
    def leader_votes(self) -> IntArray:
        column: IntArray = self.votes[:, self.leader]
        return column

    def turnout(self) -> FloatArray:
        """Ballots issued over voters (NaN where the list is empty)."""
        return _ratio(self.ballots, self.voters)

    def leader_share(self) -> FloatArray:
        """The leader's votes over the ballots found (NaN where the boxes were empty)."""
        return _ratio(self.leader_votes, self.found)


def _ratio(part: IntArray, whole: IntArray) -> FloatArray:
    result = np.full(len(part), np.nan)
    known = whole > 0
    result[known] = part[known] / whole[known]
    return result


def station_data(
    station_ids: Sequence[str],
    groups: Sequence[str],
    *,
    voters: Sequence[int] | IntArray,
    ballots: Sequence[int] | IntArray,
    found: Sequence[int] | IntArray,
    votes: Sequence[Sequence[int]] | IntArray,
    choice_ids: Sequence[str],
) -> StationData:
    """:class:`StationData` from plain columns, the commissions named per station."""
    group_ids = tuple(dict.fromkeys(groups))
    where = {g: i for i, g in enumerate(group_ids)}
    matrix = np.asarray(votes, dtype=np.int64).reshape(len(station_ids), len(choice_ids))
    return StationData(
        station_ids=tuple(station_ids),
        group_ids=group_ids,
        group=np.array([where[g] for g in groups], dtype=np.int64),
        voters=np.asarray(voters, dtype=np.int64),
        ballots=np.asarray(ballots, dtype=np.int64),
        found=np.asarray(found, dtype=np.int64),
        votes=matrix,
        choice_ids=tuple(choice_ids),
    )
