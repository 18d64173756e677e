"""The definition of the elections of 19 March 2023 in Kazakhstan (format saylau-election/1).

:func:`build_definition` reads the data files of ``kz-2023/`` (regions, Mazhilis districts,
maslikhats, parties; real, with their sources) and generates what is not public, from a seed:
voters and polling stations below the regional level, the split of regions and territories
into single-member districts, and the district candidates. The result is a plain dict that
:func:`saylau.core.election.parse_election` accepts; the same seed gives the same dict.
See docs/election-definition.md.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from saylau.core.election import FORMAT
from saylau.elections import kz2023_facts as facts
from saylau.elections.fitting import apportion
from saylau.elections.kz2023_contests import (
    candidates,
    mazhilis_groups,
    partition,
    title_district,
    title_mazhilis_district,
    title_mazhilis_list,
    title_party_lists,
)

ELECTION_ID = "kz-2023"
Json = dict[str, Any]


def load_data() -> Mapping[str, Json]:
    """The TOML files of ``kz-2023/`` by name (election, regions, districts, maslikhats,
    parties), freshly read: the caller may keep or change what it gets."""
    folder = resources.files("saylau.elections").joinpath(ELECTION_ID)
    names = ("election", "regions", "districts", "maslikhats", "parties")
    return {
        name: tomllib.loads(folder.joinpath(f"{name}.toml").read_text("utf-8")) for name in names
    }


@dataclass
class Territory:
    id: str
    region: str
    name: Json
    kind: str  # city, district, city-district, abroad
    seats: int  # seats of its own city or district maslikhat (0 if none)
    maslikhat: Json | None
    voters: int = 0
    stations: int = 0

    @property
    def urban(self) -> bool:
        return self.kind in {"city", "city-district", "abroad"}


def region_order(data: Mapping[str, Json]) -> list[str]:
    """Regions in the CEC's order, the order of the Mazhilis district numbers."""
    order: list[str] = []
    for district in sorted(data["districts"]["district"], key=lambda d: d["number"]):
        if district["region"] not in order:
            order.append(district["region"])
    return order


def _territories(data: Mapping[str, Json]) -> dict[str, list[Territory]]:
    found: dict[str, list[Territory]] = {region: [] for region in region_order(data)}
    for region, districts in facts.CITY_DISTRICTS.items():
        for suffix, kk, ru, en, _share in districts:
            name = {"kk": kk, "ru": ru, "en": en}
            found[region].append(
                Territory(f"{region}-{suffix}", region, name, "city-district", 0, None)
            )
    for body in data["maslikhats"]["maslikhat"]:
        if body["kind"] != "regional":
            unit = Territory(
                body["id"], body["region"], body["unit"], body["kind"], body["seats"], body
            )
            found[body["region"]].append(unit)
    first_district: dict[str, int] = {}
    for number, ids in sorted(facts.MAZHILIS_COVERS.items()):
        for tid in ids:
            first_district.setdefault(tid, number)
    for units in found.values():
        position = {unit.id: index for index, unit in enumerate(units)}
        units.sort(key=lambda u: (first_district.get(u.id, 0), position[u.id]))
    return found


def _voters(total: int, territories: dict[str, list[Territory]], rng: np.random.Generator) -> None:
    known = {**facts.ELECTORATE_REAL, **facts.ELECTORATE_DERIVED}
    estimated = [r for r in territories if r not in known]
    rest = total - facts.ABROAD_VOTERS - sum(known.values())
    weights = np.array([facts.ELECTORATE_ESTIMATE[r] for r in estimated], np.float64)
    region_voters = dict(known)
    region_voters.update(zip(estimated, apportion(rest, weights).tolist(), strict=True))
    for region, units in territories.items():
        shares = {f"{region}-{d[0]}": d[4] for d in facts.CITY_DISTRICTS.get(region, ())}
        shares.update(facts.CITY_SHARES)
        fixed = sum(shares.get(u.id, 0.0) for u in units)
        rural = [u for u in units if u.id not in shares]
        weights_by_id = dict(shares)
        if rural:
            spread = rng.lognormal(0.0, 0.35, len(rural)) * np.array([u.seats for u in rural])
            shares_left = (1 - fixed) * spread / spread.sum()
            weights_by_id.update(zip((u.id for u in rural), shares_left.tolist(), strict=True))
        w = np.array([weights_by_id[u.id] for u in units], np.float64)
        lower = np.array([max(u.seats, 1) * 200 for u in units], np.int64)
        for unit, voters in zip(
            units, apportion(region_voters[region], w, lower).tolist(), strict=True
        ):
            unit.voters = voters


def _station_counts(territories: dict[str, list[Territory]]) -> None:
    def mean(unit: Territory) -> float:
        return facts.STATION_MEAN_URBAN if unit.urban else facts.STATION_MEAN_RURAL

    fixed = dict(facts.STATIONS_REGION_REAL)
    free = [r for r in territories if r not in fixed]
    weights = np.array([sum(u.voters / mean(u) for u in territories[r]) for r in free])
    counts = dict(fixed)
    rest = facts.STATIONS_DOMESTIC - sum(fixed.values())
    counts.update(zip(free, apportion(rest, weights).tolist(), strict=True))
    for region, units in territories.items():
        w = np.array([u.voters / mean(u) for u in units], np.float64)
        lower = [max(u.seats, -(-u.voters // facts.STATION_VOTERS_MAX)) for u in units]
        upper = [u.voters // facts.STATION_VOTERS_MIN for u in units]
        for index, unit in enumerate(units):
            if unit.id in facts.STATIONS_TERRITORY_REAL:
                lower[index] = upper[index] = facts.STATIONS_TERRITORY_REAL[unit.id]
        result = apportion(counts[region], w, np.array(lower), np.array(upper))
        for unit, count in zip(units, result.tolist(), strict=True):
            unit.stations = count


def _station_sizes(count: int, voters: int, urban: bool, rng: np.random.Generator) -> list[int]:
    weights = rng.lognormal(0.0, 0.3 if urban else 0.55, count)
    lower = np.full(count, facts.STATION_VOTERS_MIN, np.int64)
    upper = np.full(count, facts.STATION_VOTERS_MAX, np.int64)
    sizes: list[int] = apportion(voters, weights, lower, upper).tolist()
    return sizes


def _commission(cid: str, level: str, name: Json, parent: str | None) -> Json:
    return {"id": cid, "level": level, "name": name, "parent": parent}


def build_definition(seed: int = 2023) -> dict[str, object]:
    """The kz-2023 definition as a JSON-able dict (format saylau-election/1): the real
    commission tree, parties and contests with generated stations and candidates."""
    data = load_data()
    election = data["election"]
    rng = np.random.default_rng(seed)
    picker = random.Random(seed)
    regions = {r["id"]: r for r in data["regions"]["region"]}
    territories = _territories(data)
    _voters(int(election["voters_on_lists"]), territories, rng)
    _station_counts(territories)
    abroad = Territory(
        "kz-abroad",
        "kz-astana",
        {
            "kk": "Шет елдердегі сайлау учаскелері",
            "ru": "Избирательные участки за рубежом",
            "en": "Polling stations abroad",
        },
        "abroad",
        0,
        None,
        facts.ABROAD_VOTERS,
        int(election["polling_stations_abroad"]),
    )
    districts_by_region: dict[str, list[Json]] = {}
    for district in sorted(data["districts"]["district"], key=lambda d: d["number"]):
        districts_by_region.setdefault(district["region"], []).append(district)

    commissions: list[Json] = [
        _commission(
            "cec",
            "cec",
            {
                "kk": "Қазақстан Республикасының Орталық сайлау комиссиясы",
                "ru": "Центральная избирательная комиссия Республики Казахстан",
                "en": "Central Election Commission of the Republic of Kazakhstan",
            },
            None,
        )
    ]
    stations: list[Json] = []
    by_territory: dict[str, list[Json]] = {}
    for region, units in territories.items():
        commissions.append(_commission(region, "region", regions[region]["name"], "cec"))
        listed = [*units, abroad] if region == abroad.region else units
        numbers = {region: 0, abroad.id: 0}
        for unit in listed:
            commissions.append(_commission(unit.id, "territory", unit.name, region))
            series = abroad.id if unit is abroad else region
            own: list[Json] = []
            for size in _station_sizes(unit.stations, unit.voters, unit.urban, rng):
                numbers[series] += 1
                number = numbers[series]
                own.append(
                    {
                        "id": f"{series}-ps-{number:04d}",
                        "commission": unit.id,
                        "number": str(number),
                        "voters": size,
                        "abroad": unit is abroad,
                    }
                )
            by_territory[unit.id] = own
            stations.extend(own)
        for district in districts_by_region[region]:
            commissions.append(_commission(district["id"], "district", district["name"], region))

    bodies = {b["region"]: b for b in data["maslikhats"]["maslikhat"] if b["kind"] == "regional"}
    contests = _contests(
        data,
        territories=territories,
        by_territory=by_territory,
        districts_by_region=districts_by_region,
        bodies=bodies,
        picker=picker,
    )
    return {
        "format": FORMAT,
        "id": election["id"],
        "date": election["date"].isoformat(),
        "title": election["title"],
        "ruleset": election["ruleset"],
        "commissions": commissions,
        "stations": stations,
        "parties": _parties(data),
        "contests": contests,
        "notes": list(facts.DEFINITION_NOTES),
        "sources": list(dict.fromkeys([*election["sources"], *facts.EXTRA_SOURCES])),
    }


def _parties(data: Mapping[str, Json]) -> list[Json]:
    parties = sorted(data["parties"]["party"], key=lambda p: p["ballot_position"])
    return [
        {"id": p["id"], "name": p["name"], "short": p["short"], "color": p["colour"]}
        for p in parties
    ]


def _contests(
    data: Mapping[str, Json],
    *,
    territories: Mapping[str, Sequence[Territory]],
    by_territory: Mapping[str, Sequence[Json]],
    districts_by_region: Mapping[str, Sequence[Json]],
    bodies: Mapping[str, Json],
    picker: random.Random,
) -> list[Json]:
    party_ids = [
        p["id"] for p in sorted(data["parties"]["party"], key=lambda p: p["ballot_position"])
    ]
    contests: list[Json] = [
        {
            "id": "mazhilis-list",
            "rule": "mazhilis-list",
            "title": title_mazhilis_list(),
            "commission": "cec",
            "seats": int(data["election"]["mazhilis"]["party_list_seats"]),
            "choices": [{"id": pid, "party": pid} for pid in party_ids],
            "area": ["cec"],
            "against_all": True,
        }
    ]
    for region, districts in districts_by_region.items():
        units = territories[region]
        groups = mazhilis_groups(
            region,
            [d["number"] for d in districts],
            [(u.id, u.voters) for u in units],
            by_territory,
        )
        for district, (area, members) in zip(districts, groups, strict=True):
            contest_id = f"mazhilis-district-{district['number']:02d}"
            contests.append(
                {
                    "id": contest_id,
                    "rule": "mazhilis-district",
                    "title": title_mazhilis_district(district["name"]),
                    "commission": district["id"],
                    "seats": 1,
                    "choices": candidates(contest_id, region, "mazhilis", party_ids, picker),
                    "area": area,
                    "stations": members,
                    "against_all": True,
                }
            )
    for region, units in territories.items():
        body = bodies[region]
        absent = facts.REGIONAL_LIST_ABSENT.get(region, ())
        contests.append(
            {
                "id": f"regional-list-{region}",
                "rule": "regional-maslikhat-list",
                "title": title_party_lists(body["name"]),
                "commission": region,
                "seats": int(body["list_seats"]),
                "choices": [{"id": p, "party": p} for p in party_ids if p not in absent],
                "area": [u.id for u in units] if region == "kz-astana" else [region],
                "against_all": True,
            }
        )
        region_stations = [s for u in units for s in by_territory[u.id]]
        parts = partition([s["voters"] for s in region_stations], int(body["district_seats"]))
        for number, (start, end) in enumerate(parts, start=1):
            contest_id = f"regional-district-{region}-{number:02d}"
            contests.append(
                {
                    "id": contest_id,
                    "rule": "regional-maslikhat-district",
                    "title": title_district(body["name"], number),
                    "commission": region,
                    "seats": 1,
                    "choices": candidates(contest_id, region, "maslikhat", party_ids, picker),
                    "stations": [s["id"] for s in region_stations[start:end]],
                    "against_all": True,
                }
            )
        for unit in units:
            if unit.maslikhat is None:
                continue
            own = by_territory[unit.id]
            for number, (start, end) in enumerate(
                partition([s["voters"] for s in own], unit.seats), start=1
            ):
                contest_id = f"local-district-{unit.id}-{number:02d}"
                contests.append(
                    {
                        "id": contest_id,
                        "rule": "local-maslikhat-district",
                        "title": title_district(unit.maslikhat["name"], number),
                        "commission": unit.id,
                        "seats": 1,
                        "choices": candidates(contest_id, region, "maslikhat", party_ids, picker),
                        "stations": [s["id"] for s in own[start:end]],
                        "against_all": True,
                    }
                )
    return contests
