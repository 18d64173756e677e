"""Import mappings: how the columns of a wide CSV file (one row per polling station) become
count protocols. The format is documented in docs/import-mapping.md.

A mapping is a TOML document (``format = "saylau-mapping/1"``) that names

- the file's options: encoding, delimiter, and the member of a zip archive;
- the election: an existing stored definition (``election = "ID"``: the station columns give
  the ids of its stations), or an ``[election]`` table that creates the definition from the
  file (the commission tree comes from columns, one per level);
- the contest the protocols belong to;
- ``[lines]``: which column(s) hold each protocol line (several columns are summed);
- ``[[choices]]``: the column of each party or candidate;
- ``ignore``: the columns that are deliberately not imported;
- ``[controls]``: the control levels, and error codes that the source's law does not treat
  as errors (accepted as warnings, with the reason recorded on each protocol).

A column is named by its header text (exactly, surrounding spaces aside) or by its 1-based
position. Every problem is an :class:`IngestError` naming the mapping file and the key.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

from saylau.core.controls import CODES, ControlSettings, Severity
from saylau.core.election import Level
from saylau.core.names import LANGUAGES, Names
from saylau.core.protocol import Line
from saylau.ingest.errors import IngestError
from saylau.ingest.mapping_model import (
    FORMAT,
    ChoiceSpec,
    ColumnRef,
    ContestSpec,
    ImportMapping,
    LevelSpec,
    NewElection,
)

__all__ = [
    "FORMAT",
    "ChoiceSpec",
    "ColumnRef",
    "ContestSpec",
    "ImportMapping",
    "LevelSpec",
    "NewElection",
    "load_mapping",
    "parse_mapping",
]

_KEYS: dict[str, tuple[str, ...]] = {
    "": (
        "format",
        "election",
        "station",
        "ignore",
        "file",
        "contest",
        "lines",
        "choices",
        "controls",
    ),
    "file": ("encoding", "delimiter", "member"),
    "election": (
        "id",
        "title",
        "date",
        "ruleset",
        "root",
        "levels",
        "station",
        "notes",
        "sources",
    ),
    "root": ("id", "name"),
    "level": ("column", "level"),
    "contest": ("id", "rule", "title", "seats", "commission", "against_all"),
    "contest_existing": ("id",),
    "choice": ("id", "column", "name", "short", "color", "party"),
    "controls": (
        "accept",
        "added_voters_percent",
        "turnout_high_percent",
        "turnout_low_percent",
        "invalid_percent",
        "missing_ballots_percent",
    ),
}
_LEVELS = tuple(level for level in Level if level is not Level.CEC)
ERROR_CODES = {code: key for key, (code, severity) in CODES.items() if severity is Severity.ERROR}


class _Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, expected: str, found: object = None) -> IngestError:
        return IngestError(self.source, None, key, expected, found)

    def known(self, data: Mapping[str, object], path: str, kind: str) -> None:
        allowed = _KEYS[kind]
        for key in data:
            if key not in allowed:
                raise self.fail(_join(path, key), f"one of the keys {', '.join(allowed)}", key)

    def table(self, data: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail(_join(path, key), "a table", value)
        return value

    def text(self, data: Mapping[str, object], key: str, path: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_join(path, key), "a non-empty string", value)
        return value.strip()

    def names(self, data: Mapping[str, object], key: str, path: str) -> Names:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return Names.same(value.strip())
        if isinstance(value, Mapping):
            return Names(*(self.text(value, lang, _join(path, key)) for lang in LANGUAGES))
        raise self.fail(_join(path, key), "a name: one string or a table {kk, ru, en}", value)

    def column(self, value: object, key: str) -> ColumnRef:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(key, "a column: its header text or its position from 1", value)
        if isinstance(value, int) and value < 1:
            raise self.fail(key, "a column position of 1 or more", value)
        if isinstance(value, str) and not value.strip():
            raise self.fail(key, "a column: its header text or its position from 1", value)
        return value.strip() if isinstance(value, str) else value

    def columns(self, value: object, key: str) -> tuple[ColumnRef, ...]:
        if isinstance(value, list):
            if not value:
                raise self.fail(key, "a column or a non-empty list of columns", value)
            return tuple(self.column(item, f"{key}[{i}]") for i, item in enumerate(value))
        return (self.column(value, key),)

    def strings(self, data: Mapping[str, object], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(_join(path, key), "a list of strings", value)
        return tuple(value)

    def flag(self, data: Mapping[str, object], key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(_join(path, key), "true or false", value)
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def load_mapping(path: Path) -> ImportMapping:
    """Read and check a mapping file."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise IngestError(
            path.name, None, None, "a readable mapping file", error.strerror
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise IngestError(path.name, None, None, "a mapping file in UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise IngestError(path.name, None, None, f"valid TOML ({error})") from None
    mapping = parse_mapping(data, path.name)
    return replace(mapping, sha256=hashlib.sha256(raw).hexdigest())


def parse_mapping(data: Mapping[str, object], source: str) -> ImportMapping:
    """Check a decoded mapping document; ``source`` names it in errors."""
    read = _Reader(source)
    read.known(data, "", "")
    if data.get("format") != FORMAT:
        raise read.fail("format", f"'{FORMAT}'", data.get("format"))
    options = read.table(data, "file", "")
    read.known(options, "file", "file")
    encoding = str(options.get("encoding", "utf-8"))
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise read.fail(
            "file.encoding", "a known text encoding (utf-8, cp1251...)", encoding
        ) from None
    delimiter = options.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise read.fail("file.delimiter", "one character such as ',' ';' or a tab", delimiter)
    member = options.get("member")
    if member is not None and (not isinstance(member, str) or not member.strip()):
        raise read.fail("file.member", "the name of a .csv file inside the zip archive", member)

    election = data.get("election")
    new: NewElection | None = None
    if isinstance(election, str) and election.strip():
        if "station" not in data:
            raise read.fail("station", "the column(s) holding the ids of the stored stations")
        station = read.columns(data["station"], "station")
        election_id = election.strip()
    elif isinstance(election, Mapping):
        if "station" in data:
            raise read.fail(
                "station", "no top-level 'station' with [election] (use election.station)"
            )
        new = _new_election(read, election)
        station = (*(level.column for level in new.levels), new.station)
        election_id = new.id
    else:
        raise read.fail(
            "election",
            "the id of a stored election, or an [election] table to create one",
            election,
        )
    contest = _contest(read, read.table(data, "contest", ""), creates=new is not None)
    lines = _lines(read, read.table(data, "lines", ""))
    if new is not None and Line.VOTERS not in lines:
        raise read.fail(
            "lines.voters", "the voters column: a created station's voters come from it"
        )
    choices = _choices(read, data.get("choices"), creates=new is not None)
    ignore_value = data.get("ignore", [])
    if not isinstance(ignore_value, list):
        raise read.fail("ignore", "a list of columns", ignore_value)
    ignore = tuple(read.column(v, f"ignore[{i}]") for i, v in enumerate(ignore_value))
    accept, settings = _controls(read, read.table(data, "controls", ""))
    return ImportMapping(
        source=source,
        election_id=election_id,
        new_election=new,
        station=station,
        contest=contest,
        lines=lines,
        choices=choices,
        ignore=ignore,
        encoding=encoding,
        delimiter=delimiter,
        member=member.strip() if isinstance(member, str) else None,
        accept=accept,
        controls=settings,
    )


def _new_election(read: _Reader, data: Mapping[str, object]) -> NewElection:
    read.known(data, "election", "election")
    day = data.get("date")
    if isinstance(day, str):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(day)
    if not isinstance(day, date):
        raise read.fail("election.date", "a date YYYY-MM-DD", data.get("date"))
    root = read.table(data, "root", "election")
    read.known(root, "election.root", "root")
    root_id = read.text(root, "id", "election.root") if "id" in root else "root"
    root_name = read.names(root, "name", "election.root") if "name" in root else Names.same("CEC")
    levels_value = data.get("levels", [])
    if not isinstance(levels_value, list):
        raise read.fail("election.levels", "a list of {column, level} tables", levels_value)
    levels: list[LevelSpec] = []
    options = ", ".join(level.value for level in _LEVELS)
    for index, item in enumerate(levels_value):
        path = f"election.levels[{index}]"
        if not isinstance(item, Mapping):
            raise read.fail(path, "a table {column, level}", item)
        read.known(item, path, "level")
        try:
            level = Level(str(item.get("level")))
        except ValueError:
            raise read.fail(f"{path}.level", f"one of {options}", item.get("level")) from None
        if level is Level.CEC:
            raise read.fail(f"{path}.level", f"one of {options} (the root is the cec)", "cec")
        levels.append(LevelSpec(read.column(item.get("column"), f"{path}.column"), level))
    if "station" not in data:
        raise read.fail("election.station", "the column of the station (precinct) numbers")
    return NewElection(
        id=read.text(data, "id", "election"),
        title=read.names(data, "title", "election"),
        date=day,
        ruleset=read.text(data, "ruleset", "election"),
        root_id=root_id,
        root_name=root_name,
        levels=tuple(levels),
        station=read.column(data["station"], "election.station"),
        notes=read.strings(data, "notes", "election"),
        sources=read.strings(data, "sources", "election"),
    )


def _contest(read: _Reader, data: Mapping[str, object], *, creates: bool) -> ContestSpec:
    read.known(data, "contest", "contest" if creates else "contest_existing")
    contest_id = read.text(data, "id", "contest")
    if not creates:
        return ContestSpec(contest_id)
    seats = data.get("seats")
    if seats is not None and (isinstance(seats, bool) or not isinstance(seats, int) or seats < 1):
        raise read.fail("contest.seats", "a whole number of at least 1", seats)
    against_all = data.get("against_all")
    if against_all is not None and not isinstance(against_all, bool):
        raise read.fail("contest.against_all", "true or false", against_all)
    return ContestSpec(
        id=contest_id,
        rule=read.text(data, "rule", "contest"),
        title=read.names(data, "title", "contest"),
        seats=seats,
        commission=read.text(data, "commission", "contest") if "commission" in data else None,
        against_all=against_all,
    )


def _lines(read: _Reader, data: Mapping[str, object]) -> dict[Line, tuple[ColumnRef, ...]]:
    lines: dict[Line, tuple[ColumnRef, ...]] = {}
    options = ", ".join(line.value for line in Line)
    for key, value in data.items():
        try:
            line = Line(key)
        except ValueError:
            raise read.fail(f"lines.{key}", f"a protocol line: one of {options}", key) from None
        lines[line] = read.columns(value, f"lines.{key}")
    return {line: lines[line] for line in Line if line in lines}


def _choices(read: _Reader, value: object, *, creates: bool) -> tuple[ChoiceSpec, ...]:
    if not isinstance(value, list) or not value:
        raise read.fail("choices", "a list of [[choices]] tables (id, column, name)", value)
    choices: list[ChoiceSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        path = f"choices[{index}]"
        if not isinstance(item, Mapping):
            raise read.fail(path, "a table {id, column, name}", item)
        read.known(item, path, "choice")
        choice_id = read.text(item, "id", path)
        if choice_id in seen:
            raise read.fail(f"{path}.id", "a choice id not used before", choice_id)
        seen.add(choice_id)
        if creates and "name" not in item:
            raise read.fail(f"{path}.name", "a name (the definition is created from the file)")
        color = item.get("color")
        if color is not None and (
            not isinstance(color, str) or len(color) != 7 or not color.startswith("#")
        ):
            raise read.fail(f"{path}.color", "a colour #RRGGBB", color)
        choices.append(
            ChoiceSpec(
                id=choice_id,
                column=read.column(item.get("column"), f"{path}.column"),
                name=read.names(item, "name", path) if "name" in item else None,
                short=read.names(item, "short", path) if "short" in item else None,
                color=color,
                party=read.flag(item, "party", path, True),
            )
        )
    return tuple(choices)


def _controls(read: _Reader, data: Mapping[str, object]) -> tuple[dict[str, str], ControlSettings]:
    read.known(data, "controls", "controls")
    accept_table = read.table(data, "accept", "controls")
    accept: dict[str, str] = {}
    for code, reason in accept_table.items():
        if code not in ERROR_CODES:
            raise read.fail(
                f"controls.accept.{code}", f"an error code: one of {', '.join(ERROR_CODES)}", code
            )
        if not isinstance(reason, str) or not reason.strip():
            raise read.fail(
                f"controls.accept.{code}", "the reason (why the source's law accepts it)", reason
            )
        accept[code] = reason.strip()
    levels: dict[str, Fraction] = {}
    for key in _KEYS["controls"][1:]:
        if key not in data:
            continue
        value = data[key]
        try:
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise ValueError(value)
            levels[key] = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise read.fail(
                f"controls.{key}", "a percentage written as a string ('5', '2.5')", value
            ) from None
        if not 0 <= levels[key] <= 100:
            raise read.fail(f"controls.{key}", "a percentage from 0 to 100", value)
    return accept, ControlSettings(**levels)
