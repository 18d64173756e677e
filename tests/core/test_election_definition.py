"""Election definitions: a valid document parses; each malformed one is refused with the
exact message naming the path inside the document."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from saylau.core.election import ElectionError, Level, parse_election
from small_elections import (
    cec,
    commission,
    definition,
    party_list,
    polling_station,
    region,
    territory,
)

BASE: dict[str, object] = {
    **definition(
        "test",
        date="2023-03-19",
        title={"kk": "Сынақ", "ru": "Тест", "en": "Test"},
        commissions=[
            cec(),
            region("r1", "Region 1"),
            territory("t1", "Territory 1", "r1"),
            commission("d1", "district", "District 1", "r1"),
        ],
        stations=[polling_station("s1", "t1"), polling_station("s2", "t1", 800, number=2)],
        contests=[
            party_list(choices=["p1"], title="List", seats=5),
            {
                "id": "smd-1",
                "rule": "mazhilis-district",
                "title": "District 1",
                "commission": "d1",
                "seats": 1,
                "stations": ["s2"],
                "choices": [
                    {"id": "c1", "name": "Candidate 1"},
                    {"id": "c2", "name": "Candidate 2"},
                ],
            },
        ],
    ),
    "parties": [{"id": "p1", "name": "Party 1", "color": "#123456"}],
}


def changed(change: Callable[[dict[str, object]], None]) -> dict[str, object]:
    document = copy.deepcopy(BASE)
    change(document)
    return document


def at(path: str, value: object) -> Callable[[dict[str, object]], None]:
    """Set ``value`` at a dotted path with list indices (``stations.1.voters``)."""

    def change(document: dict[str, object]) -> None:
        *parents, last = path.split(".")
        target: object = document
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]  # type: ignore[index]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            assert isinstance(target, dict)
            target[last] = value

    return change


CASES = [
    ("format", at("format", "saylau/0"), "format: expected 'saylau-election/1', found 'saylau/0'"),
    ("date", at("date", "19.03.2023"), "date: expected a date YYYY-MM-DD, found '19.03.2023'"),
    (
        "level",
        at("commissions.1.level", "oblast"),
        "commissions[1].level: expected one of cec, region, territory, district, found 'oblast'",
    ),
    (
        "parent-later",
        at("commissions.2.parent", "d1"),
        "commissions[2].parent: expected the id of a commission listed before it, found 'd1'",
    ),
    (
        "second-root",
        at("commissions.1.parent", None),
        "commissions[1].parent: expected a parent: only the first commission is the root",
    ),
    (
        "duplicate-id",
        at("stations.1.id", "s1"),
        "stations[1].id: expected an id not used before (stations[0] has it), found 's1'",
    ),
    (
        "negative-voters",
        at("stations.0.voters", -5),
        "stations[0].voters: expected a whole number of at least 0, found -5",
    ),
    (
        "voters-text",
        at("stations.0.voters", "1000"),
        "stations[0].voters: expected a whole number of at least 0, found '1000'",
    ),
    (
        "unknown-commission",
        at("stations.0.commission", "t9"),
        "stations[0].commission: expected the id of a commission, found 't9'",
    ),
    (
        "names",
        at("commissions.1.name", {"kk": "Облыс", "ru": "Область"}),
        "commissions[1].name.en: expected a non-empty string; the key is missing",
    ),
    (
        "colour",
        at("parties.0.color", "blue"),
        "parties[0].color: expected a colour #RRGGBB, found 'blue'",
    ),
    (
        "unknown-party",
        at("contests.0.choices", [{"id": "p9", "party": "p9"}]),
        "contests[0].choices[0].party: expected the id of a party, found 'p9'",
    ),
    (
        "unknown-station",
        at("contests.1.stations", ["s9"]),
        "contests[1].stations[0]: expected the id of a station, found 's9'",
    ),
    (
        "nobody-votes",
        at("contests.1.stations", []),
        "contests[1].area: expected at least one commission or station that votes",
    ),
    (
        "no-choices",
        at("contests.0.choices", []),
        "contests[0].choices: expected at least one party list or candidate",
    ),
    (
        "zero-seats",
        at("contests.0.seats", 0),
        "contests[0].seats: expected a whole number of at least 1, found 0",
    ),
    (
        "choice-twice",
        at("contests.1.choices", [{"id": "c1", "name": "A"}, {"id": "c1", "name": "B"}]),
        "contests[1].choices[1].id: expected a choice id not used before in this contest, "
        "found 'c1'",
    ),
]


def test_the_base_document_parses() -> None:
    election = parse_election(BASE, "test.json")
    assert election.commissions["d1"].level is Level.DISTRICT
    assert election.contest_stations("list") == ("s1", "s2")
    assert election.contest_stations("smd-1") == ("s2",)
    assert election.station_contests["s2"] == ("list", "smd-1")
    assert election.voters == 1800
    assert election.contests["list"].choices[0].name.en == "Party 1"
    assert election.stations["s2"].number == "2"


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_definition_names_the_path(
    change: Callable[[dict[str, object]], None], message: str
) -> None:
    with pytest.raises(ElectionError) as caught:
        parse_election(changed(change), "test.json")
    assert str(caught.value) == f"test.json: {message}"
