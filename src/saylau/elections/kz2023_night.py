"""The night profile of kz-2023: official totals the generated protocols must reproduce.

Exact: the national party-list votes of the Mazhilis (and so its 69 seats), the national
ballots issued (54.21 % of the voters), the ballots cast in Astana and Almaty, the regional
party-list votes of Astana, Almaty and Kostanay (and so their seats), and the split of the 29
Mazhilis districts: AMANAT 22, self-nominated 7, with the winners named by districts.toml.
Shaped by real figures: the turnout of each region and the closing hour of the western
regions. Generated: how parties lean by region and by town or country, and which Mazhilis
districts without a known winner go to a self-nominated candidate (drawn from the seed).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from saylau.core.election import Election
from saylau.elections import kz2023_facts as facts
from saylau.elections.kz2023 import Json, load_data
from saylau.elections.profile import AGAINST_ALL, ExactTotals, NightProfile, station_groups

SELF_NOMINATED = "self-nominated"


def mazhilis_winners(
    election: Election, seed: int, data: Mapping[str, Json] | None = None
) -> dict[str, str]:
    """The winning choice of each Mazhilis district: the nominee of the party districts.toml
    names, else AMANAT's or a self-nominated candidate so that the national split is
    AMANAT 22, self-nominated 7 (which districts, when not known, is drawn from ``seed``)."""
    data = load_data() if data is None else data
    split = dict(data["election"]["mazhilis"]["districts_won"])
    known: dict[int, str] = {
        d["number"]: d["seat_winner_party"]
        for d in data["districts"]["district"]
        if "seat_winner_party" in d
    }
    numbers = sorted(d["number"] for d in data["districts"]["district"])
    unknown = [n for n in numbers if n not in known]
    self_left = split[SELF_NOMINATED] - sum(p == SELF_NOMINATED for p in known.values())
    chosen = set(random.Random(seed).sample(unknown, self_left))
    winners: dict[str, str] = {}
    for number in numbers:
        party = known.get(number, SELF_NOMINATED if number in chosen else "amanat")
        contest = election.contests[f"mazhilis-district-{number:02d}"]
        wanted = None if party == SELF_NOMINATED else party
        winner = next((c.id for c in contest.choices if c.party == wanted), None)
        if winner is None:
            raise ValueError(f"{contest.id} has no candidate nominated by {party}")
        winners[contest.id] = winner
    return winners


def night_profile(election: Election, seed: int) -> NightProfile:
    """The profile of the 19 March 2023 night for a kz-2023 definition."""
    data = load_data()
    parties = data["parties"]
    shares = {p["id"]: p["mazhilis_list_votes"] for p in parties["party"]}
    shares[AGAINST_ALL] = parties["national_list_totals"]["against_all"]
    valid = parties["national_list_totals"]["valid_total"]
    if sum(shares.values()) != valid:
        raise ValueError("parties.toml: the national votes do not add up to the valid total")
    exact = {"mazhilis-list": ExactTotals(dict(shares))}
    for region, result in facts.REGIONAL_LIST_RESULTS.items():
        exact[f"regional-list-{region}"] = ExactTotals(dict(result))
    groups = station_groups(election)
    towns = {b["id"] for b in data["maslikhats"]["maslikhat"] if b["kind"] == "city"}
    urban = {
        s.id
        for s in election.stations.values()
        if s.abroad or s.commission in towns or groups[s.id] in facts.CITY_DISTRICTS
    }
    lean = {
        region: dict(zip(facts.LEAN_COLUMNS, factors, strict=True))
        for region, factors in facts.REGION_LEAN.items()
    }
    lean["abroad"] = dict(zip(facts.LEAN_COLUMNS, facts.ABROAD_LEAN, strict=True))
    turnout = {region: percent / 100 for region, percent in facts.TURNOUT_PERCENT.items()}
    turnout["abroad"] = facts.ABROAD_TURNOUT_PERCENT / 100
    close = {region: 60 if region in facts.WESTERN_REGIONS else 0 for region in turnout}
    return NightProfile(
        group=groups,
        urban=frozenset(urban),
        turnout=turnout,
        shares={line: votes / valid for line, votes in shares.items()},
        issued_total=facts.BALLOTS_ISSUED_NATIONAL,
        issued_fixed=dict(facts.BALLOTS_ISSUED_REAL),
        lean=lean,
        urban_lean=dict(zip(facts.LEAN_COLUMNS, facts.URBAN_LEAN, strict=True)),
        rural_lean=dict(zip(facts.LEAN_COLUMNS, facts.RURAL_LEAN, strict=True)),
        exact=exact,
        winners=mazhilis_winners(election, seed, data),
        close_minutes=close,
    )
