"""The generated election night: consistent protocols, exact official totals, errors on demand.

Official figures (CEC of Kazakhstan, 27 March 2023,
https://www.election.gov.kz/eng/news/releases/index.php?ID=8937): Mazhilis party-list votes
AMANAT 3,431,510, Auyl 693,938, Respublica 547,154, Ak Zhol 535,139, QHP 432,920,
JSDP 331,058, Baytaq 146,431, against all 248,291 (6,366,441 valid); seats 40/8/6/6/5/4/0;
turnout 54.21 %; single-member districts AMANAT 22, self-nominated 7.
Regional maslikhat party lists: Kostanay 16 seats 9/3/2/1/1
(https://kostanaytany.kz/sajlaw-qorytyndylary-twraly/), Astana 17 seats 12/3/1/1
(https://en.inform.kz/news/amanat-party-wins-big-in-2023-local-elections-in-kazakh-capital_a4049365/),
Almaty 21 seats 12/3/3/2/1 (https://nur-news.net/politika/item/160653-rezultaty-vyborov-v-maslihat-almaty).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np
import pytest

from saylau.core.allocation import allocate_list
from saylau.core.controls import check_protocol
from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line, Protocol
from saylau.core.rules import ListRule
from saylau.core.ties import TiePolicy
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.elections.fitting import apportion, exact_table, round_rows
from saylau.elections.generate import ErrorOptions, GeneratedNight, generate_protocols
from saylau.elections.kz2023 import build_definition, load_data
from saylau.rulesets import load_ruleset

SEED = 11
OFFICIAL_VOTES = {
    "amanat": 3_431_510,
    "auyl": 693_938,
    "respublica": 547_154,
    "ak-zhol": 535_139,
    "qhp": 432_920,
    "jsdp": 331_058,
    "baytaq": 146_431,
}
AGAINST_ALL = 248_291
VALID = 6_366_441
VOTERS = 12_035_578
ISSUED = 6_524_487  # 54.21 % of the voters on the lists
SEATS = {"amanat": 40, "auyl": 8, "respublica": 6, "ak-zhol": 6, "qhp": 5, "jsdp": 4}
REGIONAL_SEATS = {
    "kz-kostanay": {"amanat": 9, "ak-zhol": 3, "auyl": 2, "qhp": 1, "respublica": 1},
    "kz-astana": {"amanat": 12, "ak-zhol": 3, "qhp": 1, "baytaq": 1},
    "kz-almaty": {"amanat": 12, "respublica": 3, "qhp": 3, "baytaq": 2, "ak-zhol": 1},
}
KOSTANAY_VOTES = {
    "amanat": 195_232,
    "ak-zhol": 66_220,
    "auyl": 44_220,
    "qhp": 22_325,
    "respublica": 22_115,
}
ERRORS = ErrorOptions(arithmetic_errors=5, missing_stations=3, late_corrections=4)
REGISTRATION = TiePolicy.parse("registration")


@pytest.fixture(scope="module")
def election() -> Election:
    return parse_election(build_definition(), "kz-2023")


@pytest.fixture(scope="module")
def night(election: Election) -> GeneratedNight:
    return generate_protocols(election, seed=SEED)


@pytest.fixture(scope="module")
def faulty(election: Election) -> GeneratedNight:
    return generate_protocols(election, seed=SEED, errors=ERRORS)


def summed(protocols: Iterable[Protocol], contest: str) -> tuple[Counter[str], Counter[str]]:
    votes: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    for protocol in protocols:
        if protocol.contest == contest:
            votes.update(protocol.votes)
            lines.update({str(k): v for k, v in protocol.lines.items()})
    return votes, lines


def list_seats(election: Election, protocols: list[Protocol], contest: str) -> dict[str, int]:
    votes, lines = summed(protocols, contest)
    counted = ContestVotes.of(
        [
            *(Choice(name, n) for name, n in votes.items()),
            Choice("against all", lines[Line.AGAINST_ALL], ChoiceKind.AGAINST_ALL),
        ]
    )
    definition = election.contests[contest]
    rule = load_ruleset("kz-2023").contest(definition.rule).rule
    assert isinstance(rule, ListRule)
    result = allocate_list(counted, rule, definition.seats, ties=REGISTRATION, label=contest)
    assert result.complete
    return {name: n for name, n in result.seats.items() if n}


def errors_of(protocol: Protocol) -> list[str]:
    return [f.code for f in check_protocol(protocol) if f.blocking]


def test_one_protocol_per_station_and_contest(election: Election, night: GeneratedNight) -> None:
    expected = {(s, c) for s, contests in election.station_contests.items() for c in contests}
    got = [(p.station, p.contest) for p in night.protocols]
    assert len(got) == len(set(got)) == len(expected)
    assert set(got) == expected
    assert night.missing == []
    assert night.corrections == []


def test_votes_in_ballot_order_and_all_lines(election: Election, night: GeneratedNight) -> None:
    for protocol in night.protocols[:2000]:
        contest = election.contests[protocol.contest]
        assert list(protocol.votes) == [c.id for c in contest.choices]
        assert set(protocol.lines) == set(Line)


def test_clean_night_has_no_error_and_few_warnings(night: GeneratedNight) -> None:
    warnings = 0
    for protocol in night.protocols:
        findings = check_protocol(protocol)
        assert not [f for f in findings if f.blocking], (protocol, findings)
        warnings += len(findings)
    assert warnings <= len(night.protocols) // 200


def test_mazhilis_list_national_sums_are_official(night: GeneratedNight) -> None:
    votes, lines = summed(night.protocols, "mazhilis-list")
    assert dict(votes) == OFFICIAL_VOTES
    assert lines[Line.AGAINST_ALL] == AGAINST_ALL
    assert lines[Line.VALID] == VALID
    assert lines[Line.VOTERS] == VOTERS
    assert lines[Line.ISSUED] + lines[Line.ISSUED_OUTSIDE] == ISSUED
    assert 0.01 < lines[Line.INVALID] / lines[Line.FOUND] < 0.03


def test_mazhilis_list_reproduces_the_official_seats(
    election: Election, night: GeneratedNight
) -> None:
    assert list_seats(election, night.protocols, "mazhilis-list") == SEATS


@pytest.mark.parametrize("region", sorted(REGIONAL_SEATS))
def test_published_regional_lists_are_reproduced(
    election: Election, night: GeneratedNight, region: str
) -> None:
    contest = f"regional-list-{region}"
    assert list_seats(election, night.protocols, contest) == REGIONAL_SEATS[region]
    votes, lines = summed(night.protocols, contest)
    if region == "kz-kostanay":
        assert {p: votes[p] for p in KOSTANAY_VOTES} == KOSTANAY_VOTES
    else:
        assert lines[Line.FOUND] == {"kz-astana": 332_694, "kz-almaty": 302_270}[region]
        assert lines[Line.VALID] == {"kz-astana": 330_547, "kz-almaty": 291_756}[region]


def test_every_regional_list_allocates(election: Election, night: GeneratedNight) -> None:
    for region in election.children["cec"]:
        seats = list_seats(election, night.protocols, f"regional-list-{region}")
        assert seats.get("amanat", 0) > 0
        assert sum(seats.values()) == election.contests[f"regional-list-{region}"].seats


def district_results(
    election: Election, night: GeneratedNight
) -> dict[str, list[tuple[int, str | None]]]:
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for protocol in night.protocols:
        if protocol.contest.startswith(("mazhilis-district", "regional-district", "local-")):
            totals[protocol.contest].update(protocol.votes)
    results = {}
    for contest_id, votes in totals.items():
        party = {c.id: c.party for c in election.contests[contest_id].choices}
        results[contest_id] = sorted(
            ((n, party[c]) for c, n in votes.items()), key=lambda r: r[0], reverse=True
        )
    return results


def test_mazhilis_districts_split_22_to_7(election: Election, night: GeneratedNight) -> None:
    results = district_results(election, night)
    winners = {c: r[0][1] for c, r in results.items() if c.startswith("mazhilis")}
    assert Counter(winners.values()) == {"amanat": 22, None: 7}
    for district in load_data()["districts"]["district"]:
        if "seat_winner_party" in district:
            known = district["seat_winner_party"]
            won = winners[f"mazhilis-district-{district['number']:02d}"]
            assert won == (None if known == "self-nominated" else known)


def test_every_district_has_a_single_leader(election: Election, night: GeneratedNight) -> None:
    results = district_results(election, night)
    assert len(results) == 29 + 334 + 2_747
    assert all(r[0][0] > r[1][0] for r in results.values())
    leaders = Counter(r[0][1] for r in results.values())
    assert 0.6 < leaders["amanat"] / len(results) < 0.95


def shares_by(election: Election, night: GeneratedNight, key: str) -> dict[str, float]:
    amanat: Counter[str] = Counter()
    valid: Counter[str] = Counter()
    for protocol in night.protocols:
        if protocol.contest != "mazhilis-list":
            continue
        station = election.stations[protocol.station]
        if key == "region":
            group = "abroad" if station.abroad else election.path(station.commission)[1]
        else:
            group = "city" if "-city-" in station.commission else "district"
        amanat[group] += protocol.votes["amanat"]
        valid[group] += protocol.lines[Line.VALID]
    return {group: amanat[group] / valid[group] for group in valid}


def test_party_shares_vary_by_region_and_place(election: Election, night: GeneratedNight) -> None:
    regions = shares_by(election, night, "region")
    assert regions["kz-turkistan"] > regions["kz-almaty"] + 0.1
    assert regions["kz-kyzylorda"] > regions["kz-karaganda"]
    places = shares_by(election, night, "place")
    assert places["district"] > places["city"]


def test_turnout_follows_the_regions_and_varies(election: Election, night: GeneratedNight) -> None:
    turnout: dict[str, list[float]] = defaultdict(list)
    for protocol in night.protocols:
        if protocol.contest == "mazhilis-list" and not election.stations[protocol.station].abroad:
            issued = protocol.lines[Line.ISSUED] + protocol.lines[Line.ISSUED_OUTSIDE]
            region = election.path(election.stations[protocol.station].commission)[1]
            turnout[region].append(issued / protocol.lines[Line.VOTERS])
    assert statistics.median(turnout["kz-almaty"]) < 0.35
    assert statistics.median(turnout["kz-kyzylorda"]) > 0.6
    assert statistics.pstdev(turnout["kz-pavlodar"]) > 0.05


def test_same_seed_same_night(election: Election, night: GeneratedNight) -> None:
    again = generate_protocols(election, seed=SEED)
    assert again.protocols == night.protocols
    assert again.order == night.order
    assert again.minutes == night.minutes


def test_arithmetic_errors(faulty: GeneratedNight) -> None:
    broken = [p for p in faulty.protocols if errors_of(p)]
    assert len(broken) == ERRORS.arithmetic_errors


def test_missing_stations(faulty: GeneratedNight, night: GeneratedNight) -> None:
    assert len(faulty.missing) == len(set(faulty.missing)) == ERRORS.missing_stations
    gone = set(faulty.missing)
    assert not [p for p in faulty.final() if p.station in gone]
    assert not gone & set(faulty.order)
    lost = [p for p in night.protocols if p.station in gone]
    assert len(faulty.final()) == len(night.protocols) - len(lost)


def test_late_corrections(faulty: GeneratedNight, night: GeneratedNight) -> None:
    assert len(faulty.corrections) == ERRORS.late_corrections
    clean = {(p.station, p.contest): p for p in night.protocols}
    sent = {(p.station, p.contest) for p in faulty.protocols}
    for first, corrected in faulty.corrections:
        key = (first.station, first.contest)
        assert key not in sent
        assert corrected == clean[key]
        assert first.votes != corrected.votes
        assert first.lines == corrected.lines
        assert not errors_of(first)


def test_errors_leave_the_other_protocols_alone(
    faulty: GeneratedNight, night: GeneratedNight
) -> None:
    clean = {(p.station, p.contest): p for p in night.protocols}
    changed = [p for p in faulty.protocols if p != clean[(p.station, p.contest)]]
    assert len(changed) == ERRORS.arithmetic_errors


def test_error_options_are_checked(election: Election) -> None:
    with pytest.raises(ValueError, match="arithmetic_errors"):
        ErrorOptions(arithmetic_errors=-1)
    with pytest.raises(ValueError, match="stations"):
        generate_protocols(election, seed=1, errors=ErrorOptions(missing_stations=20_000))
    with pytest.raises(ValueError, match="seed"):
        generate_protocols(election, seed=-1)


def test_reporting_order(election: Election, night: GeneratedNight) -> None:
    assert sorted(night.order) == sorted(election.stations)
    minutes = [night.minutes[s] for s in night.order]
    assert minutes == sorted(minutes)
    west = {"kz-aktobe", "kz-atyrau", "kz-west-kazakhstan", "kz-kyzylorda", "kz-mangystau"}
    early: Counter[str] = Counter()
    for station in night.order[: len(night.order) // 10]:
        record = election.stations[station]
        region = "abroad" if record.abroad else election.path(record.commission)[1]
        early["west" if region in west else "city" if region == "kz-almaty" else "other"] += 1
    assert early["west"] == 0
    assert early["city"] == 0
    first_half = [election.stations[s].voters for s in night.order[: len(night.order) // 2]]
    second_half = [election.stations[s].voters for s in night.order[len(night.order) // 2 :]]
    assert statistics.mean(first_half) < statistics.mean(second_half)


def small_election() -> Election:
    return parse_election(
        {
            "format": "saylau-election/1",
            "id": "town-2030",
            "date": "2030-05-01",
            "title": "Town council",
            "ruleset": "kz-2023",
            "commissions": [
                {"id": "root", "level": "cec", "name": "Town"},
                {"id": "east", "level": "region", "name": "East", "parent": "root"},
            ],
            "stations": [
                {"id": f"s{i}", "commission": "east", "voters": 300 + 40 * i} for i in range(6)
            ],
            "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "contests": [
                {
                    "id": "list",
                    "rule": "regional-maslikhat-list",
                    "title": "Lists",
                    "commission": "root",
                    "seats": 5,
                    "area": ["root"],
                    "choices": [{"id": "a", "party": "a"}, {"id": "b", "party": "b"}],
                },
                {
                    "id": "seat",
                    "rule": "local-maslikhat-district",
                    "title": "Seat",
                    "commission": "east",
                    "seats": 1,
                    "stations": ["s0", "s1"],
                    "against_all": False,
                    "choices": [{"id": "x", "name": "X", "party": "a"}, {"id": "y", "name": "Y"}],
                },
            ],
        },
        "small",
    )


def test_a_small_election_with_the_neutral_profile() -> None:
    small = small_election()
    result = generate_protocols(small, seed=3)
    assert len(result.protocols) == 8
    assert not [p for p in result.protocols if errors_of(p)]
    assert all(Line.AGAINST_ALL not in p.lines for p in result.protocols if p.contest == "seat")
    assert generate_protocols(small, seed=3) == result
    assert generate_protocols(small, seed=4).protocols != result.protocols


@pytest.mark.parametrize("seed", range(20))
def test_exact_table_keeps_both_margins(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 900, 40)
    columns = apportion(int(rows.sum()), rng.uniform(0.1, 5.0, 6))
    table = exact_table(rng.lognormal(0.0, 1.0, (40, 6)), rows, columns)
    assert (table >= 0).all()
    assert (table.sum(axis=1) == rows).all()
    assert (table.sum(axis=0) == columns).all()


def test_apportion_respects_bounds_and_total() -> None:
    weights = np.array([5.0, 1.0, 1.0, 0.0, 3.0])
    lower = np.array([0, 2, 0, 1, 0])
    upper = np.array([4, 9, 9, 1, 9])
    result = apportion(20, weights, lower, upper)
    assert int(result.sum()) == 20
    assert (result >= lower).all()
    assert (result <= upper).all()
    assert result[0] == 4
    assert result[3] == 1
    with pytest.raises(ValueError, match="cannot apportion"):
        apportion(50, weights, lower, upper)


def test_round_rows_keeps_rows() -> None:
    shares = np.array([[0.5, 0.5, 0.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    table = round_rows(shares, np.array([3, 7, 0]))
    assert table.sum(axis=1).tolist() == [3, 7, 0]
    assert table[0].tolist() == [2, 1, 0]
