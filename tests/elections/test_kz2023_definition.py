"""The generated kz-2023 definition: structure, real totals, partitions, reproducibility.

Official figures used below (CEC of Kazakhstan and the regional commissions):
https://www.election.gov.kz/eng/news/releases/index.php?ID=8937 (12,035,578 voters on the
lists, 10,223 polling stations of which 77 abroad, 98 Mazhilis seats, 223 maslikhats with
3,415 seats and 334 regional party-list seats),
https://www.inform.kz/en/2023-elections-all-10-146-polling-stations-open-countrywide_a4047446
(Turkistan 1,177,507 and Ulytau 138,277 voters),
https://kyzylorda-news.kz/ru/politika/vybory-deputatov-mazhilisa-i-maslihatov-startovali-v-kazahstane-19-03-2023
(Kyzylorda 486,002 voters, 373 stations),
https://en.inform.kz/news/amanat-party-wins-big-in-2023-local-elections-in-kazakh-capital_a4049365/
(Astana 788,931 voters).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from saylau.core.election import Election, Level, parse_election
from saylau.elections.kz2023 import build_definition, load_data
from saylau.rulesets import load_ruleset

VOTERS_ON_LISTS = 12_035_578
STATIONS = 10_223
STATIONS_ABROAD = 77
RULE_COUNTS = {
    "mazhilis-list": 1,
    "mazhilis-district": 29,
    "regional-maslikhat-list": 20,
    "regional-maslikhat-district": 334,
    "local-maslikhat-district": 2_747,
}
DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return build_definition()


@pytest.fixture(scope="module")
def election(definition: dict[str, Any]) -> Election:
    return parse_election(definition, "kz-2023")


def region_of(election: Election, commission: str) -> str:
    return election.path(commission)[1]


def test_definition_parses_with_the_header_of_the_data(election: Election) -> None:
    header = load_data()["election"]
    assert election.id == "kz-2023"
    assert election.date == header["date"]
    assert election.ruleset == "kz-2023"
    assert election.title.kk == header["title"]["kk"]


def test_definition_is_plain_json(definition: dict[str, Any]) -> None:
    again = parse_election(json.loads(json.dumps(definition)), "kz-2023.json")
    assert len(again.stations) == STATIONS
    assert len(again.contests) == sum(RULE_COUNTS.values())


def test_commission_tree(election: Election) -> None:
    levels = Counter(c.level for c in election.commissions.values())
    assert levels[Level.CEC] == 1
    assert levels[Level.REGION] == 20
    assert levels[Level.DISTRICT] == 29
    # 203 city and district maslikhats, 5 + 8 + 5 city districts, 1 for stations abroad
    assert levels[Level.TERRITORY] == 203 + 18 + 1
    regions = {r["id"] for r in load_data()["regions"]["region"]}
    assert set(election.children["cec"]) == regions
    for commission in election.commissions.values():
        if commission.level is Level.TERRITORY or commission.level is Level.DISTRICT:
            assert election.commissions[str(commission.parent)].level is Level.REGION


def test_every_city_and_district_maslikhat_has_a_territory(election: Election) -> None:
    bodies = [m for m in load_data()["maslikhats"]["maslikhat"] if m["kind"] != "regional"]
    assert len(bodies) == 203
    for body in bodies:
        assert election.commissions[body["id"]].level is Level.TERRITORY
        assert region_of(election, body["id"]) == body["region"]


def test_city_districts_of_the_three_cities(election: Election) -> None:
    names = {
        region: sorted(
            election.commissions[t].name.en
            for t in election.children[region]
            if election.commissions[t].level is Level.TERRITORY
        )
        for region in ("kz-astana", "kz-almaty", "kz-shymkent")
    }
    assert names["kz-almaty"] == [
        f"{n} District"
        for n in (
            "Alatau",
            "Almaly",
            "Auezov",
            "Bostandyk",
            "Medeu",
            "Nauryzbay",
            "Turksib",
            "Zhetysu",
        )
    ]
    assert names["kz-shymkent"] == [
        f"{n} District" for n in ("Abay", "Al-Farabi", "Enbekshi", "Karatau", "Turan")
    ]
    assert names["kz-astana"] == sorted(
        [
            *(f"{n} District" for n in ("Almaty", "Baikonyr", "Esil", "Nura", "Saryarka")),
            "Polling stations abroad",
        ]
    )


def test_contests_by_rule_and_rules_exist(election: Election) -> None:
    assert Counter(c.rule for c in election.contests.values()) == RULE_COUNTS
    ruleset = load_ruleset("kz-2023")
    for rule in RULE_COUNTS:
        ruleset.contest(rule)


def test_seats(election: Election) -> None:
    seats = Counter[str]()
    for contest in election.contests.values():
        seats[contest.rule] += contest.seats
    assert seats["mazhilis-list"] + seats["mazhilis-district"] == 69 + 29
    assert seats["regional-maslikhat-list"] == 334
    assert seats["regional-maslikhat-district"] == 334
    maslikhat_seats = sum(v for rule, v in seats.items() if "maslikhat" in rule)
    assert maslikhat_seats == 3_415


def test_223_maslikhats_are_represented(election: Election) -> None:
    regional = {c.commission for c in election.contests.values() if c.rule.startswith("regional")}
    local = {c.commission for c in election.contests.values() if c.rule.startswith("local")}
    assert len(regional) == 20
    assert len(local) == 203
    bodies = {m["id"]: m for m in load_data()["maslikhats"]["maslikhat"]}
    per_territory = Counter(
        c.commission for c in election.contests.values() if c.rule.startswith("local")
    )
    for territory, count in per_territory.items():
        assert count == bodies[territory]["seats"]
    for body in bodies.values():
        if body["kind"] == "regional":
            lists = election.contests[f"regional-list-{body['region']}"]
            assert lists.seats == body["list_seats"]
            districts = [
                c
                for c in election.contests.values()
                if c.rule == "regional-maslikhat-district" and c.commission == body["region"]
            ]
            assert len(districts) == body["district_seats"]


def test_voters_and_stations(election: Election) -> None:
    assert election.voters == VOTERS_ON_LISTS
    assert len(election.stations) == STATIONS
    abroad = [s for s in election.stations.values() if s.abroad]
    assert len(abroad) == STATIONS_ABROAD
    assert {s.commission for s in abroad} == {"kz-abroad"}
    assert all(40 <= s.voters <= 3_200 for s in election.stations.values())


def test_real_regional_figures(election: Election) -> None:
    voters: Counter[str] = Counter()
    stations: Counter[str] = Counter()
    for station in election.stations.values():
        if not station.abroad:
            region = region_of(election, station.commission)
            voters[region] += station.voters
            stations[region] += 1
    assert voters["kz-turkistan"] == 1_177_507
    assert voters["kz-ulytau"] == 138_277
    assert voters["kz-kyzylorda"] == 486_002
    assert voters["kz-astana"] == 788_931
    assert stations["kz-kyzylorda"] == 373
    assert len(election.stations_by_commission["kz-abay-city-semey"]) == 149


def test_towns_have_larger_stations_than_the_country(election: Election) -> None:
    def mean(kind: str) -> float:
        sizes = [
            s.voters
            for s in election.stations.values()
            if not s.abroad and kind in s.commission.split("-")
        ]
        return sum(sizes) / len(sizes)

    assert mean("city") > 1.5 * mean("district")


def test_ballots_per_station(election: Election) -> None:
    counts = Counter(len(c) for c in election.station_contests.values())
    cities = sum(
        len(election.subtree_stations(t))
        for r in ("kz-astana", "kz-almaty", "kz-shymkent")
        for t in election.children[r]
        if t != "kz-abroad"
    )
    assert counts == {5: STATIONS - STATIONS_ABROAD - cities, 4: cities, 1: STATIONS_ABROAD}
    for station in election.stations.values():
        if station.abroad:
            assert election.station_contests[station.id] == ("mazhilis-list",)


def test_district_contests_stay_in_their_region(election: Election) -> None:
    for contest in election.contests.values():
        if not contest.rule.endswith("district"):
            continue
        region = region_of(election, contest.commission)
        inside = set(election.subtree_stations(region))
        members = election.contest_stations(contest.id)
        assert members, contest.id
        assert set(members) <= inside, contest.id
        assert not any(election.stations[s].abroad for s in members), contest.id


@pytest.mark.parametrize(
    ("rule", "scope"),
    [
        ("mazhilis-district", "region"),
        ("regional-maslikhat-district", "region"),
        ("local-maslikhat-district", "territory"),
    ],
)
def test_district_contests_partition_their_area(election: Election, rule: str, scope: str) -> None:
    owner: dict[str, str] = {}
    areas: set[str] = set()
    for contest in election.contests.values():
        if contest.rule != rule:
            continue
        region = region_of(election, contest.commission)
        for station in election.contest_stations(contest.id):
            assert station not in owner, (station, contest.id, owner.get(station))
            owner[station] = contest.id
            commission = election.stations[station].commission
            areas.add(region if scope == "region" else commission)
    expected = {
        s.id
        for s in election.stations.values()
        if not s.abroad and (region_of(election, s.commission) in areas or s.commission in areas)
    }
    assert set(owner) == expected


def test_regional_districts_are_runs_of_consecutive_stations(election: Election) -> None:
    position = {sid: i for i, sid in enumerate(election.stations)}
    for contest in election.contests.values():
        if contest.rule in {"regional-maslikhat-district", "local-maslikhat-district"}:
            places = sorted(position[s] for s in contest.stations)
            assert places == list(range(places[0], places[-1] + 1)), contest.id


def test_mazhilis_districts_follow_the_published_territories(election: Election) -> None:
    def territories(number: int) -> set[str]:
        contest = election.contests[f"mazhilis-district-{number:02d}"]
        found = set(contest.area)
        found.update(election.stations[s].commission for s in contest.stations)
        return found

    assert territories(1) == {"kz-astana-almaty", "kz-astana-baikonyr"}
    assert territories(6) & territories(7) == {"kz-shymkent-al-farabi"}
    assert "kz-karaganda-city-temirtau" in territories(19)
    assert "kz-almaty-region-city-konaev" in territories(11)
    for district in load_data()["districts"]["district"]:
        contest = election.contests[f"mazhilis-district-{district['number']:02d}"]
        assert contest.commission == district["id"]
        assert election.commissions[district["id"]].parent == district["region"]


def party_counts(contest_choices: Any) -> Counter[str | None]:
    return Counter(choice.party for choice in contest_choices)


def test_candidates(election: Election) -> None:
    for contest in election.contests.values():
        if not contest.rule.endswith("district"):
            continue
        assert 2 <= len(contest.choices) <= 5, contest.id
        nominations = party_counts(contest.choices)
        assert all(n == 1 for party, n in nominations.items() if party is not None), contest.id
        names = [choice.name.ru for choice in contest.choices]
        assert names == sorted(names), contest.id
        for choice in contest.choices:
            assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", choice.name.en), choice.name
        if contest.rule == "mazhilis-district":
            assert nominations["amanat"] == 1, contest.id
            assert nominations[None] >= 1, contest.id


def test_regional_party_lists(election: Election) -> None:
    parties = list(election.parties)
    assert parties == ["amanat", "auyl", "respublica", "qhp", "baytaq", "ak-zhol", "jsdp"]
    national = election.contests["mazhilis-list"]
    assert [c.id for c in national.choices] == parties
    assert national.area == ("cec",)
    assert national.seats == 69
    assert national.against_all
    for region in election.children["cec"]:
        contest = election.contests[f"regional-list-{region}"]
        listed = [c.party for c in contest.choices]
        if region in {"kz-astana", "kz-almaty"}:
            assert listed == [p for p in parties if p != "jsdp"]
        else:
            assert listed == parties
        members = set(election.contest_stations(contest.id))
        assert not any(election.stations[s].abroad for s in members)
        assert members == {
            s for s in election.subtree_stations(region) if not election.stations[s].abroad
        }


def test_same_seed_same_definition_other_seed_other(definition: dict[str, Any]) -> None:
    assert build_definition(2023) == definition
    other = build_definition(7)
    assert other["stations"] != definition["stations"]
    assert sum(s["voters"] for s in other["stations"]) == VOTERS_ON_LISTS


def test_notes_and_sources(definition: Mapping[str, Any]) -> None:
    notes = " ".join(definition["notes"])
    assert "Real:" in notes
    assert "Generated:" in notes
    assert "fictional" in notes
    sources = definition["sources"]
    assert len(sources) == len(set(sources))
    assert set(load_data()["election"]["sources"]) <= set(sources)
    assert all(s.startswith(("https://", "http://")) for s in sources)


def test_the_documented_example_parses() -> None:
    text = (DOCS / "election-definition.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert block is not None
    example = parse_election(json.loads(block.group(1)), "docs example")
    assert example.voters > 0
    assert set(example.station_contests) == set(example.stations)
