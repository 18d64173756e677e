"""An election definition made from a wide file, when the mapping has an ``[election]`` table.

The commission tree comes from the level columns: the root (the mapping's ``root``), then
one commission per distinct value of each level column under its parent, then the stations.
Ids join the values from the top with ``/`` (region ``Тверская область``, territorial
commission ``Тверская область/Бежецкая``, station ``Тверская область/Бежецкая/512``), so a
precinct number needs to be unique only within its commission; names are the values. A
station's voters are its row's voters line. Only the rows whose station id and voters are
readable are used (the first row of a station seen twice), so fixing a row's numbers later
does not change the definition.

The document is built in file order and is the same for the same file and mapping, so
storing it again changes nothing.
"""

from __future__ import annotations

from saylau.core.election import FORMAT
from saylau.core.names import Names
from saylau.core.protocol import Line
from saylau.ingest.errors import IngestError
from saylau.ingest.mapping import ImportMapping
from saylau.ingest.wide_csv import WideTable

DEFAULT_COLOR = "#888888"


def names_data(names: Names) -> str | dict[str, str]:
    """One string when the three names are equal, else ``{kk, ru, en}``."""
    if names.kk == names.ru == names.en:
        return names.kk
    return {"kk": names.kk, "ru": names.ru, "en": names.en}


def election_document(table: WideTable, mapping: ImportMapping, seats: int) -> dict[str, object]:
    """The ``saylau-election/1`` document of the election the mapping creates."""
    new = mapping.new_election
    if new is None:
        raise ValueError("the mapping does not create an election")
    root = new.root_id
    commissions: list[dict[str, object]] = [
        {"id": root, "level": "cec", "name": names_data(new.root_name)}
    ]
    seen: set[str] = {root}
    stations: list[dict[str, object]] = []
    voters = table.lines[Line.VOTERS].tolist()
    depth = len(new.levels)
    for index in map(int, table.definable.nonzero()[0]):
        parts = [values[index] for values in table.keys]
        parent = root
        for level_index, level in enumerate(new.levels):
            commission_id = "/".join(parts[: level_index + 1])
            if commission_id not in seen:
                seen.add(commission_id)
                commissions.append(
                    {
                        "id": commission_id,
                        "level": level.level.value,
                        "parent": parent,
                        "name": parts[level_index],
                    }
                )
            parent = commission_id
        stations.append(
            {
                "id": table.station_ids[index],
                "commission": parent,
                "number": parts[depth],
                "voters": voters[index],
            }
        )
    if not stations:
        raise IngestError(
            table.file, None, None, "at least one row with a readable station id and voters"
        )
    parties: list[dict[str, object]] = []
    choices: list[dict[str, object]] = []
    for choice in mapping.choices:
        name = choice.name or Names.same(choice.id)
        if choice.party:
            parties.append(
                {
                    "id": choice.id,
                    "name": names_data(name),
                    "short": names_data(choice.short or name),
                    "color": choice.color or DEFAULT_COLOR,
                }
            )
            choices.append({"id": choice.id, "party": choice.id, "name": names_data(name)})
        else:
            choices.append({"id": choice.id, "name": names_data(name)})
    contest = mapping.contest
    assert contest.title is not None
    assert contest.rule is not None
    against_all = contest.against_all
    if against_all is None:
        against_all = Line.AGAINST_ALL in mapping.lines
    return {
        "format": FORMAT,
        "id": new.id,
        "date": new.date.isoformat(),
        "title": names_data(new.title),
        "ruleset": new.ruleset,
        "commissions": commissions,
        "stations": stations,
        "parties": parties,
        "contests": [
            {
                "id": contest.id,
                "rule": contest.rule,
                "title": names_data(contest.title),
                "commission": contest.commission or root,
                "seats": seats,
                "area": [contest.commission or root],
                "choices": choices,
                "against_all": against_all,
            }
        ],
        "notes": list(new.notes),
        "sources": list(new.sources),
    }
