"""An election's stored protocols as numpy columns, per contest, in one SELECT.

For results of every contest at once (thousands of small district contests): one query
instead of two per contest. A few contests asked for read only their own rows (through the
index on election, contest and station), not the whole election's. The choices come from
the election definition the caller holds, which the store checks against what it stored."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from saylau.core.protocol import Line
from saylau.store.arrays import MISSING, ContestArrays
from saylau.store.errors import StoreError
from saylau.store.models import ProtocolRecord, table
from saylau.store.protocols import require_election

_PROTOCOLS = table(ProtocolRecord)
_LINE_ORDER: tuple[Line, ...] = tuple(Line)
FEW_CONTESTS = 500
"""Up to this many contests asked for, only their rows are read; more (such as every
contest of an election), the election's rows are read in one scan."""


def load_election_arrays(
    session: Session, election_id: str, choices: Mapping[str, Sequence[str]]
) -> dict[str, ContestArrays]:
    """Every contest named in ``choices`` (contest id -> its choice ids in ballot order) as
    :class:`ContestArrays`; a contest without stored protocols comes back empty."""
    require_election(session, election_id)
    columns = [func.coalesce(_PROTOCOLS.c[line.value], MISSING) for line in _LINE_ORDER]
    query = (
        select(
            _PROTOCOLS.c.contest_id,
            _PROTOCOLS.c.station_id,
            _PROTOCOLS.c.status,
            cast(_PROTOCOLS.c.votes, Text),
            *columns,
        )
        .where(_PROTOCOLS.c.election_id == election_id)
        .order_by(_PROTOCOLS.c.contest_id, _PROTOCOLS.c.station_id)
    )
    if len(choices) <= FEW_CONTESTS:
        query = query.where(_PROTOCOLS.c.contest_id.in_(list(choices)))
    grouped: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for row in session.connection().execute(query):
        grouped[row[0]].append(tuple(row[1:]))
    result: dict[str, ContestArrays] = {}
    for contest_id, choice_ids in choices.items():
        rows = grouped.get(contest_id, [])
        width = len(choice_ids)
        if rows:
            stations, status, votes, *values = zip(*rows, strict=True)
            flat = json.loads("[" + ",".join(str(text)[1:-1] or "" for text in votes) + "]")
            matrix = np.array(flat, dtype=np.int64)
            if matrix.size != len(rows) * width:
                raise StoreError(
                    f"contest {contest_id!r}: stored vote lists do not match its choices"
                )
        else:
            stations, status, values = (), (), [() for _ in _LINE_ORDER]
            matrix = np.zeros(0, dtype=np.int64)
        result[contest_id] = ContestArrays(
            contest_id=contest_id,
            choices=tuple(choice_ids),
            station_ids=[str(s) for s in stations],
            lines={
                line: np.array(column, dtype=np.int64)
                for line, column in zip(_LINE_ORDER, values, strict=True)
            },
            votes=matrix.reshape(len(rows), width),
            status=np.array(status, dtype=np.str_),
        )
    return result
