"""Pieces of the kz-2023 contests: titles, generated candidates, splitting into districts."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Any

from saylau.elections import kz2023_facts as facts
from saylau.elections.names import candidate_name

Json = dict[str, Any]

# generated: chance that a party nominates a candidate in a maslikhat district
NOMINATION_CHANCE: Mapping[str, float] = {
    "amanat": 0.93,
    "auyl": 0.22,
    "ak-zhol": 0.12,
    "qhp": 0.10,
    "respublica": 0.08,
    "jsdp": 0.06,
    "baytaq": 0.04,
}
# generated: in the Mazhilis districts AMANAT always nominates; most others run on their own
MAZHILIS_NOMINATION_CHANCE: Mapping[str, float] = {
    "auyl": 0.25,
    "ak-zhol": 0.2,
    "qhp": 0.15,
    "respublica": 0.15,
    "jsdp": 0.15,
    "baytaq": 0.1,
}
CANDIDATE_COUNTS = (2, 2, 3, 3, 3, 4, 4, 5)


def title_mazhilis_list() -> Json:
    return {
        "kk": "Мәжіліс: партиялық тізімдер бойынша жалпыұлттық сайлау округі",
        "ru": "Мажилис: общенациональный избирательный округ по партийным спискам",
        "en": "Mazhilis: nationwide party-list constituency",
    }


def title_mazhilis_district(name: Mapping[str, str]) -> Json:
    return {
        "kk": f"Мәжіліс: {name['kk']}",
        "ru": f"Мажилис: {name['ru']}",
        "en": f"Mazhilis: {name['en']}",
    }


def title_party_lists(body: Mapping[str, str]) -> Json:
    return {
        "kk": f"{body['kk']}: партиялық тізімдер",
        "ru": f"{body['ru']}: партийные списки",
        "en": f"{body['en']}: party lists",
    }


def title_district(body: Mapping[str, str], number: int) -> Json:
    return {
        "kk": f"{body['kk']}: № {number} сайлау округі",
        "ru": f"{body['ru']}: избирательный округ № {number}",
        "en": f"{body['en']}: district No. {number}",
    }


def candidates(
    contest_id: str, region: str, kind: str, party_ids: Sequence[str], rng: random.Random
) -> list[Json]:
    """2 to 5 fictional candidates, each nominated by a party (at most one per party) or
    self-nominated (``party`` None), in alphabetical order of the Russian spelling. In the
    Mazhilis districts (``kind`` "mazhilis") AMANAT and at least one self-nominated
    candidate always run."""
    wanted = rng.choice(CANDIDATE_COUNTS)
    parties: list[str | None]
    if kind == "mazhilis":
        others = [p for p in party_ids if p != "amanat"]
        parties = ["amanat"]
        parties += [p for p in others if rng.random() < MAZHILIS_NOMINATION_CHANCE.get(p, 0.1)]
        parties = parties[: max(1, wanted - 1)]
        parties += [None] * max(1, wanted - len(parties))
    else:
        parties = [p for p in party_ids if rng.random() < NOMINATION_CHANCE.get(p, 0.05)]
        parties = parties[:wanted]
        parties += [None] * (max(2, wanted) - len(parties))
    russian = facts.RUSSIAN_NAMES.get(region, 0.02)
    people = [(candidate_name(rng, russian), party) for party in parties]
    people.sort(key=lambda person: (person[0]["ru"], person[0]["en"]))
    return [
        {"id": f"{contest_id}-c{index}", "name": name, "party": party}
        for index, (name, party) in enumerate(people, start=1)
    ]


def partition(voters: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """Split a sequence into ``parts`` runs (start, end) of consecutive items with about the
    same sum of ``voters`` each; every run has at least one item."""
    count = len(voters)
    if not 1 <= parts <= count:
        raise ValueError(f"cannot split {count} items into {parts} non-empty parts")
    sums = list(accumulate(voters))
    total = sums[-1] if sums else 0
    bounds = [0]
    for part in range(1, parts):
        target = total * part / parts
        cut = min(bisect_left(sums, target) + 1, count)
        if cut > 0 and abs(sums[cut - 1] - voters[cut - 1] - target) < abs(sums[cut - 1] - target):
            cut -= 1
        cut = max(cut, bounds[-1] + 1)
        cut = min(cut, count - (parts - part))
        bounds.append(cut)
    bounds.append(count)
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]


def mazhilis_groups(
    region: str,
    numbers: Sequence[int],
    units: Sequence[tuple[str, int]],
    by_territory: Mapping[str, Sequence[Json]],
) -> list[tuple[list[str], list[str]]]:
    """(area, stations) of each Mazhilis district of a region: whole territories, and the
    stations of a territory split between two districts."""
    if len(numbers) == 1:
        return [([region], [])]
    if all(n in facts.MAZHILIS_COVERS for n in numbers):
        shared = {
            tid
            for n in numbers
            for tid in facts.MAZHILIS_COVERS[n]
            if sum(tid in facts.MAZHILIS_COVERS[m] for m in numbers) > 1
        }
        covered = {tid for n in numbers for tid in facts.MAZHILIS_COVERS[n]}
        if covered != {unit_id for unit_id, _ in units}:
            raise ValueError(f"Mazhilis districts of {region} do not cover its territories")
        halves: dict[tuple[str, int], list[str]] = {}
        for tid in shared:
            owners = [n for n in numbers if tid in facts.MAZHILIS_COVERS[n]]
            own = by_territory[tid]
            bounds = partition([s["voters"] for s in own], len(owners))
            for owner, (start, end) in zip(owners, bounds, strict=True):
                halves[(tid, owner)] = [s["id"] for s in own[start:end]]
        return [
            (
                [t for t in facts.MAZHILIS_COVERS[n] if t not in shared],
                [sid for t in facts.MAZHILIS_COVERS[n] if t in shared for sid in halves[(t, n)]],
            )
            for n in numbers
        ]
    bounds = partition([voters for _, voters in units], len(numbers))
    return [([unit_id for unit_id, _ in units[start:end]], []) for start, end in bounds]
