"""The definition of one election event: commissions, stations, parties and contests.

A definition is data (a JSON document, see docs/election-definition.md); :func:`parse_election`
checks it and builds an :class:`Election`. Every error names the path inside the document
(``stations[17].voters``), what was expected and what was found.

The commission tree is one hierarchy (CEC -> regions -> territorial commissions -> polling
stations). A contest names the commission that determines its result and the stations that
vote in it: whole subtrees (``area``) and/or single stations (``stations``), so a single-member
district that crosses territorial borders fits too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property

from saylau.core.errors import CoreError
from saylau.core.names import LANGUAGES, Names

FORMAT = "saylau-election/1"


class ElectionError(CoreError):
    """A definition document is malformed: ``path`` inside it, what was expected, found."""

    def __init__(self, source: str, path: str, expected: str, found: object = None):
        self.source = source
        self.path = path
        self.expected = expected
        self.found = found
        text = f"{source}: {path}: expected {expected}"
        if found is not None:
            shown = repr(found)
            text += f", found {shown[:80]}"
        super().__init__(text)


class Level(StrEnum):
    """Levels of the commission tree, top down."""

    CEC = "cec"
    REGION = "region"
    TERRITORY = "territory"
    DISTRICT = "district"


@dataclass(frozen=True, slots=True)
class Commission:
    id: str
    level: Level
    name: Names
    parent: str | None


@dataclass(frozen=True, slots=True)
class Station:
    """A polling station; its precinct commission has the same id."""

    id: str
    commission: str
    number: str
    voters: int
    abroad: bool = False


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: Names
    short: Names
    color: str


@dataclass(frozen=True, slots=True)
class ContestChoice:
    """A line of a contest's ballot: a party list or a candidate; ``party`` is the nominating
    party (``None`` for self-nominated candidates)."""

    id: str
    name: Names
    party: str | None = None


@dataclass(frozen=True, slots=True)
class ContestDef:
    id: str
    rule: str
    title: Names
    commission: str
    seats: int
    choices: tuple[ContestChoice, ...]
    area: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    against_all: bool = True


@dataclass(frozen=True)
class Election:
    id: str
    date: date
    title: Names
    ruleset: str
    commissions: Mapping[str, Commission]
    stations: Mapping[str, Station]
    parties: Mapping[str, Party]
    contests: Mapping[str, ContestDef]
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)

    @cached_property
    def children(self) -> Mapping[str, tuple[str, ...]]:
        """Child commissions of each commission, in definition order."""
        kids: dict[str, list[str]] = {cid: [] for cid in self.commissions}
        for commission in self.commissions.values():
            if commission.parent is not None:
                kids[commission.parent].append(commission.id)
        return {cid: tuple(ids) for cid, ids in kids.items()}

    @cached_property
    def stations_by_commission(self) -> Mapping[str, tuple[str, ...]]:
        """Stations directly under each commission."""
        found: dict[str, list[str]] = {cid: [] for cid in self.commissions}
        for station in self.stations.values():
            found[station.commission].append(station.id)
        return {cid: tuple(ids) for cid, ids in found.items()}

    def path(self, commission_id: str) -> tuple[str, ...]:
        """Commission ids from the root down to ``commission_id``."""
        chain = []
        current: str | None = commission_id
        while current is not None:
            chain.append(current)
            current = self.commissions[current].parent
        return tuple(reversed(chain))

    def subtree_stations(self, commission_id: str) -> tuple[str, ...]:
        """Every station under ``commission_id``, depth first."""
        result: list[str] = []
        stack = [commission_id]
        while stack:
            current = stack.pop()
            result.extend(self.stations_by_commission[current])
            stack.extend(reversed(self.children[current]))
        return tuple(result)

    def contest_stations(self, contest_id: str) -> tuple[str, ...]:
        """The stations that vote in a contest, without repetition, in definition order."""
        contest = self.contests[contest_id]
        chosen: dict[str, None] = {}
        for commission_id in contest.area:
            chosen.update(dict.fromkeys(self.subtree_stations(commission_id)))
        chosen.update(dict.fromkeys(contest.stations))
        return tuple(chosen)

    @cached_property
    def station_contests(self) -> Mapping[str, tuple[str, ...]]:
        """The contests each station votes in."""
        found: dict[str, list[str]] = {sid: [] for sid in self.stations}
        for contest_id in self.contests:
            for station_id in self.contest_stations(contest_id):
                found[station_id].append(contest_id)
        return {sid: tuple(ids) for sid, ids in found.items()}

    @property
    def voters(self) -> int:
        return sum(s.voters for s in self.stations.values())


class _Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, expected: str, found: object = None) -> ElectionError:
        return ElectionError(self.source, path, expected, found)

    def text(self, data: Mapping[str, object], key: str, path: str) -> str:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if key not in data:
            raise self.fail(where, "a non-empty string; the key is missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "a non-empty string", value)
        return value

    def optional_text(self, data: Mapping[str, object], key: str, path: str) -> str | None:
        return None if data.get(key) is None else self.text(data, key, path)

    def integer(self, data: Mapping[str, object], key: str, path: str, minimum: int) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"{path}.{key}", f"a whole number of at least {minimum}", value)
        return value

    def names(self, data: Mapping[str, object], key: str, path: str) -> Names:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if isinstance(value, str) and value.strip():
            return Names.same(value)
        if not isinstance(value, Mapping):
            raise self.fail(where, "names {kk, ru, en} or one string", value)
        texts = [self.text(value, language, where) for language in LANGUAGES]
        return Names(*texts)

    def items(self, data: Mapping[str, object], key: str, path: str) -> list[Mapping[str, object]]:
        value = data.get(key, [])
        where = f"{path}.{key}" if path else key
        if not isinstance(value, list):
            raise self.fail(where, "a list", value)
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise self.fail(f"{where}[{index}]", "an object", item)
        return value

    def ids(self, data: Mapping[str, object], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{path}.{key}", "a list of ids", value)
        return tuple(value)


def _unique(read: _Reader, path: str, item_id: str, seen: dict[str, str]) -> None:
    if item_id in seen:
        raise read.fail(f"{path}.id", f"an id not used before ({seen[item_id]} has it)", item_id)
    seen[item_id] = path


def parse_election(data: Mapping[str, object], source: str) -> Election:
    """Check a decoded definition document and build the :class:`Election`."""
    read = _Reader(source)
    if data.get("format") != FORMAT:
        raise read.fail("format", f"'{FORMAT}'", data.get("format"))
    try:
        day = date.fromisoformat(read.text(data, "date", ""))
    except ValueError:
        raise read.fail("date", "a date YYYY-MM-DD", data.get("date")) from None

    commissions: dict[str, Commission] = {}
    seen: dict[str, str] = {}
    for index, item in enumerate(read.items(data, "commissions", "")):
        path = f"commissions[{index}]"
        cid = read.text(item, "id", path)
        _unique(read, path, cid, seen)
        try:
            level = Level(str(item.get("level")))
        except ValueError:
            options = ", ".join(level.value for level in Level)
            raise read.fail(f"{path}.level", f"one of {options}", item.get("level")) from None
        parent = read.optional_text(item, "parent", path)
        if parent is not None and parent not in commissions:
            raise read.fail(f"{path}.parent", "the id of a commission listed before it", parent)
        if parent is None and commissions:
            raise read.fail(f"{path}.parent", "a parent: only the first commission is the root")
        commissions[cid] = Commission(cid, level, read.names(item, "name", path), parent)
    if not commissions:
        raise read.fail("commissions", "at least one commission (the root)")

    stations: dict[str, Station] = {}
    for index, item in enumerate(read.items(data, "stations", "")):
        path = f"stations[{index}]"
        sid = read.text(item, "id", path)
        _unique(read, path, sid, seen)
        parent = read.text(item, "commission", path)
        if parent not in commissions:
            raise read.fail(f"{path}.commission", "the id of a commission", parent)
        abroad = item.get("abroad", False)
        if not isinstance(abroad, bool):
            raise read.fail(f"{path}.abroad", "true or false", abroad)
        number = item.get("number", sid)
        stations[sid] = Station(
            sid, parent, str(number), read.integer(item, "voters", path, 0), abroad
        )

    parties: dict[str, Party] = {}
    for index, item in enumerate(read.items(data, "parties", "")):
        path = f"parties[{index}]"
        pid = read.text(item, "id", path)
        _unique(read, path, pid, seen)
        color = item.get("color", "#888888")
        if not isinstance(color, str) or not (len(color) == 7 and color.startswith("#")):
            raise read.fail(f"{path}.color", "a colour #RRGGBB", color)
        name = read.names(item, "name", path)
        short = read.names(item, "short", path) if "short" in item else name
        parties[pid] = Party(pid, name, short, color)

    contests: dict[str, ContestDef] = {}
    for index, item in enumerate(read.items(data, "contests", "")):
        path = f"contests[{index}]"
        contests_id = read.text(item, "id", path)
        _unique(read, path, contests_id, seen)
        contests[contests_id] = _contest(
            read, item, path, commissions=commissions, stations=stations, parties=parties
        )

    notes = data.get("notes", [])
    sources = data.get("sources", [])
    for key, value in (("notes", notes), ("sources", sources)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise read.fail(key, "a list of strings", value)
    assert isinstance(notes, list)
    assert isinstance(sources, list)
    return Election(
        id=read.text(data, "id", ""),
        date=day,
        title=read.names(data, "title", ""),
        ruleset=read.text(data, "ruleset", ""),
        commissions=commissions,
        stations=stations,
        parties=parties,
        contests=contests,
        notes=tuple(notes),
        sources=tuple(sources),
    )


def _contest(
    read: _Reader,
    item: Mapping[str, object],
    path: str,
    *,
    commissions: Mapping[str, Commission],
    stations: Mapping[str, Station],
    parties: Mapping[str, Party],
) -> ContestDef:
    commission = read.text(item, "commission", path)
    if commission not in commissions:
        raise read.fail(f"{path}.commission", "the id of a commission", commission)
    area = read.ids(item, "area", path)
    for position, cid in enumerate(area):
        if cid not in commissions:
            raise read.fail(f"{path}.area[{position}]", "the id of a commission", cid)
    members = read.ids(item, "stations", path)
    for position, sid in enumerate(members):
        if sid not in stations:
            raise read.fail(f"{path}.stations[{position}]", "the id of a station", sid)
    if not area and not members:
        raise read.fail(f"{path}.area", "at least one commission or station that votes")
    choices: list[ContestChoice] = []
    seen: set[str] = set()
    for position, choice in enumerate(read.items(item, "choices", path)):
        cpath = f"{path}.choices[{position}]"
        cid = read.text(choice, "id", cpath)
        if cid in seen:
            raise read.fail(f"{cpath}.id", "a choice id not used before in this contest", cid)
        seen.add(cid)
        party = read.optional_text(choice, "party", cpath)
        if party is not None and party not in parties:
            raise read.fail(f"{cpath}.party", "the id of a party", party)
        if "name" in choice:
            name = read.names(choice, "name", cpath)
        elif party is not None:
            name = parties[party].name
        else:
            raise read.fail(f"{cpath}.name", "a name (or a party whose name it takes)")
        choices.append(ContestChoice(cid, name, party))
    if not choices:
        raise read.fail(f"{path}.choices", "at least one party list or candidate")
    against_all = item.get("against_all", True)
    if not isinstance(against_all, bool):
        raise read.fail(f"{path}.against_all", "true or false", against_all)
    return ContestDef(
        id=read.text(item, "id", path),
        rule=read.text(item, "rule", path),
        title=read.names(item, "title", path),
        commission=commission,
        seats=read.integer(item, "seats", path, 1),
        choices=tuple(choices),
        area=area,
        stations=members,
        against_all=against_all,
    )
