"""Lots drawn at certification: a tie that the rules leave to the commission is refused
until the CEC draws it by lot from a published seed; the draw is a ``lot-drawn`` event before
the certification, the certified seats follow it, and ``verify`` recomputes the contest with
it and names every way a lot can be wrong."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from saylau.core.election import Election, parse_election
from saylau.core.errors import InputError
from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, decode_line, new_event
from saylau.core.protocol import Line
from saylau.core.rules import TieRule
from saylau.core.ties import TiePolicy, break_tie
from saylau.ledger import LedgerWriter, publish, sign_event
from saylau.ledger.bundle import MANIFEST, file_of, load_document
from saylau.rulesets import ruleset_text
from saylau.services.certify import certified_results, certify
from saylau.services.ledger import LedgerAppender, demo_key, record_protocols
from saylau.services.open_data import ledger_results, open_data_files
from saylau.services.publishing import load_writer, publish_ledger
from saylau.services.results import contest_results
from saylau.services.verify import Verification, verify_published
from saylau.store import ConflictError, Store
from saylau.store.errors import NotFound
from saylau.store.ledger_events import ledger_lines
from saylau.store.protocols import ProtocolRow, upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import cec, definition, district, party_list, polling_station, region

ELECTION = "tied-2024"
TIME = "2024-03-17T21:00:00Z"
SEED = "CEC session 2024/7 of 18 March 2024"
CONTEXT = f"{ELECTION}/d1: election"
DEFINITION: dict[str, object] = definition(
    ELECTION,
    title="An election with a tied district",
    commissions=[cec(), region("north", "North")],
    stations=[polling_station("001", "north"), polling_station("002", "north", 800)],
    contests=[
        party_list(),
        district(
            "d1",
            "north",
            [
                ("c1", "Candidate One", "amanat"),
                ("c2", "Candidate Two"),
                ("c3", "Candidate Three", "aq-jol"),
            ],
            title="District 1",
        ),
    ],
)


def ticket(seed: str, context: str, name: str) -> str:
    """A lot ticket as docs/methods/ties.md defines it, computed here from SHA-256 alone."""
    return hashlib.sha256(f"saylau-lot-v1\n{seed}\n{context}\n{name}".encode()).hexdigest()


def winner(seed: str, contenders: Sequence[str], context: str = CONTEXT) -> str:
    return min(contenders, key=lambda name: ticket(seed, context, name))


def other(name: str) -> str:
    return "c2" if name == "c1" else "c1"


def row(station: str, contest: str, votes: list[int]) -> ProtocolRow:
    lines = {Line.VOTERS: 1000, Line.INVALID: 0, Line.AGAINST_ALL: 0}
    lines[Line("ballots_valid")] = sum(votes)
    return ProtocolRow(station, contest, lines, votes, "accepted")


def store_rows(store: Store, election: Election, rows: list[ProtocolRow]) -> None:
    with store.session() as session:
        upsert_protocols(session, election.id, rows)
        record_protocols(session, election, rows, time=TIME)


TIED = [  # d1: c1 300 + 100 = 400, c2 200 + 200 = 400, c3 150: c1 and c2 tie for the seat
    row("001", "d1", [300, 200, 100]),
    row("002", "d1", [100, 200, 50]),
    row("001", "list", [600, 300]),
    row("002", "list", [400, 350]),
]


@pytest.fixture
def election() -> Election:
    return parse_election(DEFINITION, "test")


@pytest.fixture
def store(election: Election) -> Iterator[Store]:
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        store_rows(store, election, TIED)
        yield store


def stored_events(store: Store) -> list[Event]:
    with store.session() as session:
        return [decode_line(line) for line in ledger_lines(session)]


def published_results(bundle: Path) -> dict[str, object]:
    entry = file_of(load_document(bundle / MANIFEST), "results")
    assert entry is not None
    document = load_document(bundle / str(entry["name"]))
    contests = document["contests"]
    assert isinstance(contests, list)
    return {str(c["id"]): c for c in contests if isinstance(c, dict)}


def forge(
    store: Store, election: Election, out: Path, build: list[tuple[Kind, dict[str, Data]]]
) -> Verification:
    """The stored ledger up to its first lot (or its end), then ``build``'s events by the
    CEC, signed with its key and published with the open data of that ledger: what a
    server holding the CEC's key could publish. Returns the verification of the bundle."""
    events = stored_events(store)
    cut = next((n for n, e in enumerate(events) if e.kind == Kind.LOT_DRAWN), len(events))
    kept = events[:cut]
    key = demo_key(election.id, "cec")
    for kind, payload in build:
        event = sign_event(new_event(kept[-1], kind, TIME, "cec", payload), key)
        kept.append(event)
    state = LedgerWriter.resume(kept).state()
    files = open_data_files(election, state, ledger_results(election, state))
    publish(kept, out, signer=key, timestamp=TIME, data_files=files)
    return verify_published(out)


# -- certification ----------------------------------------------------------------------


def test_certify_refuses_an_unresolved_tie_and_writes_nothing(
    store: Store, election: Election
) -> None:
    before = len(stored_events(store))
    with pytest.raises(ConflictError) as refused:
        certify(store, election, ["list", "d1"], time=TIME)
    assert str(refused.value) == (
        "cannot certify contests with an unresolved tie: d1: tie "
        f"'{CONTEXT}': c1, c2 tied at 400 for 1 place, policy none; to decide it by lot, "
        "certify with --lot CONTEST=SEED, SEED a text published before the draw (for example "
        "the date and number of the CEC's session): the lot is recorded in the ledger and "
        "anyone can replay it"
    )
    assert len(stored_events(store)) == before
    # the contest without a tie can be certified alone
    [done] = certify(store, election, ["list"], time=TIME)
    assert done.new
    assert done.lots == ()
    assert done.results["seats"] == {"amanat": 6, "aq-jol": 4}


def test_a_seed_for_a_contest_without_an_unresolved_tie_is_refused(
    store: Store, election: Election
) -> None:
    with pytest.raises(ConflictError, match=r"--lot list=x: contest list has no unresolved tie"):
        certify(store, election, ["list", "d1"], time=TIME, lots={"list": "x", "d1": SEED})
    with pytest.raises(NotFound, match=r"--lot d9=x: no contest 'd9'"):
        certify(store, election, ["d1"], time=TIME, lots={"d9": "x"})
    with pytest.raises(InputError, match=r"a seed of one line"):
        certify(store, election, ["d1"], time=TIME, lots={"d1": "two\nlines"})
    assert not [e for e in stored_events(store) if e.kind == Kind.RESULTS_CERTIFIED]


def test_the_lot_is_drawn_before_the_certification_and_decides_the_seat(
    store: Store, election: Election
) -> None:
    won = winner(SEED, ["c1", "c2"])
    [done] = certify(store, election, ["d1"], time=TIME, lots={"d1": SEED})
    assert done.new
    assert [t.winners for t in done.lots] == [(won,)]
    assert done.results["seats"] == {"c1": int(won == "c1"), "c2": int(won == "c2"), "c3": 0}
    *_, lot, certified = stored_events(store)
    assert (lot.kind, lot.actor, certified.kind) == ("lot-drawn", "cec", "results-certified")
    assert certified.sequence == lot.sequence + 1
    assert dict(lot.payload) == {
        "contest": "d1",
        "context": CONTEXT,
        "seed": SEED,
        "contenders": ["c1", "c2"],
        "places": 1,
        "winners": [won],
    }
    assert certified.payload["results"] == done.results
    # the store's results follow the recorded lot too
    [result] = contest_results(store, election, ["d1"])
    assert result.allocation is not None
    assert result.allocation.seats[won] == 1
    assert [lot.sequence for lot in result.lots] == [lot.sequence]
    # certifying again changes nothing, with or without the seed; another seed is refused
    size = len(stored_events(store))
    assert [c.new for c in certify(store, election, ["d1"], time=TIME)] == [False]
    assert [c.new for c in certify(store, election, ["d1"], lots={"d1": SEED})] == [False]
    with pytest.raises(ConflictError, match=r"drawn by lot at event \d+ .*the draw stands"):
        certify(store, election, ["d1"], time=TIME, lots={"d1": "another seed"})
    assert len(stored_events(store)) == size


def test_changed_votes_need_a_new_draw(store: Store, election: Election) -> None:
    certify(store, election, ["d1"], time=TIME, lots={"d1": SEED})
    store_rows(store, election, [row("002", "d1", [100, 200, 51])])  # c3 +1: still c1 = c2
    with pytest.raises(ConflictError, match=r"unresolved tie: d1: tie '.*': c1, c2 tied at 400"):
        certify(store, election, ["d1"], time=TIME)
    [done] = certify(store, election, ["d1"], time=TIME, lots={"d1": SEED})
    assert done.new
    events = stored_events(store)
    assert [e.kind for e in events[-2:]] == ["lot-drawn", "results-certified"]
    assert [e.payload["seed"] for e in events if e.kind == Kind.LOT_DRAWN] == [SEED, SEED]
    store_rows(store, election, [row("002", "d1", [101, 200, 51])])  # no tie any more
    [plain] = certify(store, election, ["d1"], time=TIME)
    assert plain.new
    assert plain.lots == ()
    assert plain.results["seats"] == {"c1": 1, "c2": 0, "c3": 0}
    assert stored_events(store)[-1].kind == "results-certified"
    assert stored_events(store)[-2].kind == "protocol-accepted"


# -- verification ----------------------------------------------------------------------


def test_verify_recomputes_the_seat_with_the_lot(
    store: Store, election: Election, tmp_path: Path
) -> None:
    won = winner(SEED, ["c1", "c2"])
    certify(store, election, ["list", "d1"], time=TIME, lots={"d1": SEED})
    bundle = publish_ledger(store, tmp_path / "v1", time=TIME).directory
    verification = verify_published(bundle)
    assert verification.ok, verification.findings
    d1 = published_results(bundle)["d1"]
    assert isinstance(d1, dict)
    assert d1["status"] == "certified"
    allocation = d1["allocation"]
    assert allocation["seats"] == {"c1": int(won == "c1"), "c2": int(won == "c2"), "c3": 0}
    assert allocation["elected"] == [won]
    assert allocation["ties_policy"] == f"lot:{SEED}"
    [lot] = allocation["lots"]
    assert {k: lot[k] for k in ("context", "seed", "contenders", "places", "winners")} == {
        "context": CONTEXT,
        "seed": SEED,
        "contenders": ["c1", "c2"],
        "places": 1,
        "winners": [won],
    }
    [tie] = allocation["ties"]
    assert {t["name"]: t["ticket"] for t in tie["tickets"]} == {
        name: ticket(SEED, CONTEXT, name) for name in ("c1", "c2")
    }
    # the open data is a function of the ledger: built twice, the same bytes
    with store.session() as session:
        state = load_writer(session).state()
    first = open_data_files(election, state, ledger_results(election, state))
    second = open_data_files(election, state, ledger_results(election, state))
    assert [f.data for f in first] == [f.data for f in second]


def test_a_certification_without_the_lot_fails_verify(
    store: Store, election: Election, tmp_path: Path
) -> None:
    # what a certification that skips the draw records: the seat left open
    [result] = contest_results(store, election, ["d1"], lots={})
    assert [t.context for t in result.unresolved] == [CONTEXT]
    with store.session() as session:
        appender = LedgerAppender.open(session, election, time=TIME)
        appender.certify("d1", certified_results(result))
        appender.flush()
    bundle = publish_ledger(store, tmp_path / "v1", time=TIME).directory
    verification = verify_published(bundle)
    assert verification.report.ok
    [finding] = verification.data_findings
    assert finding.code == "lot-missing"
    assert finding.message == (
        f"event {finding.sequence}: contest d1 is certified with the tie '{CONTEXT}': c1, c2 "
        "tied at 400 for 1 place unresolved, and no lot was drawn for it"
    )


def honest(election: Election, seed: str = SEED) -> tuple[dict[str, Data], dict[str, Data]]:
    """The lot and the certification that ``certify`` records for d1 with ``seed``."""
    won = winner(seed, ["c1", "c2"])
    lot = payloads.lot_drawn("d1", CONTEXT, seed, ["c1", "c2"], 1)
    assert lot["winners"] == [won]
    seats = {"c1": int(won == "c1"), "c2": int(won == "c2"), "c3": 0}
    results = {
        "votes": {"c1": 400, "c2": 400, "c3": 150},
        "seats": seats,
        "stations_counted": 2,
        "stations_expected": 2,
    }
    return lot, payloads.results_certified("d1", results)


def test_the_honest_forgery_baseline_verifies(
    store: Store, election: Election, tmp_path: Path
) -> None:
    """The forging below, without a change, gives a bundle that verifies: each failure
    after it comes from the change alone."""
    lot, certified = honest(election)
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.RESULTS_CERTIFIED, certified)],
    )
    assert verification.ok, verification.findings


def test_changed_winners_signed_again_fail(
    store: Store, election: Election, tmp_path: Path
) -> None:
    lot, certified = honest(election)
    won = winner(SEED, ["c1", "c2"])
    lot["winners"] = [other(won)]
    results = certified["results"]
    assert isinstance(results, dict)
    results["seats"] = {other(won): 1, won: 0, "c3": 0}
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.RESULTS_CERTIFIED, certified)],
    )
    codes = [f.code for f in verification.findings]
    assert codes[0] == "lot-outcome"
    assert verification.findings[0].message.endswith(
        f"lot in d1: winners {other(won)} do not follow from the seed (it gives {won})"
    )
    assert "lot-missing" in codes  # the seat is certified, the lot that would decide it is not
    assert "certified-mismatch" in codes


def test_a_lot_for_other_contenders_fails(store: Store, election: Election, tmp_path: Path) -> None:
    lot = payloads.lot_drawn("d1", CONTEXT, SEED, ["c1", "c3"], 1)  # its winners follow
    _, certified = honest(election)
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.RESULTS_CERTIFIED, certified)],
    )
    assert verification.report.ok  # signed, chained, and its winners follow from the seed
    [finding] = verification.data_findings
    assert finding.code == "lot-mismatch"
    assert finding.message == (
        f"event {finding.sequence}: lot in contest d1 for '{CONTEXT}' (c1, c3 for 1 place, "
        f"seed '{SEED}'): the votes give the tie '{CONTEXT}': c1, c2 tied at 400 for 1 place"
    )


def test_a_lot_for_another_decision_fails(store: Store, election: Election, tmp_path: Path) -> None:
    lot = payloads.lot_drawn("d1", f"{ELECTION}/d1: run-off places", SEED, ["c1", "c2"], 1)
    _, certified = honest(election)
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.RESULTS_CERTIFIED, certified)],
    )
    codes = sorted(f.code for f in verification.data_findings)
    assert codes == ["lot-mismatch", "lot-missing"], verification.data_findings
    messages = " | ".join(f.message for f in verification.data_findings)
    assert f"for '{ELECTION}/d1: run-off places'" in messages
    assert "matches no tie of the votes" in messages
    assert f"decided by lot (seed '{SEED}'), but no lot-drawn event records the draw" in messages


def test_a_certification_that_contradicts_the_lot_fails(
    store: Store, election: Election, tmp_path: Path
) -> None:
    lot, certified = honest(election)
    won = winner(SEED, ["c1", "c2"])
    results = certified["results"]
    assert isinstance(results, dict)
    results["seats"] = {"c1": int(won != "c1"), "c2": int(won != "c2"), "c3": 0}
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.RESULTS_CERTIFIED, certified)],
    )
    assert verification.report.ok
    findings = verification.data_findings
    assert [f.code for f in findings] == ["certified-mismatch", "certified-mismatch"]
    assert findings[0].sequence is not None
    lot_at = findings[0].sequence - 1
    assert findings[0].message == (
        f"event {findings[0].sequence}: certified d1.seats.c1: published {int(won != 'c1')}, "
        f"recomputed {int(won == 'c1')} (the seats the lots give: event {lot_at}: {won} of "
        "c1, c2)"
    )


def test_a_lot_that_no_certification_follows_fails(
    store: Store, election: Election, tmp_path: Path
) -> None:
    lot, certified = honest(election)
    later, _ = honest(election, "a seed tried afterwards")
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.RESULTS_CERTIFIED, certified), (Kind.LOT_DRAWN, later)],
    )
    [finding] = verification.data_findings
    assert finding.code == "lot-uncertified"
    assert finding.message.endswith(
        "seed 'a seed tried afterwards'): no certification of contest d1 follows it"
    )


def test_a_lot_from_a_second_seed_fails(store: Store, election: Election, tmp_path: Path) -> None:
    lot, certified = honest(election)
    second = payloads.lot_drawn("d1", CONTEXT, "another", ["c1", "c2"], 1)
    verification = forge(
        store,
        election,
        tmp_path / "v",
        [(Kind.LOT_DRAWN, lot), (Kind.LOT_DRAWN, second), (Kind.RESULTS_CERTIFIED, certified)],
    )
    [finding] = verification.data_findings
    assert finding.code == "lot-mismatch"
    assert "a second lot for the tie drawn at event" in finding.message


# -- the policy ``lot`` without a seed --------------------------------------------------


def test_a_lot_without_a_seed_leaves_the_tie_open() -> None:
    tie = break_tie(["a", "b"], 1, context="x", value="7", policy=TiePolicy(TieRule.LOT))
    assert tie.winners is None
    assert tie.policy == "lot"
    assert tie.seed is None
    drawn = break_tie(["a", "b"], 1, context="x", value="7", policy=TiePolicy.lot("s"))
    assert drawn.seed == "s"
    assert drawn.winners == (min("ab", key=lambda n: ticket("s", "x", n)),)


def test_a_rule_of_lots_is_drawn_at_certification_the_same_way(tmp_path: Path) -> None:
    text = ruleset_text("kz-2023")
    district = text.index("[contests.mazhilis-district]")
    rules = text[:district] + text[district:].replace('ties = "none"', 'ties = "lot"', 1)
    path = tmp_path / "kz-2023-lots.toml"
    path.write_text(rules, encoding="utf-8")
    definition = {**DEFINITION, "ruleset": str(path)}
    election = parse_election(definition, "test")
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(definition))
        store_rows(store, election, TIED)
        with pytest.raises(ConflictError, match=r"c1, c2 tied at 400 for 1 place, policy lot;"):
            certify(store, election, ["d1"], time=TIME)
        [done] = certify(store, election, ["d1"], time=TIME, lots={"d1": SEED})
        assert [t.winners for t in done.lots] == [(winner(SEED, ["c1", "c2"]),)]
        *_, lot, certified = stored_events(store)
        assert (lot.kind, certified.kind) == ("lot-drawn", "results-certified")
        assert lot.payload["seed"] == SEED
