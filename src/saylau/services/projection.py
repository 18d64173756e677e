"""The stored protocols against the ledger: the projection rebuilt from the ledger must give
the same numbers.

The protocols table is written in the same transaction as the ledger's events, so the two
agree unless something wrote one without the other. :func:`projection_differences` lists
every protocol whose stored lines, votes or counted status (accepted or not) differ from the
ledger's current version, or that only one side has. Publishing refuses a store with any.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger.state import LedgerState
from saylau.services.night import ACCEPTED
from saylau.services.open_data import arrays_from_state
from saylau.store.arrays import ContestArrays
from saylau.store.election_arrays import load_election_arrays


def _rows(arrays: ContestArrays) -> dict[str, tuple[tuple[int, ...], tuple[int, ...], bool]]:
    lines = np.column_stack([arrays.lines[line] for line in arrays.lines]) if len(arrays) else None
    found = {}
    for i, station in enumerate(arrays.station_ids):
        assert lines is not None
        found[station] = (
            tuple(int(n) for n in lines[i]),
            tuple(int(n) for n in arrays.votes[i]),
            bool(arrays.status[i] == ACCEPTED),
        )
    return found


def projection_differences(
    session: Session,
    election: Election,
    state: LedgerState,
    rebuilt: Mapping[str, ContestArrays] | None = None,
) -> list[str]:
    """Every difference between the stored protocols of ``election`` and the ledger's, as
    sentences naming the protocol (empty: the projection equals the ledger); ``rebuilt``:
    the ledger's :func:`arrays_from_state`, when the caller has them already."""
    choices = {cid: [c.id for c in contest.choices] for cid, contest in election.contests.items()}
    stored = load_election_arrays(session, election.id, choices)
    if rebuilt is None:
        rebuilt = arrays_from_state(election, state)
    found: list[str] = []
    for contest_id in election.contests:
        ours, theirs = _rows(stored[contest_id]), _rows(rebuilt[contest_id])
        for station in sorted(ours.keys() | theirs.keys()):
            name = f"protocol {station}/{contest_id}"
            mine, ledger = ours.get(station), theirs.get(station)
            if ledger is None:
                found.append(f"{name} is stored but not in the ledger")
            elif mine is None:
                found.append(f"{name} is in the ledger but not stored")
            elif mine[0] != ledger[0]:
                found.append(f"{name}: stored lines {mine[0]}, the ledger has {ledger[0]}")
            elif mine[1] != ledger[1]:
                found.append(f"{name}: stored votes {mine[1]}, the ledger has {ledger[1]}")
            elif mine[2] != ledger[2]:
                counted = "counted" if mine[2] else "not counted"
                found.append(f"{name}: {counted} in the store, not so in the ledger")
    return found
