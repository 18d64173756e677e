"""A contest's stored protocols as numpy columns, for tallying and statistics.

:func:`load_contest_arrays` reads them with one SELECT and no ORM objects: missing lines come
back as :data:`MISSING` from the database itself, and the vote lists are decoded in one pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from saylau.core.protocol import Line
from saylau.store.errors import StoreError
from saylau.store.models import ProtocolRecord, table
from saylau.store.protocols import contest_choices

MISSING = -1
"""The value of a line that the protocol form lacks."""

_PROTOCOLS = table(ProtocolRecord)
_LINE_ORDER: tuple[Line, ...] = tuple(Line)


@dataclass(frozen=True)
class ContestArrays:
    """A contest's stored protocols as columns, one row per station (ordered by station id).

    ``lines[line][i]`` is :data:`MISSING` (-1) where station ``i``'s form lacks the line;
    ``votes`` has one column per choice, in ``choices`` order."""

    contest_id: str
    choices: tuple[str, ...]
    station_ids: list[str]
    lines: dict[Line, npt.NDArray[np.int64]]
    votes: npt.NDArray[np.int64]
    status: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return len(self.station_ids)

    def with_status(self, status: str) -> npt.NDArray[np.bool_]:
        """A mask of the stations whose protocol has ``status``."""
        return np.asarray(self.status == status, dtype=np.bool_)


def _votes(texts: tuple[str, ...], choices: int, contest_id: str) -> npt.NDArray[np.int64]:
    """Decode the JSON vote lists of all stations at once."""
    if not texts:
        return np.zeros((0, choices), dtype=np.int64)
    inner = [text.strip()[1:-1] for text in texts]
    flat = np.array(json.loads(f"[{','.join(inner)}]"), dtype=np.int64)
    if flat.size != len(texts) * choices or any(not text.strip() for text in inner):
        raise StoreError(f"contest {contest_id!r}: stored vote lists do not match its choices")
    return flat.reshape(len(texts), choices)


def load_contest_arrays(session: Session, election_id: str, contest_id: str) -> ContestArrays:
    """A contest's stored protocols as numpy columns (see :class:`ContestArrays`)."""
    choices = contest_choices(session, election_id, contest_id)
    columns = [func.coalesce(_PROTOCOLS.c[line.value], MISSING) for line in _LINE_ORDER]
    query = (
        select(
            _PROTOCOLS.c.station_id,
            _PROTOCOLS.c.status,
            cast(_PROTOCOLS.c.votes, Text),
            *columns,
        )
        .where(_PROTOCOLS.c.election_id == election_id, _PROTOCOLS.c.contest_id == contest_id)
        .order_by(_PROTOCOLS.c.station_id)
    )
    rows = session.connection().execute(query).all()
    if rows:
        stations, status, votes, *values = zip(*rows, strict=True)
    else:
        stations, status, votes = (), (), ()
        values = [() for _ in _LINE_ORDER]
    return ContestArrays(
        contest_id=contest_id,
        choices=choices,
        station_ids=list(stations),
        lines={
            line: np.array(column, dtype=np.int64)
            for line, column in zip(_LINE_ORDER, values, strict=True)
        },
        votes=_votes(votes, len(choices), contest_id),
        status=np.array(status, dtype=np.str_),
    )
