"""The numbers of every page as tables, written as CSV, JSON or Parquet.

One table shape serves every page (``RESULT_COLUMNS``): one row per number, saying which
contest and which unit (commission or station) it belongs to, what it counts (a choice's
votes, a protocol line, or the progress of the count), its names in kk/ru/en, the exact
integer and, for the choices of a whole contest, the seats. The tables of protocols (a
station's, ``station/ID``, and all of them, ``protocols``) have one row per stored protocol
instead (``PROTOCOL_COLUMNS``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import pyarrow as pa
import pyarrow.parquet as pq

from saylau.core.names import Names
from saylau.core.protocol import LINE_TITLES, Line
from saylau.services.portal import PortalData
from saylau.services.results import ContestResult
from saylau.web import views
from saylau.web.i18n import texts

RESULT_COLUMNS = (
    ("contest_id", "str"),
    ("unit_id", "str"),
    ("unit_level", "str"),
    ("item_kind", "str"),
    ("item_id", "str"),
    ("name_kk", "str"),
    ("name_ru", "str"),
    ("name_en", "str"),
    ("value", "int"),
    ("seats", "int"),
    ("status", "str"),
)
PROTOCOL_COLUMNS = (
    ("station_id", "str"),
    ("commission_id", "str"),
    ("contest_id", "str"),
    ("status", "str"),
    ("version", "int"),
    *((line.value, "int") for line in Line),
    ("votes", "str"),
    ("findings", "str"),
)
PROGRESS = ("stations_counted", "stations_expected", "voters_counted", "voters_expected")

Row = tuple[str | int | None, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    rows: list[Row]


@cache
def _line_names(line: Line) -> Names:
    title = LINE_TITLES[line]
    return Names(*(texts(lang).gettext(title) for lang in ("kk", "ru", "en")))


@cache
def _progress_names(key: str) -> Names:
    title = key.replace("_", " ")
    return Names(*(texts(lang).gettext(title) for lang in ("kk", "ru", "en")))


def contest_rows(data: PortalData, result: ContestResult, unit: str | None = None) -> Iterator[Row]:
    """A contest under one commission (``None``: the whole contest, with its seats, listed
    under the commission that determines it): progress, protocol lines summed, votes."""
    own = unit is None
    where = data.root if unit is None else unit
    label = result.contest.commission if unit is None else unit
    level = data.election.commissions[label].level.value
    contest = result.contest.id
    status = result.status
    found = views.progress(result, where)
    for key in PROGRESS:
        n = _progress_names(key)
        yield (
            contest,
            label,
            level,
            "progress",
            key,
            n.kk,
            n.ru,
            n.en,
            getattr(found, key),
            None,
            status,
        )
    for line in Line:
        n = _line_names(line)
        value = result.tally.line_at(where, line)
        yield contest, label, level, "line", line.value, n.kk, n.ru, n.en, value, None, status
    votes = result.tally.votes_at(where)
    seats = result.allocation.seats if result.allocation is not None else {}
    for c in result.contest.choices:
        n = c.name
        yield (
            contest, label, level, "choice", c.id, n.kk, n.ru, n.en, votes[c.id],
            seats.get(c.id, 0) if own else None, status,
        )  # fmt: skip


def page_table(data: PortalData, name: str) -> Table:
    """The table of one page: ``national``, ``districts``, ``maslikhats``,
    ``commission/ID``, ``station/ID``, ``contest/ID``, ``maslikhat/ID``, or ``protocols``.
    Raises :class:`KeyError` for an unknown one."""
    kind, _, key = name.partition("/")
    rows: list[Row] = []
    election = data.election
    if name == "national":
        rows.extend(contest_rows(data, data.national))
        for region in data.regions():
            rows.extend(contest_rows(data, data.national, region))
    elif name == "districts":
        for result in views.mazhilis_districts(data):
            rows.extend(contest_rows(data, result))
    elif name == "maslikhats":
        for maslikhat in data.maslikhats():
            for contest in maslikhat.contests:
                rows.extend(_choices_only(data, data.results[contest]))
    elif name == "protocols":
        return protocols_table(data)
    elif kind == "commission" and key in election.commissions:
        rows.extend(contest_rows(data, data.national, key))
        for child in election.children[key]:
            if views.progress(data.national, child).stations_expected:
                rows.extend(contest_rows(data, data.national, child))
    elif kind == "station" and key in election.stations:
        return protocols_table(data, [key], name)
    elif kind == "contest" and key in data.results:
        result = data.results[key]
        rows.extend(contest_rows(data, result))
    elif kind == "maslikhat" and key in {m.id for m in data.maslikhats()}:
        maslikhat = next(m for m in data.maslikhats() if m.id == key)
        for contest in maslikhat.contests:
            result = data.results[contest]
            rows.extend(contest_rows(data, result))
    else:
        raise KeyError(name)
    return Table(name, RESULT_COLUMNS, rows)


def _choices_only(data: PortalData, result: ContestResult) -> Iterator[Row]:
    return (row for row in contest_rows(data, result) if row[3] == "choice")


def protocols_table(
    data: PortalData, stations: Iterable[str] | None = None, name: str = "protocols"
) -> Table:
    """Stored protocols (of every station, or of ``stations``), one row each: lines as
    columns (empty where the form lacks the line), votes (choice id -> votes, in ballot
    order) and findings as JSON text."""
    rows: list[Row] = []
    known = data.election.stations
    chosen = data.protocols if stations is None else stations
    for station_id in chosen:
        commission = known[station_id].commission
        for p in data.protocols.get(station_id, ()):
            findings = [
                {"code": f.code, "key": f.key, "values": dict(f.values)} for f in p.findings
            ]
            rows.append(
                (
                    station_id, commission, p.contest, p.status, p.version,
                    *(p.lines.get(line) for line in Line),
                    json.dumps(dict(p.votes), separators=(",", ":")),
                    json.dumps(findings, separators=(",", ":"), sort_keys=True),
                )
            )  # fmt: skip
    return Table(name, PROTOCOL_COLUMNS, rows)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(name for name, _ in table.columns)
    writer.writerows(("" if v is None else v for v in row) for row in table.rows)
    return out.getvalue().encode("utf-8")


def to_json(table: Table, data: PortalData) -> bytes:
    names = [name for name, _ in table.columns]
    document = {
        "election": data.election.id,
        "table": table.name,
        "status": data.status,
        "updated": data.updated.isoformat() if data.updated else None,
        "rows": [dict(zip(names, row, strict=True)) for row in table.rows],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def to_parquet(table: Table) -> bytes:
    fields = [
        pa.field(name, pa.int64() if kind == "int" else pa.string()) for name, kind in table.columns
    ]
    columns: Sequence[Sequence[str | int | None]] = (
        list(zip(*table.rows, strict=True)) if table.rows else [() for _ in fields]
    )
    arrays = [pa.array(c, type=f.type) for c, f in zip(columns, fields, strict=True)]
    arrow = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(arrow, sink, compression="snappy", use_dictionary=False, write_statistics=False)
    return bytes(sink.getvalue().to_pybytes())


def encode(table: Table, fmt: str, data: PortalData) -> bytes:
    if fmt == "csv":
        return to_csv(table)
    if fmt == "json":
        return to_json(table, data)
    if fmt == "parquet":
        return to_parquet(table)
    raise KeyError(fmt)
