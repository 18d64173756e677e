"""Invariants of the kz-2023 election definition (src/saylau/elections/kz-2023).

The official figures below are copied from public sources (URLs next to them) so that
the tests run on a fresh clone without any reference folder.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parents[2] / "src/saylau/elections/kz-2023"

# Official national party-list votes and seats, Mazhilis, 19 March 2023.
# https://www.election.gov.kz/eng/news/releases/index.php?ID=8937
# https://astanatimes.com/2023/03/six-parties-elected-to-parliament-according-to-final-results-of-central-election-commission/
# https://vlast.kz/novosti/54446-cik-raspredelil-deputatskie-mandaty-mezdu-partiami.html
OFFICIAL_VOTES = {
    "AMANAT": 3_431_510,
    "Auyl": 693_938,
    "Respublica": 547_154,
    "Ak Zhol": 535_139,
    "People's Party of Kazakhstan (QHP)": 432_920,
    "Nationwide Social Democratic Party (JSDP)": 331_058,
    "Baytaq": 146_431,
}
OFFICIAL_SEATS = {
    "AMANAT": 40,
    "Auyl": 8,
    "Respublica": 6,
    "Ak Zhol": 6,
    "People's Party of Kazakhstan (QHP)": 5,
    "Nationwide Social Democratic Party (JSDP)": 4,
    "Baytaq": 0,
}
AGAINST_ALL = 248_291
VALID_TOTAL = 6_366_441
VOTERS_ON_LISTS = 12_035_578
# Single-member districts won: AMANAT 22, self-nominated 7 (same CEC release).
DISTRICTS_WON = {"amanat": 22, "self-nominated": 7}
# Ballot order drawn by lot at the CEC, February 2023.
# https://ulysmedia.kz/news/12884-kak-raspolozhatsia-partii-v-izbiratelnykh-biulleteniakh-opredelili-v-tsik
BALLOT_ORDER = ["amanat", "auyl", "respublica", "qhp", "baytaq", "ak-zhol", "jsdp"]
# Maslikhats: 223 bodies (20 regional, 37 city, 166 district), 3,415 seats.
# https://www.election.gov.kz/eng/news/releases/index.php?ID=8937
# https://www.inform.kz/en/3-415-maslikhat-deputies-to-be-elected-in-early-elections_a4025925/amp
MASLIKHAT_SEATS = 3415
MASLIKHAT_LIST_SEATS = 334
# Kostanay regional maslikhat: 16 party-list seats.
# https://kostanaytany.kz/sajlaw-qorytyndylary-twraly/
KOSTANAY_LIST_SEATS = 16
# Published totals over the city and district maslikhats of a region.
# https://www.inform.kz/en/264-maslikhat-deputies-to-be-elected-in-kostanay-region_a4028586/amp
# https://inkaraganda.kz/novosti/politika/spiski-na-vydvizhenie-kandidatov-na-vybory-v-karagandinskij-oblastnoj-maslihat-predstavili-shest-partij/
# https://www.inform.kz/en/n-kazakhstan-to-elect-193-maslikhat-deputies_a4028543
# https://www.inform.kz/en/zhambyl-region-to-elect-over-200-maslikhat-deputies_a4029111
# https://diapazon.kz/news/120517-205-deputatov-maslihatov-izberut-v-aktyubinskoi-oblasti
# https://mangystaumedia.kz/kk/zhanalyktar/mangystau-zhanalyktary/mangistauda_420_minga_zhuik_saylaushi_tirkelgen
LOCAL_TOTALS = {  # (region, kinds) -> seats
    ("kz-kostanay", ("city", "district")): 232,
    ("kz-karaganda", ("city", "district")): 214 - 36,
    ("kz-north-kazakhstan", ("city", "district")): 18 + 145,
    ("kz-jambyl", ("city", "district")): 27 + 147,
    ("kz-aktobe", ("city", "district")): 32 + 139,
    ("kz-mangystau", ("city",)): 35,
    ("kz-mangystau", ("district",)): 70,
}
# Regions with more than one Mazhilis district (all others have exactly one).
# https://en.wikipedia.org/wiki/Constituencies_of_Kazakhstan
DISTRICTS_PER_REGION = {
    "kz-astana": 2,
    "kz-almaty": 3,
    "kz-shymkent": 2,
    "kz-almaty-region": 2,
    "kz-jambyl": 2,
    "kz-karaganda": 2,
    "kz-turkistan": 3,
}
LANGS = ("kk", "ru", "en")
NAME_KEYS = ("name", "short", "unit", "center", "title")
CYRILLIC = re.compile("[\u0400-\u04ff]")
KAZAKH_LETTERS = set("\u04d9\u0493\u049b\u04a3\u04e9\u04b1\u04af\u04bb\u0456")  # the 9 letters
URL = re.compile(r"^https?://\S+$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@cache
def load(name: str) -> dict[str, Any]:
    with (DATA / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def regions() -> list[dict[str, Any]]:
    return load("regions")["region"]


def districts() -> list[dict[str, Any]]:
    return load("districts")["district"]


def maslikhats() -> list[dict[str, Any]]:
    return load("maslikhats")["maslikhat"]


def parties() -> list[dict[str, Any]]:
    return load("parties")["party"]


def region_ids() -> set[str]:
    return {r["id"] for r in regions()}


def walk_names(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every trilingual name in a parsed file, with where it was found."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in NAME_KEYS:
                found.append((f"{path}.{key}", value))
            else:
                found.extend(walk_names(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(walk_names(item, f"{path}[{i}]"))
    return found


@pytest.mark.parametrize("name", ["election", "regions", "districts", "maslikhats", "parties"])
def test_file_opens_with_a_comment_naming_its_sources(name: str) -> None:
    lines = (DATA / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    assert header, f"{name}: no opening comment"
    assert any("Sources" in line for line in header), f"{name}: opening comment names no sources"


@pytest.mark.parametrize("name", ["election", "regions", "districts", "maslikhats", "parties"])
def test_every_name_has_kk_ru_en(name: str) -> None:
    found = walk_names(load(name))
    assert found, f"{name}: no names found"
    for where, value in found:
        assert isinstance(value, dict), where
        assert set(value) == set(LANGS), where
        for lang in LANGS:
            assert isinstance(value[lang], str), where
            assert value[lang].strip() == value[lang] != "", f"{where}.{lang}"


def test_kazakh_names_are_cyrillic_with_kazakh_letters() -> None:
    kk = [r["name"]["kk"] for r in regions()] + [m["name"]["kk"] for m in maslikhats()]
    assert all(CYRILLIC.search(s) for s in kk)
    used = set("".join(kk).lower())
    assert used >= KAZAKH_LETTERS - {"\u04bb"}  # h is rare in place names
    assert not any(CYRILLIC.search(r["name"]["en"]) for r in regions())


def test_regions() -> None:
    rs = regions()
    assert len(rs) == 20
    for key in ("id", "iso", "adm1_pcode"):
        assert len({r[key] for r in rs}) == 20, key
    assert {r["adm1_pcode"] for r in rs} == {f"KAZ{i:03d}" for i in range(1, 21)}
    assert all(re.fullmatch(r"KZ-\d\d", r["iso"]) for r in rs)
    assert all(SLUG.match(r["id"]) and r["id"].startswith("kz-") for r in rs)
    assert Counter(r["kind"] for r in rs) == {"oblast": 17, "city": 3}
    cities = {r["id"] for r in rs if r["kind"] == "city"}
    assert cities == {"kz-astana", "kz-almaty", "kz-shymkent"}
    assert all(isinstance(r["capital"], str) and r["capital"] for r in rs)
    by_id = {r["id"]: r for r in rs}
    assert by_id["kz-abay"]["iso"] == "KZ-10"
    assert by_id["kz-jetisu"]["iso"] == "KZ-33"
    assert by_id["kz-ulytau"]["iso"] == "KZ-62"
    assert by_id["kz-astana"]["adm1_pcode"] == "KAZ006"


def test_districts_numbered_1_to_29_in_known_regions() -> None:
    ds = districts()
    assert [d["number"] for d in ds] == list(range(1, 30))
    assert len({d["id"] for d in ds}) == 29
    known = region_ids()
    assert all(d["region"] in known for d in ds)
    per_region = Counter(d["region"] for d in ds)
    assert set(per_region) == known, "every region has at least one district"
    assert per_region == {r: DISTRICTS_PER_REGION.get(r, 1) for r in known}
    for d in ds:
        assert d["region_basis"] in {"confirmed", "inferred"}
        assert d["real"] is (d["region_basis"] == "confirmed")
        if d["region_basis"] == "confirmed":
            assert URL.match(d["region_source"]), d["number"]
        assert str(d["number"]) in d["name"]["en"]
        assert isinstance(d["center_real"], bool)


def test_district_numbers_are_contiguous_within_a_region() -> None:
    numbers: dict[str, list[int]] = {}
    for d in districts():
        numbers.setdefault(d["region"], []).append(d["number"])
    for region, ns in numbers.items():
        assert ns == list(range(ns[0], ns[0] + len(ns))), region


def test_known_district_winners_fit_the_official_split() -> None:
    won = Counter(d["seat_winner_party"] for d in districts() if "seat_winner_party" in d)
    assert set(won) <= set(DISTRICTS_WON)
    for party, seats in won.items():
        assert seats <= DISTRICTS_WON[party]
    for d in districts():
        if "seat_winner_party" in d:
            assert URL.match(d["seat_winner_source"]), d["number"]
    mazhilis = load("election")["mazhilis"]
    assert mazhilis["districts_won"] == DISTRICTS_WON
    assert sum(DISTRICTS_WON.values()) == mazhilis["district_seats"] == 29


def test_maslikhat_counts_and_ids() -> None:
    ms = maslikhats()
    assert len(ms) == 223
    assert Counter(m["kind"] for m in ms) == {"regional": 20, "city": 37, "district": 166}
    assert len({m["id"] for m in ms}) == 223
    assert all(SLUG.match(m["id"]) for m in ms)
    assert all(m["region"] in region_ids() for m in ms)


def test_every_region_has_exactly_one_regional_maslikhat() -> None:
    regional = Counter(m["region"] for m in maslikhats() if m["kind"] == "regional")
    assert regional == dict.fromkeys(region_ids(), 1)


def test_cities_of_republican_significance_have_no_lower_maslikhats() -> None:
    lower = {m["region"] for m in maslikhats() if m["kind"] != "regional"}
    assert lower == {r["id"] for r in regions() if r["kind"] == "oblast"}


def test_maslikhat_seat_totals() -> None:
    ms = maslikhats()
    assert sum(m["seats"] for m in ms) == MASLIKHAT_SEATS
    regional = [m for m in ms if m["kind"] == "regional"]
    assert sum(m["list_seats"] for m in regional) == MASLIKHAT_LIST_SEATS
    for m in regional:
        assert m["seats"] % 2 == 0, m["id"]
        assert m["list_seats"] == m["district_seats"] == m["seats"] // 2, m["id"]
    for m in ms:
        if m["kind"] != "regional":
            assert "list_seats" not in m, m["id"]
        assert isinstance(m["seats"], int)
        assert 5 <= m["seats"] <= 60, m["id"]
    election = load("election")["maslikhats"]
    assert election["seats"] == MASLIKHAT_SEATS
    assert election["party_list_seats"] == MASLIKHAT_LIST_SEATS
    assert (election["regional"], election["city"], election["district"]) == (20, 37, 166)
    assert election["bodies"] == 223


def test_kostanay_has_16_list_seats() -> None:
    (kostanay,) = [
        m for m in maslikhats() if m["kind"] == "regional" and m["region"] == "kz-kostanay"
    ]
    assert kostanay["list_seats"] == KOSTANAY_LIST_SEATS
    assert kostanay["seats"] == 2 * KOSTANAY_LIST_SEATS
    assert kostanay["seats_real"] is True


def test_published_local_totals_hold() -> None:
    ms = maslikhats()
    for (region, kinds), total in LOCAL_TOTALS.items():
        seats = sum(m["seats"] for m in ms if m["region"] == region and m["kind"] in kinds)
        assert seats == total, (region, kinds)


def test_seat_provenance_flags() -> None:
    for m in maslikhats():
        basis = m["seats_basis"]
        assert basis in {"published", "split-of-published-total", "generated"}, m["id"]
        assert m["seats_real"] is (basis == "published"), m["id"]
        if basis != "generated":
            assert URL.match(m["source"]), m["id"]


def test_parties_in_ballot_order_with_official_votes() -> None:
    ps = parties()
    assert [p["id"] for p in ps] == BALLOT_ORDER
    assert [p["ballot_position"] for p in ps] == list(range(1, 8))
    assert {p["results_key"] for p in ps} == set(OFFICIAL_VOTES)
    for p in ps:
        assert p["mazhilis_list_votes"] == OFFICIAL_VOTES[p["results_key"]], p["id"]
        assert p["mazhilis_list_seats"] == OFFICIAL_SEATS[p["results_key"]], p["id"]
    totals = load("parties")["national_list_totals"]
    assert totals["against_all"] == AGAINST_ALL
    assert totals["valid_total"] == VALID_TOTAL
    assert sum(OFFICIAL_VOTES.values()) + AGAINST_ALL == VALID_TOTAL
    assert sum(p["mazhilis_list_seats"] for p in ps) == totals["seats"] == 69


def test_party_colours_are_distinct_hex() -> None:
    colours = [p["colour"].lower() for p in parties()]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    assert len(set(colours)) == len(colours)
    assert all(isinstance(p["colour_official"], bool) for p in parties())


def test_election_header() -> None:
    e = load("election")
    assert e["id"] == "kz-2023"
    assert e["ruleset"] == "kz-2023"
    assert e["date"] == datetime.date(2023, 3, 19)
    assert e["voters_on_lists"] == VOTERS_ON_LISTS
    assert e["polling_stations"] == 10223
    assert e["polling_stations_abroad"] == 77
    mazhilis = e["mazhilis"]
    assert mazhilis["seats"] == mazhilis["party_list_seats"] + mazhilis["district_seats"] == 98
    assert all((DATA / f).is_file() for f in e["files"].values())


def test_sources_and_generated_list() -> None:
    e = load("election")
    assert e["sources"]
    assert all(URL.match(s) for s in e["sources"])
    assert len(set(e["sources"])) == len(e["sources"])
    generated = e["generated"]
    assert len(generated) >= 3
    for g in generated:
        assert set(g) == {"what", "rule"}
        assert g["what"].strip()
        assert g["rule"].strip()


def test_every_cited_url_is_listed_in_election_sources() -> None:
    listed = set(load("election")["sources"])
    cited: set[str] = set()
    for d in districts():
        cited.update(v for k, v in d.items() if k.endswith("source"))
    for m in maslikhats():
        if "source" in m:
            cited.add(m["source"])
    assert cited <= listed, sorted(cited - listed)
