"""The events of many protocols built at once: what an import of a whole file appends.

:meth:`saylau.services.ledger.LedgerAppender.protocols` hands a batch of
:data:`BULK_ROWS` protocols or more to :func:`record`, which makes the same events as the
appender does one protocol after another (each commission's key registered before its
first event, then entered, corrected, accepted): a protocol new to the ledger and accepted,
the usual row of an import, takes a short way there, any other goes the appender's way.
Inside :func:`building` every event the appender appends goes through :class:`BulkEvents`
instead of being signed on the spot:

- an entry or acceptance whose payload is proven valid here in one pass (:func:`_usual`)
  skips the core's separate check; any other payload is checked by the core, which words
  the error;
- the body's canonical JSON is written by orjson where that is provably the core's
  encoding (:func:`fast_body`: the usual payloads with exactly the expected types, no
  character from U+D000 up, integers held to ±(2**53 - 1)); anything else goes through
  :func:`saylau.core.ledger.events.new_event`, which also words any error;
- the hash is chained in this process, as the next event's ``previous`` needs it;
- the signatures are made in worker processes (:class:`saylau.ledger.signing.SigningPool`)
  while the next events are built: each worker gets the hashes and the raw keys of a batch,
  never the events;
- when the batch is done the signatures are put on the events, in order, and the ledger's
  rows are written from the bytes already made (:func:`ledger_rows`); a scope opened with
  ``write`` (an import, :func:`building`) writes them then, while the workers sign the next
  batches, rather than all after the last signature;
- when the scope ends, this process signs the batches no worker has started yet, from the
  last one back, between writing those the workers have signed.

On the short way each commission's key is registered by the CEC before its first event, as
:meth:`saylau.services.ledger.LedgerAppender.key` registers it (:class:`_Keys`). With the
demo keys, the public keys of the rows' stations and of the commissions above them are
derived by libsodium in the workers, ahead of the rows that need them (:class:`_DemoKeys`),
rather than one by one by OpenSSL here: the keys themselves are the same, and the pairs are
made from the raw bytes (:meth:`saylau.ledger.keys.KeyPair.from_raw`).

So the events are byte for byte those the one-at-a-time path makes for the same rows and
time (tests/ingest/test_import_ledger_bulk.py compares the two): same bodies, hashes and
signatures (Ed25519 is deterministic), same order.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple, cast

import orjson

from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import (
    HASH_PATTERN,
    KINDS,
    TIME_PATTERN,
    Event,
    Kind,
    LedgerError,
    Signature,
    new_event,
)
from saylau.core.ledger.payloads import ALGORITHM, LINE_NAMES, PayloadError
from saylau.ledger.keys import RAW_SIZE, KeyPair, demo_secret
from saylau.ledger.signing import (
    SIGNATURE_SIZE,
    SigningPool,
    public_keys,
    sign_hashes,
    sodium_secret,
)
from saylau.services import ledger_prefetch
from saylau.services.ledger_protocols import ACCEPTED, ENTERED, ProtocolState
from saylau.services.ledger_rows import about, demo_key, ledger_row
from saylau.store.errors import StoreError
from saylau.store.ledger_events import LedgerRow, append_lines
from saylau.store.protocols import ProtocolRow

if TYPE_CHECKING:
    from saylau.services.ledger import LedgerAppender

BULK_ROWS = 500
"""Protocols recorded at once from which the events are built in bulk (fewer: one by one,
where starting worker processes would cost more than it saves)."""
CHUNK = 4096
"""Events per batch sent to a signing worker."""
KEY_CHUNK = 2048
"""Demo keys per batch derived by a signing worker."""

_ENTERED_KIND, _ACCEPTED_KIND = Kind.PROTOCOL_ENTERED, Kind.PROTOCOL_ACCEPTED
_ENTERED = _ENTERED_KIND.value
_ACCEPTED = _ACCEPTED_KIND.value
_KEY_REGISTERED = Kind.KEY_REGISTERED.value
_ENTERED_KEYS = frozenset({"station", "contest", "lines", "votes"})
_ACCEPTED_KEYS = frozenset({"station", "contest", "version", "protocol", "acknowledged"})
_KEY_KEYS = frozenset({"commission", "key_id", "public_key", "algorithm"})
_ENTRY_KINDS = frozenset({_ENTERED, _ACCEPTED})
_INT_ONLY = frozenset({int})
_STR_ONLY = frozenset({str})
_WRITE = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
"""Members sorted by code point; an integer outside ±(2**53 - 1) refused."""
_BELOW_HIGH = bytes(range(0xED))
"""Every byte but the UTF-8 lead bytes of code points from U+D000 up (whose member order
may need UTF-16 code units, which only the core's exact path gives)."""
_HEX = re.compile(r"[0-9a-f]*")


def _whole(numbers: object) -> bool:
    """A dict of integers, exactly (no bool, no subclass); its keys are checked by orjson,
    which refuses any key that is not text."""
    return type(numbers) is dict and set(map(type, numbers.values())) <= _INT_ONLY


def _plain(kind: str, payload: Mapping[str, Data]) -> bool:
    """Whether ``payload`` is a usual payload of ``kind`` made of exactly the plain types
    (dict, list, str, int), for which orjson and the core write the same bytes."""
    if type(payload) is not dict:
        return False
    if kind == _ENTERED:
        return (
            payload.keys() == _ENTERED_KEYS
            and type(payload["station"]) is str
            and type(payload["contest"]) is str
            and _whole(payload["lines"])
            and _whole(payload["votes"])
        )
    if kind == _ACCEPTED:
        codes = payload.get("acknowledged")
        return (
            payload.keys() == _ACCEPTED_KEYS
            and type(payload["station"]) is str
            and type(payload["contest"]) is str
            and type(payload["version"]) is int
            and type(payload["protocol"]) is str
            and type(codes) is list
            and set(map(type, codes)) <= _STR_ONLY
        )
    if kind == _KEY_REGISTERED:
        return payload.keys() == _KEY_KEYS and set(map(type, payload.values())) <= _STR_ONLY
    return False


def _usual(kind: str, payload: Mapping[str, Data]) -> bool:
    """Whether ``payload`` is a plain (:func:`_plain`) entry or acceptance that
    :func:`saylau.core.ledger.payloads.check_payload` accepts, proven here in one pass (the
    checks of the core's fast path for these kinds); ``False`` leaves it to the core."""
    if kind not in _ENTRY_KINDS or not _plain(kind, payload):
        return False
    if not payload["station"] or not payload["contest"]:
        return False
    if kind == _ENTERED:
        lines = cast(dict[str, int], payload["lines"])
        votes = cast(dict[str, int], payload["votes"])
        return (
            lines.keys() <= LINE_NAMES
            and min(lines.values(), default=0) >= 0
            and min(votes.values(), default=0) >= 0
        )
    if kind == _ACCEPTED:
        protocol = cast(str, payload["protocol"])
        return cast(int, payload["version"]) >= 1 and HASH_PATTERN.fullmatch(protocol) is not None
    return False


def fast_body(
    *,
    sequence: int,
    kind: str,
    time: str,
    actor: str,
    payload: Mapping[str, Data],
    previous: str | None,
) -> bytes | None:
    """The canonical JSON of an event's body when it is provably what
    :func:`saylau.core.ledger.canonical.canonical` writes (see the module's description);
    ``None`` otherwise (the caller then asks the core). ``kind`` and ``time`` must be
    valid (:data:`saylau.core.ledger.events.KINDS`, ``TIME_PATTERN``)."""
    return _body(sequence, kind, time, actor, payload, previous)


def _body(  # noqa: PLR0917 (the body's six fields, on the path of every event)
    sequence: int,
    kind: str,
    time: str,
    actor: str,
    payload: Mapping[str, Data],
    previous: str | None,
) -> bytes | None:
    if not _plain(kind, payload):
        return None
    return _encoded(sequence, kind, time, actor, payload, previous)


def _encoded(  # noqa: PLR0917
    sequence: int,
    kind: str,
    time: str,
    actor: str,
    payload: Mapping[str, Data],
    previous: str | None,
) -> bytes | None:
    """:func:`fast_body` of a payload known to be plain."""
    if type(actor) is not str or type(sequence) is not int:
        return None
    body = {
        "actor": actor,
        "kind": kind,
        "payload": payload,
        "previous": previous,
        "sequence": sequence,
        "time": time,
    }
    try:
        data = orjson.dumps(body, option=_WRITE)
    except orjson.JSONEncodeError:
        return None  # a too large integer, a lone surrogate: the core says what is wrong
    if data.isascii() or not data.translate(None, _BELOW_HIGH):
        # orjson's bytes keep the room of its output buffer (several times the body):
        # a copy of the exact size is what each kept event holds
        return bytes(memoryview(data))
    return None


class _Batch(NamedTuple):
    """A batch handed to the workers: what they sign, the events it ends at."""

    signed: Future[bytes]
    secrets: bytes
    hashes: bytes
    end: int


class BulkEvents:
    """The events of one :func:`building` scope: built and chained here, signed by the
    workers of ``pool`` batch by batch (see the module's description).

    With ``on_signed``, each run of events at the front whose batches the workers have
    signed is signed in place and handed to it as the next ones are built (the scope's
    writing of them, :func:`building`)."""

    def __init__(
        self,
        pool: SigningPool,
        *,
        chunk: int | None = None,
        on_signed: Callable[[list[Event]], None] | None = None,
    ):
        self.pool = pool
        self.chunk = CHUNK if chunk is None else chunk
        self.on_signed = on_signed
        self.events: list[Event] = []
        self._secrets: list[bytes] = []
        self._hashes: list[bytes] = []
        self._key_ids: list[str] = []
        self._secret_of: dict[str, bytes] = {}
        self._batches: list[_Batch] = []
        self._sent = 0
        self._signed = 0
        """Events at the front signed (in place)."""
        self._given = 0
        """Events at the front handed to ``on_signed``."""
        self._time = ""
        """The last time seen to match ``TIME_PATTERN``."""

    def append(
        self,
        head: Event | None,
        kind: Kind | str,
        actor: str,
        payload: Mapping[str, Data],
        *,
        time: str,
        key: KeyPair,
        valid: bool = False,
    ) -> Event:
        """The unsigned event that follows ``head`` (signed later by ``key``); refuses what
        :meth:`saylau.services.ledger.LedgerAppender._append` refuses, with the same
        :class:`StoreError`. ``valid``: the caller made ``payload`` of the plain types
        (:func:`_plain`) and valid for ``kind``, so it is not checked again."""
        if len(self.events) - self._sent >= self.chunk:
            # before this event: every one handed over is then the caller's already
            self._send()
            if self.on_signed is not None:
                self._hand_over()
        name = str(kind)
        try:
            usual = valid or _usual(name, payload)
            if not usual:
                payloads.check_payload(name, payload)
            if time != self._time and TIME_PATTERN.fullmatch(time):
                self._time = time
            body = None
            if name in KINDS and time == self._time and (head is None or time >= head.time):
                sequence = 0 if head is None else head.sequence + 1
                previous = None if head is None else head.hash
                encode = _encoded if usual else _body
                body = encode(sequence, name, time, actor, payload, previous)
            if body is None:
                event = new_event(head, name, time, actor, payload)
                digest = bytes.fromhex(event.hash)
            else:
                digest = hashlib.sha256(body).digest()
                event = Event(
                    sequence, name, time, actor, payload, previous, digest.hex(), (), body
                )
        except (LedgerError, PayloadError) as error:
            raise StoreError(f"{kind} by {actor}: {error}") from error
        secret = self._secret_of.get(key.key_id)
        if secret is None:
            secret = self._secret_of[key.key_id] = sodium_secret(key)
        self.events.append(event)
        self._secrets.append(secret)
        self._hashes.append(digest)
        self._key_ids.append(key.key_id)
        return event

    def _send(self) -> None:
        start, end = self._sent, len(self.events)
        if start == end:
            return
        secrets = b"".join(self._secrets[start:end])
        hashes = b"".join(self._hashes[start:end])
        self._batches.append(_Batch(self.pool.submit(secrets, hashes), secrets, hashes, end))
        self._sent = end

    def _sign(self, signatures: bytes, end: int) -> None:
        """Put ``signatures`` (of the events from the first unsigned one to ``end``) on
        their events, in place: they were not signed before, so no holder of them can have
        relied on their signatures."""
        hexed, width, start = signatures.hex(), 2 * SIGNATURE_SIZE, self._signed
        events, key_ids = self.events, self._key_ids
        if len(hexed) != width * (end - start):
            raise StoreError(f"the signing of events {start} to {end} gave {len(hexed)} digits")
        for i in range(start, end):
            at = (i - start) * width
            event = events[i]
            signature = Signature(key_ids[i], hexed[at : at + width])
            object.__setattr__(event, "signatures", (*event.signatures, signature))
        self._signed = end

    def _hand_over(self) -> None:
        """Sign the events of the batches at the front the workers are done with, and
        hand them to ``on_signed``."""
        batches, done = self._batches, 0
        while done < len(batches) and batches[done].signed.done():
            self._sign(batches[done].signed.result(), batches[done].end)
            done += 1
        del batches[:done]
        if self.on_signed is not None and self._signed > self._given:
            signed = self.events[self._given : self._signed]
            self._given = self._signed
            self.on_signed(signed)

    def _take_back(self) -> bool:
        """Sign here the last batch no worker has started, if there is one."""
        for index in range(len(self._batches) - 1, -1, -1):
            batch = self._batches[index]
            if batch.signed.done():
                continue
            if not batch.signed.cancel():
                return False  # started: those before it too
            signed: Future[bytes] = Future()
            signed.set_result(sign_hashes(batch.secrets, batch.hashes))
            self._batches[index] = batch._replace(signed=signed)
            return True
        return False

    def finish(self, *, hand_over: bool = True) -> list[Event]:
        """The events built, in order, now signed in place; those already handed to
        ``on_signed`` included. Meanwhile this process hands over what the workers have
        signed, else signs here the last batches no worker has started (the events not yet
        sent first), else waits for the first one. Without ``hand_over`` (the scope ends
        with an error), nothing more is handed over."""
        start = self._sent
        if start < len(self.events):
            signed: Future[bytes] = Future()
            signed.set_result(
                sign_hashes(b"".join(self._secrets[start:]), b"".join(self._hashes[start:]))
            )
            self._batches.append(_Batch(signed, b"", b"", len(self.events)))
            self._sent = len(self.events)
        while self._batches:
            if hand_over and self.on_signed is not None:
                self._hand_over()
                if not self._batches:
                    break
            if not self._take_back():
                first = self._batches.pop(0)
                self._sign(first.signed.result(), first.end)
        if hand_over and self.on_signed is not None:
            self._hand_over()
        events = self.events
        self.events = []
        self._secrets.clear()
        self._hashes.clear()
        self._key_ids.clear()
        self._sent = self._signed = self._given = 0
        return events


class Written:
    """How many events a :func:`building` scope wrote as they were signed."""

    count = 0


@contextmanager
def building(appender: LedgerAppender, *, write: bool = False) -> Iterator[Written]:
    """Within this scope the events ``appender`` appends are built in bulk and signed when
    it ends, in order, even if it ends with an error: outside it, every event of the
    appender is signed. With ``write``, the events are written to the appender's session
    as their batches are signed, while the next ones are built and signed (the events the
    appender had not written before the scope first, so the ledger keeps its order; the
    count is the one yielded); the appender's :meth:`flush` writes the rest, after the
    scope. Nested in another scope, this one is part of it."""
    written = Written()
    if appender._bulk is not None:
        yield written
        return
    before = len(appender._added)

    def write_signed(events: list[Event]) -> None:
        nonlocal before
        count = before + len(events)
        added = appender._added
        assert added[before] is events[0]
        assert added[count - 1] is events[-1]
        written.count += append_lines(appender.session, ledger_rows(added[:count]))
        del added[:count]
        before = 0

    with SigningPool() as pool:
        bulk = BulkEvents(pool, on_signed=write_signed if write else None)
        appender._bulk = bulk
        try:
            yield written
        except BaseException:
            appender._bulk = None
            bulk.finish(hand_over=False)
            raise
        appender._bulk = None
        signed = bulk.finish()
        if signed:
            appender.head = signed[-1]


def record(
    appender: LedgerAppender,
    rows: Sequence[ProtocolRow],
    reason: str | None,
    decision: str | None,
) -> None:
    """The events of ``rows``, as :meth:`saylau.services.ledger.LedgerAppender.protocols`
    makes them one by one, built in bulk (:func:`building`). A protocol new to the ledger
    and accepted, the usual row of an import, takes the short way here (the same events,
    each commission's key registered by the CEC before its first event as
    :meth:`~saylau.services.ledger.LedgerAppender.key` registers it); any other goes the
    appender's way. The ledger's state of every row, and whether each station and the
    commission above it have a key, must be loaded."""
    election, states = appender.election, appender._protocols
    contests, stations = election.contests, election.stations
    with building(appender):
        bulk = appender._bulk
        assert bulk is not None
        demo = _DemoKeys(appender, rows, bulk.pool)
        keys = _Keys(appender)
        try:
            for index, row in enumerate(rows):
                if index >= demo.until:
                    demo.ready(index)
                station, contest_id = row.station, row.contest
                contest = contests.get(contest_id)
                found = stations.get(station)
                if (
                    contest is None
                    or found is None
                    or row.status != ACCEPTED
                    or states.get((station, contest_id)) is not None
                ):
                    appender._protocol(row, reason, decision)
                    continue
                lines: dict[str, Data] = {
                    str(line): n for line, n in row.lines.items() if n is not None
                }
                votes: dict[str, Data] = {
                    choice.id: n for choice, n in zip(contest.choices, row.votes, strict=True)
                }
                entered: dict[str, Data] = {
                    "station": station,
                    "contest": contest_id,
                    "lines": lines,
                    "votes": votes,
                }
                event = keys.append(_ENTERED_KIND, station, entered, station)
                state = ProtocolState(1, event.hash, {"lines": lines, "votes": votes}, ENTERED)
                states[station, contest_id] = state
                appender._any_protocol = True
                warnings = sorted(
                    {str(f["code"]) for f in row.findings if f.get("severity") == "warning"}
                )
                accepted: dict[str, Data] = {
                    "station": station,
                    "contest": contest_id,
                    "version": 1,
                    "protocol": event.hash,
                    "acknowledged": cast(list[Data], warnings),
                }
                parent = found.commission
                keys.append(_ACCEPTED_KIND, parent, accepted, parent)
                state.status = ACCEPTED
        finally:
            demo.cancel()


class _Keys:
    """The keys of the short way of :func:`record`: each commission's key registered by
    the CEC before its first event, as
    :meth:`saylau.services.ledger.LedgerAppender.key` registers it (the same events), the
    keys made once; whatever the appender's state does not settle (a commission whose key
    it has not looked up, one the election lacks) is asked of the appender itself."""

    def __init__(self, appender: LedgerAppender):
        self.appender = appender
        self.bulk = appender._bulk
        self.session = appender.session
        self.cec = appender.cec
        self.signer: KeyPair | None = None
        """The CEC's key, asked of the appender once."""
        self.known: dict[str, KeyPair] = {}
        election = appender.election
        self.commissions, self.stations = election.commissions, election.stations

    def key(self, commission: str) -> KeyPair:
        """``appender.key(commission)``, short."""
        pair = self.known.get(commission)
        if pair is not None:
            return pair
        appender = self.appender
        registered = appender._registered.get(commission)
        if (
            registered is None
            or commission == self.cec
            or not (commission in self.commissions or commission in self.stations)
        ):
            pair = appender.key(commission)  # what the appender must settle
        else:
            pair = appender._key_pair(commission)
            if not registered:
                appender._registered[commission] = True
                if self.signer is None:
                    self.signer = appender.key(self.cec)
                # payloads.key_registered, with the id the pair has computed once
                payload: dict[str, Data] = {
                    "commission": commission,
                    "key_id": pair.key_id,
                    "public_key": pair.public_hex,
                    "algorithm": ALGORITHM,
                }
                event = self.append(
                    Kind.KEY_REGISTERED, self.cec, payload, None, self.signer, valid=True
                )
                appender._learn_key(event)
                ledger_prefetch.registered(self.session, commission)
        self.known[commission] = pair
        return pair

    def append(
        self,
        kind: Kind,
        actor: str,
        payload: Mapping[str, Data],
        signer: str | None,
        key: KeyPair | None = None,
        *,
        valid: bool = False,
    ) -> Event:
        """``appender._append`` of an event signed by ``signer``'s key (or by ``key``);
        ``valid`` as in :meth:`BulkEvents.append`."""
        if key is None:
            assert signer is not None
            key = self.key(signer)
        appender, bulk = self.appender, self.bulk
        if bulk is None:  # pragma: no cover - only within building()
            return appender._append(kind, actor, payload, key)
        event = bulk.append(
            appender.head, kind, actor, payload, time=appender.time, key=key, valid=valid
        )
        appender.head = event
        appender._added.append(event)
        return event


class _DemoKeys:
    """The demo keys of the stations of ``rows`` and of the commissions above them, when
    the appender signs with the demo keys (:func:`saylau.services.ledger_rows.demo_key`):
    their public keys derived by libsodium in the signing workers, :data:`KEY_CHUNK` at a
    time in the order the rows need them (:func:`saylau.ledger.signing.public_keys`),
    rather than one by one here; :meth:`ready` puts those of the rows up to a row where the
    appender keeps the pairs it has made (a chunk no worker has started yet is derived
    here). The same keys: only the work moves."""

    def __init__(self, appender: LedgerAppender, rows: Sequence[ProtocolRow], pool: SigningPool):
        self.made = appender._pairs
        self.chunks: list[tuple[int, list[str], list[bytes], Future[bytes]]] = []
        """Per chunk: the row from which it is needed, its commissions, their private
        keys, their public keys to come."""
        self.until = len(rows)
        """The first row whose keys are not all made (or may be made one by one)."""
        if appender._keys is not demo_key or appender._ledger_keys is not None:
            return
        election, stations, made = appender.election.id, appender.election.stations, self.made
        wanted: dict[str, int] = {}
        for index, row in enumerate(rows):
            found = stations.get(row.station)
            if found is not None:
                for commission in (row.station, found.commission):
                    if commission not in made and commission not in wanted:
                        wanted[commission] = index
        if len(wanted) < KEY_CHUNK:  # few: one by one, as they are asked for
            return
        commissions = list(wanted)
        for start in range(0, len(commissions), KEY_CHUNK):
            chunk = commissions[start : start + KEY_CHUNK]
            privates = [demo_secret(f"{election}/{commission}") for commission in chunk]
            derived = pool.derive(b"".join(privates))
            self.chunks.append((wanted[chunk[0]], chunk, privates, derived))
        self.chunks.reverse()  # the next one last
        self.until = 0

    def ready(self, row: int) -> None:
        """The keys of the rows up to ``row`` made."""
        chunks = self.chunks
        while row >= self.until:
            if not chunks:
                self.until = sys.maxsize
                return
            _, commissions, privates, derived = chunks.pop()
            publics = public_keys(b"".join(privates)) if derived.cancel() else derived.result()
            made = self.made
            for i, (commission, private) in enumerate(zip(commissions, privates, strict=True)):
                public = publics[i * RAW_SIZE : (i + 1) * RAW_SIZE]
                made.setdefault(commission, KeyPair.from_raw(private, public))
            self.until = chunks[-1][0] if chunks else sys.maxsize

    def cancel(self) -> None:
        """The chunks not needed after all (the scope ended early)."""
        for _, _, _, derived in self.chunks:
            derived.cancel()
        self.chunks.clear()


def ledger_rows(events: Sequence[Event]) -> Iterator[LedgerRow]:
    """The stored rows of signed events, from the body bytes they carry (the line is
    :func:`saylau.core.ledger.events.encode_line` of the event, the subject and contest
    :func:`saylau.services.ledger_rows.about` of its payload; an event without its body
    bytes, or with other signatures than one in hex, goes through those two)."""
    for event in events:
        signatures = event.signatures
        if not event.body or len(signatures) != 1:
            yield ledger_row(event)
            continue
        key_id, signature = signatures[0].key_id, signatures[0].signature
        if not _HEX.fullmatch(key_id + signature):
            yield ledger_row(event)
            continue
        payload = event.payload
        station, contest = payload.get("station"), payload.get("contest")
        if "commission" in payload or type(station) is not str:
            subject, found = about(payload)
        else:
            subject, found = station, contest if isinstance(contest, str) else None
        line = b'{"body":%b,"hash":"%b","signatures":[{"key_id":"%b","signature":"%b"}]}' % (
            event.body,
            event.hash.encode("ascii"),
            key_id.encode("ascii"),
            signature.encode("ascii"),
        )
        yield LedgerRow(
            event.sequence, event.hash, event.kind, event.actor, event.time, line, subject, found
        )
