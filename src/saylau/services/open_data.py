"""The open data of a published version, built from the ledger alone.

Every file here is a function of the replayed ledger (:class:`LedgerState`) and the rules,
so anyone can rebuild it from the published ledger and compare (``saylau verify`` does):

- ``definition.json``: the election's definition as the ledger's ``election-defined`` event
  holds it; ``ruleset-<id>.toml``: the ruleset file the results were computed with;

- ``protocols.csv`` / ``protocols.parquet``: one row per protocol (ordered by contest, then
  station): ``contest``, ``station``, ``commission`` (the one above the station), ``version``,
  ``status`` (``entered``, ``accepted`` or ``approved``), then the protocol's lines (empty
  where the form lacks the line);
- ``votes.csv`` / ``votes.parquet``: ``contest``, ``station``, ``choice``, ``votes``, one row
  per choice of each protocol, in ballot order;
- ``results.json`` (format ``saylau-results/1``): per contest, every commission with a
  station in it (stations and voters expected and counted, summed lines and votes of the
  counted protocols) and the seats with their explanation (the steps of the rules engine;
  ``allocation.lots``: the lots drawn at the contest's certification, whose seed decided its
  ties, each with its event, context, seed, contenders, places and winners).

Only accepted or approved protocols are counted, as in ``saylau results``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from saylau.core.election import Election
from saylau.core.ledger.canonical import Data, canonical
from saylau.core.ledger.state import ACCEPTED, APPROVED, LedgerState, Lot, ProtocolRecord
from saylau.core.protocol import Line
from saylau.core.serialize import result_data
from saylau.ledger import BundleFile
from saylau.rulesets import ruleset_text
from saylau.services.results import ContestResult, lots_by_certification, results_of
from saylau.store.arrays import MISSING, ContestArrays
from saylau.tally import TreeIndex

RESULTS_FORMAT = "saylau-results/1"
CERTIFIED = "certified"
LINES: tuple[Line, ...] = tuple(Line)
PROTOCOL_COLUMNS = (
    "contest",
    "station",
    "commission",
    "version",
    "status",
    *tuple(line.value for line in LINES),
)
VOTE_COLUMNS = ("contest", "station", "choice", "votes")
COUNTED = "accepted"
"""The status the tally counts (see :mod:`saylau.services.results`)."""


def ordered_protocols(state: LedgerState) -> list[ProtocolRecord]:
    return [state.protocols[key] for key in sorted(state.protocols, key=lambda k: (k[1], k[0]))]


def arrays_from_state(election: Election, state: LedgerState) -> dict[str, ContestArrays]:
    """The replayed protocols as the columns the tally reads, per contest of ``election``
    (accepted and approved protocols get the status the tally counts)."""
    grouped: dict[str, list[ProtocolRecord]] = {cid: [] for cid in election.contests}
    for record in ordered_protocols(state):
        grouped.setdefault(record.contest, []).append(record)
    found: dict[str, ContestArrays] = {}
    for contest_id, contest in election.contests.items():
        records = grouped[contest_id]
        choices = tuple(choice.id for choice in contest.choices)
        votes = np.array(
            [[record.votes.get(choice, 0) for choice in choices] for record in records],
            dtype=np.int64,
        ).reshape(len(records), len(choices))
        found[contest_id] = ContestArrays(
            contest_id=contest_id,
            choices=choices,
            station_ids=[record.station for record in records],
            lines={
                line: np.array(
                    [record.lines.get(line.value, MISSING) for record in records], dtype=np.int64
                )
                for line in LINES
            },
            votes=votes,
            status=np.array(
                [
                    COUNTED if record.status in (ACCEPTED, APPROVED) else record.status
                    for record in records
                ],
                dtype=np.str_,
            ),
        )
    return found


def certified_lots(state: LedgerState) -> tuple[dict[str, tuple[Lot, ...]], tuple[Lot, ...]]:
    """The lots of each contest's last certification in the replayed ledger, and the lots
    that no certification of their contest follows."""
    return lots_by_certification(
        state.lots, ((c.sequence, c.contest) for c in state.certifications)
    )


def ledger_results(
    election: Election,
    state: LedgerState,
    tree: TreeIndex | None = None,
    arrays: Mapping[str, ContestArrays] | None = None,
) -> list[ContestResult]:
    """Every contest of ``election`` tallied and allocated from the replayed ledger
    (``arrays``: its :func:`arrays_from_state`, when the caller has them already); the
    ties of a certified contest are decided by the lots of its certification."""
    if arrays is None:
        arrays = arrays_from_state(election, state)
    lots = certified_lots(state)[0]
    return results_of(election, arrays, election.contests, tree, lots=lots)


def lot_data(lot: Lot) -> dict[str, Data]:
    """A lot as ``results.json`` shows it in the contest's explanation."""
    return {
        "event": lot.sequence,
        "time": lot.time,
        "context": lot.context,
        "seed": lot.seed,
        "contenders": list(lot.contenders),
        "places": lot.places,
        "winners": list(lot.winners),
    }


def _contest_data(result: ContestResult, certified: bool) -> dict[str, Data]:
    tally = result.tally
    commissions: list[Data] = []
    for row, commission in enumerate(tally.tree.commission_ids):
        if tally.stations_expected[row] == 0:
            continue
        commissions.append(
            {
                "id": commission,
                "stations_expected": int(tally.stations_expected[row]),
                "stations_counted": int(tally.stations_counted[row]),
                "voters_expected": int(tally.voters_expected[row]),
                "voters_counted": int(tally.voters_counted[row]),
                "lines": {
                    line.value: int(n) for line, n in zip(LINES, tally.lines[row], strict=True)
                },
                "votes": {
                    choice: int(n)
                    for choice, n in zip(tally.choice_ids, tally.votes[row], strict=True)
                },
            }
        )
    allocation = None if result.allocation is None else result_data(result.allocation)
    if allocation is not None and result.lots:
        allocation["lots"] = [lot_data(lot) for lot in result.lots]
    return {
        "id": result.contest.id,
        "kind": result.kind,
        "seats": result.contest.seats,
        "status": CERTIFIED if certified else result.status,
        "protocols_stored": result.stored,
        "protocols_not_counted": result.rejected,
        "commissions": commissions,
        "allocation": allocation,
    }


def results_document(
    election: Election, state: LedgerState, results: Sequence[ContestResult]
) -> dict[str, Data]:
    """The ``results.json`` document (see the module's description)."""
    certified = state.certified
    return {
        "format": RESULTS_FORMAT,
        "election": election.id,
        "ruleset": election.ruleset,
        "ledger_size": state.size,
        "contests": [_contest_data(r, r.contest.id in certified) for r in results],
    }


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _parquet(
    header: Sequence[str], rows: Sequence[Sequence[object]], types: Sequence[pa.DataType]
) -> bytes:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    table = pa.table(
        {
            name: pa.array(list(column), type=kind)
            for name, column, kind in zip(header, columns, types, strict=True)
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def protocol_table(
    election: Election, ordered: Sequence[ProtocolRecord]
) -> list[tuple[object, ...]]:
    """The rows of ``protocols.csv`` (``None`` where a line is missing) from the protocols
    in :func:`ordered_protocols` order."""
    return [
        (
            r.contest,
            r.station,
            election.stations[r.station].commission,
            r.version,
            r.status,
            *(r.lines.get(line.value) for line in LINES),
        )
        for r in ordered
    ]


def vote_table(election: Election, ordered: Sequence[ProtocolRecord]) -> list[tuple[object, ...]]:
    """The rows of ``votes.csv``: every choice of every protocol, in ballot order."""
    rows: list[tuple[object, ...]] = []
    for r in ordered:
        contest = election.contests[r.contest]
        rows.extend((r.contest, r.station, c.id, r.votes.get(c.id, 0)) for c in contest.choices)
    return rows


PROTOCOL_TYPES = (
    pa.string(),
    pa.string(),
    pa.string(),
    pa.int64(),
    pa.string(),
    *tuple(pa.int64() for _ in LINES),
)
VOTE_TYPES = (pa.string(), pa.string(), pa.string(), pa.int64())


def open_data_files(
    election: Election, state: LedgerState, results: Sequence[ContestResult]
) -> list[BundleFile]:
    """The open-data files of the bundle, in a fixed order."""
    ordered = ordered_protocols(state)
    protocols, votes = protocol_table(election, ordered), vote_table(election, ordered)
    document = results_document(election, state, results)
    definition = {} if state.election is None else dict(state.election.definition)
    rules = ruleset_text(election.ruleset).encode("utf-8")
    return [
        BundleFile("definition", ".json", canonical(definition), "definition"),
        BundleFile(f"ruleset-{election.ruleset}", ".toml", rules, "ruleset"),
        BundleFile("results", ".json", canonical(document), "results"),
        BundleFile("protocols", ".csv", _csv(PROTOCOL_COLUMNS, protocols), "protocols-csv"),
        BundleFile(
            "protocols",
            ".parquet",
            _parquet(PROTOCOL_COLUMNS, protocols, PROTOCOL_TYPES),
            "protocols-parquet",
        ),
        BundleFile("votes", ".csv", _csv(VOTE_COLUMNS, votes), "votes-csv"),
        BundleFile("votes", ".parquet", _parquet(VOTE_COLUMNS, votes, VOTE_TYPES), "votes-parquet"),
    ]
