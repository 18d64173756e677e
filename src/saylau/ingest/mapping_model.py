"""The checked content of an import mapping (see :mod:`saylau.ingest.mapping`, which reads
it, and docs/import-mapping.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from saylau.core.controls import ControlSettings
from saylau.core.election import Level
from saylau.core.names import Names
from saylau.core.protocol import Line

FORMAT = "saylau-mapping/1"

ColumnRef = str | int
"""A column: its header text, or its position counted from 1."""


@dataclass(frozen=True, slots=True)
class LevelSpec:
    """One level of the commission tree made from a column's values."""

    column: ColumnRef
    level: Level


@dataclass(frozen=True, slots=True)
class NewElection:
    """An election definition to create from the file."""

    id: str
    title: Names
    date: date
    ruleset: str
    root_id: str
    root_name: Names
    levels: tuple[LevelSpec, ...]
    station: ColumnRef
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContestSpec:
    """The contest of the protocols; the other keys only when the definition is created."""

    id: str
    rule: str | None = None
    title: Names | None = None
    seats: int | None = None
    commission: str | None = None
    against_all: bool | None = None


@dataclass(frozen=True, slots=True)
class ChoiceSpec:
    """A party or candidate and its column; ``party``: a created definition also lists it as
    a party (with the same id)."""

    id: str
    column: ColumnRef
    name: Names | None = None
    short: Names | None = None
    color: str | None = None
    party: bool = True


@dataclass(frozen=True)
class ImportMapping:
    """A checked mapping. ``station`` holds the columns whose values, joined by ``/``, are a
    station's id (with a created election: the level columns, then the station column)."""

    source: str
    election_id: str
    new_election: NewElection | None
    station: tuple[ColumnRef, ...]
    contest: ContestSpec
    lines: Mapping[Line, tuple[ColumnRef, ...]]
    choices: tuple[ChoiceSpec, ...]
    ignore: tuple[ColumnRef, ...] = ()
    encoding: str = "utf-8"
    delimiter: str = ","
    member: str | None = None
    accept: Mapping[str, str] = field(default_factory=dict)
    controls: ControlSettings = field(default_factory=ControlSettings)
    sha256: str = ""

    @property
    def creates(self) -> bool:
        """Whether the mapping creates the election definition from the file."""
        return self.new_election is not None

    def uses(self) -> list[tuple[ColumnRef, str]]:
        """Every column the mapping reads, with the key that names it."""
        used: list[tuple[ColumnRef, str]] = []
        if self.new_election is not None:
            for index, level in enumerate(self.new_election.levels):
                used.append((level.column, f"election.levels[{index}].column"))
            used.append((self.new_election.station, "election.station"))
        else:
            used += [(ref, "station") for ref in self.station]
        for line, refs in self.lines.items():
            used += [(ref, f"lines.{line.value}") for ref in refs]
        used += [(c.column, f"choices[{i}].column") for i, c in enumerate(self.choices)]
        return used
