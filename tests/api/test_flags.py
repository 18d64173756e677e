"""Advisory flags on incoming protocols: a night of 100 counted stations, then a stuffed
protocol typed twice through the service. It is accepted like any other (flags never block
or change acceptance), and the coordinators and observers of the commission above it, and
the CEC, see it flagged (through the API and on the review page in a browser); people
outside that subtree, typists and the anonymous do not."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from api_helpers import PASSWORD, Person, browser_page, person_maker
from fastapi.testclient import TestClient
from server_process import Server, free_port

from saylau.api.app import create_app
from saylau.api.routes_flags import PAGE_TEXTS, stage_key
from saylau.core.controls import ControlSettings
from saylau.core.election import parse_election
from saylau.core.entry import Stage
from saylau.core.protocol import Protocol
from saylau.core.roles import Assignment, Role
from saylau.elections.generate import generate_protocols
from saylau.services import flags as flags_service
from saylau.services.accounts import change_role, create_user, sign_in
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.store import Store
from saylau.store.protocols import upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from saylau.web.forensics_pages import TOP_SO_FAR
from saylau.web.i18n import catalogue
from small_elections import cec, polling_station, protocol_lines, region, territory
from small_elections import definition as small_definition

ELECTION = "flags-2024"
STUFFED = "north-t-07"  # typed through the service, with ballots stuffed
TYPED = "north-t-08"  # typed once so far: arrived, not counted
LATE = (STUFFED, TYPED, "south-09")
BASE = f"/api/elections/{ELECTION}/contests/list/flags"
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# cec ─┬─ north ─┬─ north-t ── north-t-00 .. north-t-39
#      │         └─ north-00 .. north-19
#      └─ south ── south-00 .. south-39
PLACES = {"north-t": 40, "north": 20, "south": 40}


def definition() -> dict[str, Any]:
    return small_definition(
        ELECTION,
        title="Flags test",
        commissions=[
            cec(),
            region("north", "North"),
            territory("north-t", "North town", "north"),
            region("south", "South"),
        ],
        stations=(
            polling_station(f"{place}-{n:02d}", place, 900 + 11 * n)
            for place, count in PLACES.items()
            for n in range(count)
        ),
    )


@cache
def night() -> list[Protocol]:
    """The generated night of every station but the three that come later."""
    election = parse_election(definition(), "test")
    return [p for p in generate_protocols(election, seed=5).protocols if p.station not in LATE]


def night_leader() -> str:
    totals: Counter[str] = Counter()
    for p in night():
        totals.update(p.votes)
    return totals.most_common(1)[0][0]


@pytest.fixture
def store() -> Iterator[Store]:
    """The election and its night (overrides the conftest's store, so that ``client`` uses
    this one)."""
    election = parse_election(definition(), "test")
    settings = ControlSettings()
    rows = [protocol_row(p, election, settings, "night") for p in night()]
    with temporary_store() as fresh:
        with fresh.session() as session:
            save_election(session, election, json.dumps(definition()))
            upsert_protocols(session, election.id, rows)
            record_protocols(session, election, rows)
        yield fresh


@pytest.fixture
def person(store: Store) -> Person:
    """As the conftest's, for this module's election."""
    return person_maker(store, ELECTION)


def stuffed_values(voters: int) -> dict[str, Any]:
    """97 % turnout, nearly all of it for the leader."""
    issued = voters * 97 // 100
    invalid, against = 10, 5
    valid = issued - invalid
    second = 25
    lines = protocol_lines(
        voters=voters, issued=issued, valid=valid, against_all=against, issued_outside=0
    )
    return {"lines": lines, "votes": {"amanat": valid - against - second, "aq-jol": second}}


def leader_first(values: dict[str, Any], leader: str) -> dict[str, Any]:
    votes = values["votes"]
    big, small = max(votes.values()), min(votes.values())
    other = next(c for c in votes if c != leader)
    return {**values, "votes": {leader: big, other: small}}


def protocol(station: str, action: str = "") -> str:
    base = f"/api/elections/{ELECTION}/protocols/{station}/list"
    return f"{base}/{action}" if action else base


def type_entry(client: TestClient, who: dict[str, str], station: str, body: dict[str, Any]) -> Any:
    version = client.get(protocol(station), headers=who).json()["version"]
    claimed = client.post(protocol(station, "claim"), json={"version": version}, headers=who)
    assert claimed.status_code == 200, claimed.json()
    findings = client.post(protocol(station, "check"), json=body, headers=who).json()
    reasons = {f["code"]: "as on the paper form" for f in findings if f["severity"] == "warning"}
    entry = {"version": claimed.json()["version"], **body, "acknowledged": reasons}
    answer = client.post(protocol(station, "entries"), json=entry, headers=who)
    assert answer.status_code == 200, answer.json()
    return answer.json()


@pytest.fixture
def arrived(client: TestClient, person: Person) -> dict[str, Any]:
    """The stuffed protocol typed twice (accepted), another typed once."""
    ana = person("ana", Role.TYPIST, "north-t")
    bek = person("bek", Role.TYPIST, "north-t")
    leader = night_leader()
    body = leader_first(stuffed_values(900 + 11 * 7), leader)
    type_entry(client, ana, STUFFED, body)
    accepted = type_entry(client, bek, STUFFED, body)
    typed_once = leader_first(stuffed_values(900 + 11 * 8), leader)
    type_entry(client, ana, TYPED, typed_once)
    return {"accepted": accepted, "leader": leader}


def test_the_stuffed_protocol_is_accepted_and_flagged_for_the_coordinator(
    client: TestClient, person: Person, arrived: dict[str, Any]
) -> None:
    assert arrived["accepted"]["stage"] == "accepted"  # flags never block acceptance
    coordinator = person("rita", Role.COORDINATOR, "north")
    answer = client.get(f"{BASE}/north-t", headers=coordinator)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert "never proof" in body["advisory"]
    assert "never blocks or changes the acceptance" in body["advisory"]
    assert body["compared_with"] == 98  # the 97 of the night and the one accepted now
    rows = {row["station"]: row for row in body["protocols"]}
    assert set(rows) == {f"north-t-{n:02d}" for n in range(40)}  # only its own subtree
    stuffed = rows[STUFFED]
    assert stuffed["stage"] == "accepted"
    assert stuffed["counted"] is True
    kinds = {flag["kind"] for flag in stuffed["flags"]}
    assert kinds & {"turnout-and-share-high", "turnout"}, stuffed
    assert "warnings" in kinds  # the turnout warning acknowledged at entry, as a fact
    for flag in stuffed["flags"]:
        assert flag["measured"]
        assert flag["null"]
        assert flag["surprise"]
        assert flag["significant"] is False  # one protocol is never a significant finding
    turnout = next(
        f for f in stuffed["flags"] if f["kind"] in ("turnout-and-share-high", "turnout")
    )
    assert re.match(r"turnout 9[67]\.\d\xa0%", turnout["measured"])
    typed = rows[TYPED]
    assert (typed["stage"], typed["counted"], typed["flags"]) == ("first-entered", False, [])
    clean = [row for name, row in rows.items() if name not in (STUFFED, TYPED)]
    flagged = [row for row in clean if any(f["kind"] != "warnings" for f in row["flags"])]
    assert len(flagged) <= 2, flagged  # the night itself is clean

    only = client.get(f"{BASE}/north-t", params={"flagged": "true"}, headers=coordinator).json()
    assert STUFFED in {row["station"] for row in only["protocols"]}
    assert all(row["flags"] for row in only["protocols"])

    # Reading flags changes nothing: the protocol is still accepted at the same version.
    entry = client.get(protocol(STUFFED), headers=coordinator).json()
    assert (entry["stage"], entry["version"]) == ("accepted", arrived["accepted"]["version"])


def test_observers_and_the_cec_read_them_too(
    client: TestClient, person: Person, arrived: dict[str, Any]
) -> None:
    for who in (person("olga", Role.OBSERVER, "north"), person("cec", Role.ADMIN, "cec")):
        answer = client.get(f"{BASE}/north-t", headers=who)
        assert answer.status_code == 200
        assert STUFFED in {row["station"] for row in answer.json()["protocols"]}
    everything = client.get(f"{BASE}/cec", headers=person("cec2", Role.ADMIN, "cec")).json()
    assert {row["station"] for row in everything["protocols"]} >= {STUFFED, "south-00"}
    assert "south-09" not in {row["station"] for row in everything["protocols"]}  # not arrived


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.COORDINATOR, "south"),  # another subtree
        (Role.OBSERVER, "south"),
        (Role.COORDINATOR, "north-t"),  # below the commission asked
        (Role.TYPIST, "north-t-07"),  # a station's typist
    ],
)
def test_people_outside_the_subtree_are_refused(
    client: TestClient, person: Person, arrived: dict[str, Any], role: Role, place: str
) -> None:
    who = person(f"{role}-{place}", role, place)
    answer = client.get(f"{BASE}/north", headers=who)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_nobody_signed_in_gets_401_and_unknown_names_404(
    client: TestClient, person: Person
) -> None:
    assert client.get(f"{BASE}/north-t").status_code == 401
    admin = person("cec", Role.ADMIN, "cec")
    assert client.get(f"{BASE}/nowhere", headers=admin).status_code == 404
    assert (
        client.get(
            f"/api/elections/{ELECTION}/contests/senate/flags/cec", headers=admin
        ).status_code
        == 404
    )
    assert (
        client.get("/api/elections/other/contests/list/flags/cec", headers=admin).status_code == 404
    )


def test_nothing_counted_yet_lists_nothing() -> None:
    election = parse_election(definition(), "test")
    with temporary_store() as empty:
        with empty.session() as session:
            save_election(session, election, json.dumps(definition()))
        create_user(empty, "cec-admin", "Admin", PASSWORD)
        change_role(empty, Assignment("cec-admin", ELECTION, "cec", Role.ADMIN), grant=True)
        token = sign_in(empty, "cec-admin", PASSWORD, "127.0.0.1", kind="token").secret
        with TestClient(create_app(empty), base_url="https://testserver") as client:
            answer = client.get(f"{BASE}/cec", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.json()["protocols"] == []
    assert answer.json()["compared_with"] == 0


@pytest.fixture
def served(store: Store, person: Person, arrived: dict[str, Any]) -> Iterator[Server]:
    """The service in a process, with the stuffed protocol arrived and a coordinator."""
    person("rita", Role.COORDINATOR, "north")
    server = Server(store.engine.url.render_as_string(hide_password=False), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sign_in_as_rita(page: Any, url: str) -> None:
    page.goto(url)
    page.fill("#login", "rita")
    page.fill("#password", PASSWORD)
    page.click("#signin-button")


def test_a_coordinator_sees_the_flags_in_the_browser(served: Server) -> None:
    with browser_page() as page:
        expect = pytest.importorskip("playwright.sync_api").expect
        sign_in_as_rita(page, f"{served.base}/review/{ELECTION}/north-t/list")
        stuffed = page.locator(f"#protocols tr[data-station='{STUFFED}']")
        expect(stuffed).to_contain_text("turnout")
        expect(stuffed).to_contain_text("accepted")
        expect(page.locator("#advisory")).to_contain_text("never proof")
        expect(page.locator("#protocols tr")).to_have_count(40)
        page.check("#flagged")
        expect(page.locator(f"#protocols tr[data-station='{TYPED}']")).to_have_count(0)
        expect(stuffed).to_have_count(1)


def test_the_review_page_in_russian_then_kazakh(served: Server, arrived: dict[str, Any]) -> None:
    version = arrived["accepted"]["version"]
    with browser_page() as page:
        expect = pytest.importorskip("playwright.sync_api").expect
        page.goto(f"{served.base}/review/{ELECTION}/north-t/list?lang=ru")
        expect(page.locator("#signin-button")).to_have_text("Войти")
        expect(page.locator("#signin legend")).to_contain_text("наблюдатель")
        sign_in_as_rita(page, f"{served.base}/review/{ELECTION}/north-t/list?lang=ru")
        stuffed = page.locator(f"#protocols tr[data-station='{STUFFED}']")
        expect(stuffed).to_contain_text("Явка далеко от комиссии")
        expect(stuffed).to_contain_text(f"принят (версия {version})")
        expect(page.locator("#title")).to_have_text(
            "Поступившие протоколы: North town, Party lists"
        )
        expect(page.locator("#advisory")).to_contain_text("а не доказательства")
        expect(page.locator("#status")).to_have_text("Вы вошли как rita")
        page.select_option("#language", "kk")
        expect(stuffed).to_contain_text("Қатысу комиссиядан алыс")
        expect(stuffed).to_contain_text(f"қабылданды ({version}-нұсқа)")
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        assert page.url.endswith("?lang=kk")


def test_the_comparison_is_made_once_per_state_of_the_contest(
    client: TestClient, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coordinator's page polls: the contest's counted protocols are read and the reference
    made again only when an event about the contest was added to the ledger."""
    loads: list[str] = []
    real = flags_service.load_station_data

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append("load")
        return real(*args, **kwargs)

    monkeypatch.setattr(flags_service, "load_station_data", counted)
    coordinator = person("rita", Role.COORDINATOR, "north")
    ana = person("ana", Role.TYPIST, "north-t")
    bek = person("bek", Role.TYPIST, "north-t")
    before = client.get(f"{BASE}/north-t", headers=coordinator).json()
    client.get(f"{BASE}/north", headers=coordinator)
    assert loads == ["load"]  # sign-ins and a second commission: the same comparison
    assert before["compared_with"] == 97
    body = leader_first(stuffed_values(900 + 11 * 7), night_leader())
    type_entry(client, ana, STUFFED, body)
    type_entry(client, bek, STUFFED, body)
    after = client.get(f"{BASE}/north-t", headers=coordinator).json()
    assert loads == ["load", "load"]  # the accepted protocol is compared with
    assert after["compared_with"] == 98
    rows = {row["station"]: row for row in after["protocols"]}
    assert rows[STUFFED]["counted"] is True


# The stuffed protocol's turnout lead (label, measured, part of the null) and its control
# warning (label, measured), in each language.
SENTENCES = {
    "kk": ("Қатысу комиссиядан алыс", r"сайлауға қатысу 9[67],\d\xa0%",
           "North town комиссиясының", "Бақылау ескертулері",
           "хаттама W01 turnout-high бақылау ескертулерімен қабылданды"),
    "ru": ("Явка далеко от комиссии", r"явка 9[67],\d\xa0%",
           "участков комиссии North town", "Предупреждения контроля",
           "протокол принят с предупреждениями контроля W01 turnout-high"),
    "en": ("Turnout far from the commission", r"turnout 9[67]\.\d\xa0%",
           "stations of North town", "Control warnings",
           "protocol accepted with control warnings W01 turnout-high"),
}  # fmt: skip
ADVISORIES = {"kk": "дәлел емес", "ru": "а не доказательства", "en": "never proof"}


@pytest.mark.parametrize(
    "asked",  # ?lang=, Accept-Language, the language of the answer
    [
        ({"lang": "kk"}, None, "kk"),
        ({"lang": "ru"}, None, "ru"),
        ({"lang": "en"}, "ru", "en"),  # ?lang= wins over Accept-Language
        ({}, "ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ({}, "de, kk;q=0.5, en;q=0.3", "kk"),
        ({}, None, "en"),
    ],
)
def test_a_flagged_protocol_is_said_in_each_language(
    client: TestClient,
    person: Person,
    arrived: dict[str, Any],
    asked: tuple[dict[str, str], str | None, str],
) -> None:
    query, header, language = asked
    coordinator = person("rita", Role.COORDINATOR, "north")
    headers = {**coordinator, **({"Accept-Language": header} if header else {})}
    answer = client.get(f"{BASE}/north-t", params=query, headers=headers)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["language"] == language
    assert ADVISORIES[language] in body["advisory"]
    assert (body["commission_name"], body["contest_title"]) == ("North town", "Party lists")
    flags = {
        f["kind"]: f for row in body["protocols"] if row["station"] == STUFFED for f in row["flags"]
    }
    label, measured, null, warnings, warned = SENTENCES[language]
    assert flags["turnout"]["label"] == label
    assert re.fullmatch(measured, flags["turnout"]["measured"]), flags["turnout"]["measured"]
    assert null in flags["turnout"]["null"]
    assert (flags["warnings"]["label"], flags["warnings"]["measured"]) == (warnings, warned)
    assert flags["turnout"]["kind"] == "turnout"  # the kind stays a key in every language


def test_a_bad_language_is_refused(client: TestClient, person: Person) -> None:
    coordinator = person("rita", Role.COORDINATOR, "north")
    answer = client.get(f"{BASE}/north-t", params={"lang": "de"}, headers=coordinator)
    assert answer.status_code == 422
    assert client.get("/api/review/texts", params={"lang": "fr"}).status_code == 422


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_staff_text_is_in_the_catalogues(language: str) -> None:
    """The review page's texts, the entry stages and the flags' own sentence are translated,
    with the same placeholders as the English message."""
    messages = {*PAGE_TEXTS.values(), TOP_SO_FAR, *(stage_key(stage) for stage in Stage)}
    translations = catalogue(language)
    missing = sorted(m for m in messages if not translations.get(m))
    assert missing == []
    for message in messages:
        assert set(PLACEHOLDER.findall(translations[message])) == set(
            PLACEHOLDER.findall(message)
        ), message


def test_the_review_page_texts_in_each_language(client: TestClient) -> None:
    kk = client.get("/api/review/texts", params={"lang": "kk"}).json()
    assert kk["texts"]["login"] == "Логин"
    assert kk["texts"]["password"] == "Құпиясөз"
    assert kk["stages"]["accepted"] == "қабылданды"
    ru = client.get("/api/review/texts", headers={"Accept-Language": "ru"}).json()
    assert (ru["language"], ru["texts"]["title"]) == ("ru", "Поступившие протоколы")
    assert ru["stages"]["first-entered"] == "введён один раз"
    en = client.get("/api/review/texts").json()
    assert (en["language"], en["stages"]["accepted"]) == ("en", "accepted")
    assert set(en["texts"]) == set(kk["texts"]) == set(PAGE_TEXTS)
