"""The ledger of a large import built in bulk (``saylau.services.ledger_bulk``) is byte for
byte the ledger the one-event-at-a-time path writes: same lines for the same file and time,
on a first import and on a second one that corrects some protocols; the bulk body encoder
agrees with the core's canonical JSON; libsodium's signatures in worker processes are the
ones ``cryptography`` makes; a bundle published after a bulk import verifies.

Runs on SQLite, and on PostgreSQL with SAYLAU_TEST_DATABASE_URL."""

from __future__ import annotations

import csv
import hashlib
import random
import threading
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import CanonicalError, Data, canonical
from saylau.core.ledger.events import (
    Event,
    Kind,
    body_data,
    decode_line,
    encode_line,
    signing_message,
)
from saylau.ledger import KeyFileError, KeyPair, demo_keypair
from saylau.ledger.keys import demo_secret
from saylau.ledger.signing import (
    SigningPool,
    public_keys,
    sign_hashes,
    sodium_secret,
    start_context,
)
from saylau.services import import_controls, ledger, ledger_bulk
from saylau.services.imports import import_file
from saylau.services.ledger import LedgerAppender
from saylau.services.ledger_rows import demo_key, ledger_row
from saylau.services.publishing import publish_ledger
from saylau.services.verify import verify_published
from saylau.store import Store
from saylau.store.errors import ConflictError, StoreError
from saylau.store.ledger_events import BULK_FROM, LedgerRow, append_lines, last_head, ledger_lines
from saylau.store.repository import load_election
from saylau.store.testing import temporary_store

MAPPING = Path(__file__).parent / "data" / "small.toml"
TIME = "2016-09-19T06:00:00Z"
LATER = "2016-09-20T06:00:00Z"
HEADER = [
    "region", "tik", "uik", "Число избирателей", "Получено бюллетеней", "Выдано досрочно",
    "Выдано в помещении", "Выдано вне помещения", "Погашено", "В переносных ящиках",
    "В стационарных ящиках", "Недействительных", "Действительных", "Утрачено",
    "Не учтено при получении", '1. Партия "Альфа"', "2. Партия Бета", "3. Партия Гамма", "url",
]  # fmt: skip
STATIONS = 700
"""More than ``ledger_bulk.BULK_ROWS``: the import takes the bulk path."""


def precinct(rng: random.Random, region: str, tik: str, number: int) -> list[object]:
    """One precinct's row that passes every control (some rows raise warnings)."""
    voters = rng.randint(200, 3000)
    inside = rng.randint(voters // 20, voters * 19 // 20)
    outside = rng.randint(0, voters // 20)
    cancelled = rng.randint(0, 200)
    found = inside + outside - rng.choice([0, 0, 1, 2, inside // 3])
    portable = min(outside, found)
    invalid = rng.randint(0, max(found // rng.choice([10, 10, 3]), 0))
    valid = found - invalid
    alfa = rng.randint(0, valid)
    beta = rng.randint(0, valid - alfa)
    received = inside + outside + cancelled
    return [
        region, tik, number, voters, received, 0, inside, outside, cancelled, portable,
        found - portable, invalid, valid, 0, 0, alfa, beta, valid - alfa - beta,
        f"http://example.org/{region}/{tik}/{number}",
    ]  # fmt: skip


def rows_of(seed: int, count: int = STATIONS) -> list[list[object]]:
    rng = random.Random(seed)
    regions = ["Область Северная", "Край Южный", "Республика Восточная"]
    return [precinct(rng, regions[i % 3], f"{i % 7 + 1} Комиссия", 100 + i) for i in range(count)]


def write(path: Path, rows: Iterable[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def corrected(rows: list[list[object]], every: int = 50) -> list[list[object]]:
    """The same rows with one vote moved from Alfa to Gamma in every ``every``-th row."""
    changed = [list(row) for row in rows]
    for row in changed[::every]:
        alfa = row[15]
        assert isinstance(alfa, int)
        if alfa > 0:
            row[15], row[17] = alfa - 1, int(str(row[17])) + 1
    return changed


def report_election(events: list[Event]) -> str:
    """The election of a ledger, from its definition event."""
    return str(events[1].payload["election"])


def two_imports(store: Store, tmp_path: Path) -> list[bytes]:
    first = write(tmp_path / "night.csv", rows_of(2016))
    again = write(tmp_path / "again.csv", corrected(rows_of(2016)))
    report = import_file(store, first, MAPPING, ledger_time=TIME)
    assert report.rows_rejected == 0
    assert report.stored.inserted == STATIONS
    second = import_file(store, again, MAPPING, ledger_time=LATER)
    assert second.stored.changed == STATIONS // 50
    with store.session() as session:
        return list(ledger_lines(session))


def small_batches(patch: pytest.MonkeyPatch) -> None:
    """Batches small enough that the import of :data:`STATIONS` rows has many: the demo
    keys derived in the workers and here, the events written as they are signed, the last
    batches taken back from the workers."""
    patch.setattr(ledger_bulk, "CHUNK", 64)
    patch.setattr(ledger_bulk, "KEY_CHUNK", 50)


def other_keys(election: str, commission: str) -> KeyPair:
    """A key source other than the demo keys (whose keys the bulk path derives itself)."""
    return demo_keypair(f"other/{election}/{commission}")


@pytest.mark.parametrize("batches", ["usual", "small", "other keys"])
def test_bulk_ledger_is_byte_for_byte_the_one_by_one_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batches: str
) -> None:
    if batches == "other keys":  # each key made when first asked for, as one by one
        monkeypatch.setattr(ledger, "demo_key", other_keys)
    with monkeypatch.context() as patch:
        if batches != "usual":
            small_batches(patch)
        with temporary_store() as store:
            bulk = two_imports(store, tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(ledger_bulk, "BULK_ROWS", 10**9)
        patch.setattr(ledger_bulk, "ledger_rows", lambda events: map(ledger_row, events))
        with temporary_store() as store:
            single = two_imports(store, tmp_path)
    assert len(bulk) == len(single)
    assert bulk == single
    events = [decode_line(line) for line in bulk]
    kinds = [event.kind for event in events]
    # genesis, definition; per station: its key, entered, (its commission's key), accepted;
    # then 14 corrections, each accepted again
    stations_keys = kinds.count(Kind.KEY_REGISTERED) - 1
    assert kinds.count(Kind.PROTOCOL_ENTERED) == STATIONS
    assert kinds.count(Kind.PROTOCOL_CORRECTED) == STATIONS // 50
    assert kinds.count(Kind.PROTOCOL_ACCEPTED) == STATIONS + STATIONS // 50
    assert stations_keys == STATIONS + 7 * 3  # 700 precincts, 21 territorial commissions
    assert len(bulk) == 2 + stations_keys + 2 * STATIONS + 2 * (STATIONS // 50)
    assert {event.time for event in events} == {TIME, LATER}
    assert all(encode_line(event) == line for event, line in zip(events, bulk, strict=True))
    warned = [e for e in events if e.kind == Kind.PROTOCOL_ACCEPTED and e.payload["acknowledged"]]
    assert warned, "the generated night has warnings to acknowledge"
    first = events[2]
    assert first.kind == Kind.KEY_REGISTERED
    commission = str(first.payload["commission"])
    source = other_keys if batches == "other keys" else demo_key
    assert first.payload["public_key"] == source(report_election(events), commission).public_hex


def test_a_bundle_published_after_a_bulk_import_verifies(tmp_path: Path) -> None:
    with temporary_store() as store:
        two_imports(store, tmp_path)
        bundle = publish_ledger(store, tmp_path / "v1", time=LATER)
    assert bundle.tree_size == 2 + STATIONS + 21 + 2 * STATIONS + 2 * (STATIONS // 50)
    verification = verify_published(tmp_path / "v1")
    assert verification.ok, verification.findings[:5]
    [result] = [r for r in verification.results if r.contest.id == "duma-list"]
    assert sum(result.tally.votes_at(result.tally.tree.commission_ids[0]).values()) > 0


@pytest.mark.parametrize("batches", ["usual", "small"])
def test_importing_the_same_file_again_appends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batches: str
) -> None:
    if batches == "small":
        small_batches(monkeypatch)
    path = write(tmp_path / "night.csv", rows_of(7))
    with temporary_store() as store:
        first = import_file(store, path, MAPPING, ledger_time=TIME)
        again = import_file(store, path, MAPPING, ledger_time=LATER)
    assert first.ledger_events == 2 + STATIONS + 21 + 2 * STATIONS
    assert again.ledger_events == 0
    assert again.nothing_changed


# -- the body encoder --------------------------------------------------------------------

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(["Т", "я", "\u007f", "\u2028", "\n", '"', "\\", "\ud7ff", "\ue000"])
    | st.just("\ud800"),
    max_size=12,
)
NUMBER = (
    st.integers(0, 10**6)
    | st.integers(-(2**53) - 2, 2**53 + 2)
    | st.booleans()
    | st.floats(allow_nan=False)
)
NUMBERS = st.dictionaries(TEXT | st.sampled_from(["voters", "ballots_valid"]), NUMBER, max_size=5)


def expected_body(
    kind: str,
    actor: str,
    payload: dict[str, Data],
    sequence: int = 3,
    previous: str | None = "ab" * 32,
) -> bytes | None:
    data = body_data(
        sequence=sequence, kind=kind, time=TIME, actor=actor, payload=payload, previous=previous
    )
    try:
        return canonical(data)
    except CanonicalError:
        return None


@settings(max_examples=300, deadline=None)
@given(station=TEXT, contest=TEXT, lines=NUMBERS, votes=NUMBERS, actor=TEXT)
def test_the_fast_body_is_the_canonical_body(
    station: str, contest: str, lines: dict[str, Data], votes: dict[str, Data], actor: str
) -> None:
    entered: dict[str, Data] = {
        "station": station,
        "contest": contest,
        "lines": lines,
        "votes": votes,
    }
    accepted: dict[str, Data] = {
        "station": station,
        "contest": contest,
        "version": 1,
        "protocol": "cd" * 32,
        "acknowledged": sorted(votes),
    }
    for kind, payload in (("protocol-entered", entered), ("protocol-accepted", accepted)):
        fast = ledger_bulk.fast_body(
            sequence=3, kind=kind, time=TIME, actor=actor, payload=payload, previous="ab" * 32
        )
        exact = expected_body(kind, actor, payload)
        if fast is not None:
            assert fast == exact
        if ledger_bulk._usual(kind, payload):  # then the core's check is skipped: it passes
            payloads.check_payload(kind, payload)
        plain = all(type(v) is int and abs(v) < 2**53 for v in [*lines.values(), *votes.values()])
        texts = [station, contest, actor, *lines, *votes]
        high = any(max(t, default=" ") >= "\ud000" for t in texts)
        if kind == "protocol-accepted" or (plain and not high):
            assert fast is not None or high, "the usual body takes the fast path"


def test_the_usual_payloads_are_recognised() -> None:
    entered = payloads.protocol_entered("s", "c", {"voters": 10, "ballots_valid": 0}, {"a": 3})
    accepted = payloads.protocol_accepted("s", "c", 1, "ab" * 32, ["W01"])
    assert ledger_bulk._usual("protocol-entered", entered)
    assert ledger_bulk._usual("protocol-accepted", accepted)
    assert not ledger_bulk._usual("protocol-entered", {**entered, "lines": {"voters": -1}})
    assert not ledger_bulk._usual("protocol-entered", {**entered, "lines": {"line": 1}})
    assert not ledger_bulk._usual("protocol-entered", {**entered, "station": ""})
    assert not ledger_bulk._usual("protocol-accepted", {**accepted, "version": 0})
    assert not ledger_bulk._usual("protocol-accepted", {**accepted, "protocol": "AB" * 32})
    assert not ledger_bulk._usual("protocol-accepted", {**accepted, "acknowledged": [1]})


def test_the_fast_body_leaves_the_unusual_to_the_core() -> None:
    key = demo_keypair("x")
    registered = payloads.key_registered("cec", key.public_hex)
    args = {"sequence": 0, "time": TIME, "actor": "cec", "previous": None}
    fast = ledger_bulk.fast_body(kind="key-registered", payload=registered, **args)
    assert fast is not None
    assert fast == expected_body("key-registered", "cec", registered, 0, None)
    lot = {"contest": "c", "context": "x", "seed": "s", "contenders": [], "winners": []}
    assert ledger_bulk.fast_body(kind="lot-drawn", payload=lot, **args) is None
    extra: dict[str, Data] = {**registered, "note": 1.5}  # type: ignore[dict-item]
    assert ledger_bulk.fast_body(kind="key-registered", payload=extra, **args) is None
    high: dict[str, Data] = {**registered, "commission": "\U0001f600"}
    assert ledger_bulk.fast_body(kind="key-registered", payload=high, **args) is None


# -- signatures ------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_libsodium_in_workers_signs_as_cryptography(workers: int) -> None:
    rng = random.Random(workers)
    keys = [demo_keypair(f"test/{i}") for i in range(5)]
    hashes = [rng.randbytes(32) for _ in range(300)]
    signers = [keys[rng.randrange(5)] for _ in hashes]
    with SigningPool(workers) as pool:
        batches = [
            pool.submit(
                b"".join(sodium_secret(k) for k in signers[i : i + 128]),
                b"".join(hashes[i : i + 128]),
            )
            for i in range(0, len(hashes), 128)
        ]
        signatures = b"".join(batch.result() for batch in batches)
    assert len(signatures) == 64 * len(hashes)
    for i, (key, digest) in enumerate(zip(signers, hashes, strict=True)):
        assert signatures[64 * i : 64 * (i + 1)] == key.sign(signing_message(digest.hex()))


def test_sign_hashes_refuses_keys_that_do_not_match_the_hashes() -> None:
    with pytest.raises(ValueError, match="expected 64-byte keys for 32-byte hashes, found 64"):
        sign_hashes(b"k" * 64, b"h" * 64)


# -- errors ----------------------------------------------------------------------------


def append(appender: LedgerAppender, payload: dict[str, Data], *, bulk: bool) -> None:
    key = appender.key("cec")
    if not bulk:
        appender._append(Kind.PROTOCOL_ENTERED, "cec", payload, key)
        return
    with ledger_bulk.building(appender):
        appender._append(Kind.PROTOCOL_ENTERED, "cec", payload, key)


def test_the_bulk_path_refuses_a_bad_event_as_the_appender_does(tmp_path: Path) -> None:
    path = write(tmp_path / "night.csv", rows_of(3, 10))
    bad: dict[str, Data] = {
        "station": "s",
        "contest": "duma-list",
        "lines": {"voters": -1},
        "votes": {},
    }
    big: dict[str, Data] = {**bad, "lines": {"voters": 2**53}}
    good: dict[str, Data] = {**bad, "lines": {"voters": 1}}
    with temporary_store() as store:
        report = import_file(store, path, MAPPING, ledger_time=TIME)
        messages: list[list[str]] = []
        cases = [(bad, TIME), (big, TIME), (good, "2016-09-19"), (good, "2016-09-18T00:00:00Z")]
        for bulk in (False, True):
            found = []
            with store.session() as session:
                election = load_election(session, report.election_id)
                appender = LedgerAppender.open(session, election, time=TIME)
                for payload, time in cases:
                    appender.time = time
                    with pytest.raises(StoreError) as error:
                        append(appender, payload, bulk=bulk)
                    found.append(str(error.value))
                session.rollback()
            messages.append(found)
    assert messages[0] == messages[1]
    assert messages[0][0] == (
        "protocol-entered by cec: payload.lines.voters: expected a whole number of at least 0"
        ", found '-1'"
    )
    assert "outside ±(2**53 - 1)" in messages[0][1]
    assert messages[0][2].endswith("time '2016-09-19' is not YYYY-MM-DDTHH:MM:SSZ")
    assert messages[0][3].endswith(f"is before the previous event's ({TIME})")


# -- controls on two processes -------------------------------------------------------------


def test_controls_on_two_processes_find_what_one_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = rows_of(11)
    rows[5][12] = int(str(rows[5][12])) + 1  # valid ballots no longer the found ones: E03
    rows[650][3] = "many"  # not a number
    path = write(tmp_path / "night.csv", rows)
    reports = []
    for parallel_from in (10**9, 100):
        monkeypatch.setattr(import_controls, "PARALLEL_FROM", parallel_from)
        with temporary_store() as store:
            reports.append(import_file(store, path, MAPPING, partial=True, ledger_time=TIME))
    one, two = reports
    assert two.findings == one.findings
    assert two.problems == one.problems
    assert (two.rows_rejected, two.stored) == (one.rows_rejected, one.stored) == (2, two.stored)
    assert two.stored.inserted == STATIONS - 2
    assert [(p.row, p.code, p.column) for p in two.problems] == [
        (7, "E03", None),
        (7, "E04", None),
        (652, None, "Число избирателей"),
    ]
    assert sum(two.findings.values()) > 1


def test_a_bulk_append_over_a_stored_position_is_a_conflict() -> None:
    rows = [
        LedgerRow(n, f"{n:064x}", "kind", "cec", TIME, b"line %d" % n, f"s{n}", None)
        for n in range(BULK_FROM + 500)
    ]
    with temporary_store() as store:
        with store.session() as session:
            assert append_lines(session, rows[:1]) == 1
        with (
            pytest.raises(ConflictError, match="from 0 on: another writer appended first"),
            store.session() as session,
        ):
            append_lines(session, rows)
        with store.session() as session:
            assert list(ledger_lines(session)) == [b"line 0"]
            assert append_lines(session, rows[1:]) == BULK_FROM + 499
            assert last_head(session) == (BULK_FROM + 499, rows[-1].hash, TIME, rows[0].hash)
        with store.session() as session:
            stored = list(ledger_lines(session))
    assert stored == [row.line for row in rows]


def test_with_another_thread_running_the_workers_do_not_fork_it() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert start_context().get_start_method() in {"forkserver", "spawn"}
        key = demo_keypair("test/thread")
        digest = hashlib.sha256(b"event").digest()
        with SigningPool(1) as pool:
            signed = pool.submit(sodium_secret(key), digest).result()
    finally:
        stop.set()
        other.join()
    assert signed == key.sign(signing_message(digest.hex()))
    if threading.active_count() == 1:  # this thread alone again (unless others left some)
        assert start_context().get_start_method() == "fork"


# -- keys from raw bytes, public keys in bulk ------------------------------------------------


def test_a_pair_from_raw_bytes_is_the_pair_of_the_key_object() -> None:
    made = demo_keypair("test/raw")
    private = hashlib.sha256(b"saylau-demo-key-v1\ntest/raw").digest()
    assert demo_secret("test/raw") == private == made.private_bytes
    pair = KeyPair.from_raw(private, made.public_raw)
    assert (pair.public_raw, pair.public_hex, pair.key_id) == (
        made.public_raw,
        made.public_hex,
        made.key_id,
    )
    assert pair == made
    assert hash(pair) == hash(made)
    assert pair != demo_keypair("test/other")
    assert sodium_secret(pair) == sodium_secret(made)
    message = signing_message("ab" * 32)
    assert pair.sign(message) == made.sign(message)  # the key object, made at first use
    assert pair.private_key.private_bytes_raw() == private
    assert "key_id" in repr(pair)
    assert private.hex() not in repr(pair)
    with pytest.raises(AttributeError, match="immutable"):
        pair.key_id = "0" * 16  # type: ignore[misc]


def test_a_pair_from_raw_bytes_with_another_public_key_cannot_sign() -> None:
    other = demo_keypair("test/other")
    pair = KeyPair.from_raw(demo_secret("test/raw"), other.public_raw)
    with pytest.raises(KeyFileError, match="the public key is not the private key's"):
        pair.sign(b"message")
    with pytest.raises(KeyFileError, match="raw Ed25519 keys have 32 bytes, found 31 and 32"):
        KeyPair.from_raw(b"k" * 31, other.public_raw)


@pytest.mark.parametrize("workers", [0, 1])
def test_libsodium_derives_the_public_keys_cryptography_derives(workers: int) -> None:
    seeds = [f"test/{i}" for i in range(40)]
    privates = b"".join(demo_secret(seed) for seed in seeds)
    with SigningPool(workers) as pool:
        publics = pool.derive(privates).result()
    assert publics == public_keys(privates)
    assert publics == b"".join(demo_keypair(seed).public_raw for seed in seeds)
    assert public_keys(b"") == b""
    with pytest.raises(ValueError, match="expected 32-byte private keys, found 33 bytes"):
        public_keys(privates[:33])


# -- writing as the batches are signed -------------------------------------------------------


@pytest.mark.parametrize("fails", [False, True])
@pytest.mark.parametrize("workers", [0, 1])
def test_a_scope_that_writes_as_it_signs_keeps_every_event_once_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool, workers: int
) -> None:
    """Events written while the next ones are built (with no worker, each batch as soon
    as the next is started), all of them when the scope ends; an error in the scope leaves
    the events built so far signed, those not yet written to the appender's flush, none
    written twice."""
    monkeypatch.setattr(ledger_bulk, "CHUNK", 16)
    monkeypatch.setattr(ledger_bulk, "SigningPool", lambda: SigningPool(workers))
    path = write(tmp_path / "night.csv", rows_of(5, 10))
    with temporary_store() as store:
        report = import_file(store, path, MAPPING, ledger_time=TIME)
        with store.session() as session:
            before = list(ledger_lines(session))
            election = load_election(session, report.election_id)
            appender = LedgerAppender.open(session, election, time=LATER)
            key = appender.key("cec")
            count = 200
            with (
                pytest.raises(RuntimeError, match="stop") if fails else nullcontext(),
                ledger_bulk.building(appender, write=True) as written,
            ):
                for n in range(count):
                    payload: dict[str, Data] = {
                        "station": f"s{n}",
                        "contest": "duma-list",
                        "lines": {"voters": n},
                        "votes": {},
                    }
                    appender._append(Kind.PROTOCOL_ENTERED, "cec", payload, key)
                if fails:
                    raise RuntimeError("stop")
            if not fails:
                assert written.count == count
            elif not workers:
                assert written.count == count - count % 16
            assert all(event.signatures for event in appender.added)
            assert written.count + len(appender.added) == count
            assert appender.flush() == count - written.count
            lines = list(ledger_lines(session))
    added = [decode_line(line) for line in lines[len(before) :]]
    assert lines[: len(before)] == before
    assert [event.payload["station"] for event in added] == [f"s{n}" for n in range(count)]
    assert [event.sequence for event in added] == list(range(len(before), len(lines)))
    assert all(
        event.signatures[0].signature
        == key.sign(signing_message(event.hash)).hex()  # the same bytes
        for event in added
    )
