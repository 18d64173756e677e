"""One contest tallied at every commission: votes, protocol lines, progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from saylau.core.protocol import Line
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.tally.tree import IntArray, TreeIndex, group_sum

LINES: tuple[Line, ...] = tuple(Line)


@dataclass(frozen=True)
class ContestTally:
    """Per commission (rows in ``tree.commission_ids`` order): summed votes per choice,
    summed protocol lines (a missing line counts 0), stations expected and counted, voters
    expected and voters at the counted stations."""

    contest_id: str
    tree: TreeIndex
    choice_ids: tuple[str, ...]
    votes: IntArray
    lines: IntArray
    stations_expected: IntArray
    stations_counted: IntArray
    voters_expected: IntArray
    voters_counted: IntArray

    def row(self, commission_id: str) -> int:
        return self.tree.position[commission_id]

    def votes_at(self, commission_id: str) -> dict[str, int]:
        row = self.votes[self.row(commission_id)]
        return {cid: int(n) for cid, n in zip(self.choice_ids, row, strict=True)}

    def line_at(self, commission_id: str, line: Line) -> int:
        return int(self.lines[self.row(commission_id), LINES.index(line)])

    def total_row(self) -> int:
        """The root: the whole contest."""
        return int(np.flatnonzero(self.tree.parent < 0)[0])

    def contest_votes(
        self, commission_id: str | None = None, against_all: bool = True
    ) -> ContestVotes:
        """Input for the rules engine: the choices' votes, 'against all' and invalid."""
        row = self.total_row() if commission_id is None else self.row(commission_id)
        choices = [
            Choice(cid, int(n)) for cid, n in zip(self.choice_ids, self.votes[row], strict=True)
        ]
        if against_all:
            count = int(self.lines[row, LINES.index(Line.AGAINST_ALL)])
            choices.append(Choice("against all", count, ChoiceKind.AGAINST_ALL))
        invalid = int(self.lines[row, LINES.index(Line.INVALID)])
        choices.append(Choice("invalid", invalid, ChoiceKind.INVALID))
        return ContestVotes.of(choices)


def tally_contest(
    tree: TreeIndex,
    contest_id: str,
    choice_ids: Sequence[str],
    stations: IntArray,
    votes: IntArray,
    *,
    lines: Mapping[Line, IntArray],
) -> ContestTally:
    """Sum the counted stations' protocols of one contest up the whole tree.

    ``stations`` holds the counted stations' indices in ``tree`` (one protocol each);
    ``votes`` one row per counted station and one column per choice (column-major order is
    fastest); ``lines`` one array per protocol line (a line not on the form is absent or
    0). Every value is a non-negative count."""
    size = len(tree.commission_ids)
    count = len(stations)
    k = len(choice_ids)
    votes = votes.reshape(count, k)
    zeros = np.zeros(count, dtype=np.int64)
    columns = [votes[:, j] for j in range(k)]
    columns += [lines.get(line, zeros) for line in LINES]
    columns += [np.ones(count, dtype=np.int64), tree.station_voters[stations]]
    direct = group_sum(tree.station_parent[stations], columns, size)
    total_expected = tree.expected_totals(contest_id)
    total = tree.roll_up(direct)
    n_lines = len(LINES)
    return ContestTally(
        contest_id=contest_id,
        tree=tree,
        choice_ids=tuple(choice_ids),
        votes=total[:, :k],
        lines=total[:, k : k + n_lines],
        stations_expected=total_expected[:, 0],
        stations_counted=total[:, k + n_lines],
        voters_expected=total_expected[:, 1],
        voters_counted=total[:, k + n_lines + 1],
    )
