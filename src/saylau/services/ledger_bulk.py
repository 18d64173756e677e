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
  rows are written from the bytes already made (:func:`ledger_rows`).

So the events are byte for byte those the one-at-a-time path makes for the same rows and
time (tests/ingest/test_import_ledger_bulk.py compares the two): same bodies, hashes and
signatures (Ed25519 is deterministic), same order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

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
from saylau.core.ledger.payloads import LINE_NAMES, PayloadError
from saylau.ledger.keys import KeyPair
from saylau.ledger.signing import SIGNATURE_SIZE, SigningPool, sodium_secret
from saylau.services.ledger_protocols import ACCEPTED, ENTERED, ProtocolState
from saylau.services.ledger_rows import about, ledger_row
from saylau.store.errors import StoreError
from saylau.store.ledger_events import LedgerRow
from saylau.store.protocols import ProtocolRow

if TYPE_CHECKING:
    from saylau.services.ledger import LedgerAppender

BULK_ROWS = 500
"""Protocols recorded at once from which the events are built in bulk (fewer: one by one,
where starting worker processes would cost more than it saves)."""
CHUNK = 4096
"""Events per batch sent to a signing worker."""

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


class BulkEvents:
    """The events of one :func:`building` scope: built and chained here, signed by the
    workers of ``pool`` batch by batch (see the module's description)."""

    def __init__(self, pool: SigningPool, *, chunk: int = CHUNK):
        self.pool = pool
        self.chunk = chunk
        self.events: list[Event] = []
        self._secrets: list[bytes] = []
        self._hashes: list[bytes] = []
        self._key_ids: list[str] = []
        self._secret_of: dict[str, bytes] = {}
        self._batches: list[Future[bytes]] = []
        self._sent = 0
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
    ) -> Event:
        """The unsigned event that follows ``head`` (signed later by ``key``); refuses what
        :meth:`saylau.services.ledger.LedgerAppender._append` refuses, with the same
        :class:`StoreError`."""
        name = str(kind)
        try:
            usual = _usual(name, payload)
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
        if len(self.events) - self._sent >= self.chunk:
            self._send()
        return event

    def _send(self) -> None:
        start, end = self._sent, len(self.events)
        if start == end:
            return
        secrets = b"".join(self._secrets[start:end])
        hashes = b"".join(self._hashes[start:end])
        self._batches.append(self.pool.submit(secrets, hashes))
        self._sent = end

    def finish(self) -> list[Event]:
        """The events built, in order, now signed (waits for the workers). Each event gets
        its signature in place: it was not signed before, so no holder of it can have
        relied on its signatures."""
        self._send()
        signatures = b"".join(batch.result() for batch in self._batches).hex()
        width = 2 * SIGNATURE_SIZE
        events = self.events
        for i, (event, key_id) in enumerate(zip(events, self._key_ids, strict=True)):
            signature = Signature(key_id, signatures[i * width : (i + 1) * width])
            object.__setattr__(event, "signatures", (*event.signatures, signature))
        self.events = []
        self._secrets.clear()
        self._hashes.clear()
        self._key_ids.clear()
        self._batches.clear()
        self._sent = 0
        return events


@contextmanager
def building(appender: LedgerAppender) -> Iterator[None]:
    """Within this scope the events ``appender`` appends are built in bulk and signed when
    it ends, in order, even if it ends with an error: outside it, every event of the
    appender is signed."""
    if appender._bulk is not None:
        yield
        return
    start = len(appender._added)
    with SigningPool() as pool:
        bulk = BulkEvents(pool)
        appender._bulk = bulk
        try:
            yield
        finally:
            appender._bulk = None
            signed = bulk.finish()
            if signed:
                appender._added[start:] = signed
                appender.head = signed[-1]


def record(
    appender: LedgerAppender,
    rows: Sequence[ProtocolRow],
    reason: str | None,
    decision: str | None,
) -> None:
    """The events of ``rows``, as :meth:`saylau.services.ledger.LedgerAppender.protocols`
    makes them one by one, built in bulk (:func:`building`). A protocol new to the ledger
    and accepted, the usual row of an import, takes the short way here (the same events);
    any other goes the appender's way. The ledger's state of every row must be loaded."""
    election, states = appender.election, appender._protocols
    contests, stations = election.contests, election.stations
    parents: dict[str, KeyPair] = {}
    """The key of each commission above a station, asked once per batch."""
    with building(appender):
        for row in rows:
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
            event = appender._append(_ENTERED_KIND, station, entered, appender.key(station))
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
            key = parents.get(parent)
            if key is None:  # its first acceptance in the batch (registered if need be)
                key = parents[parent] = appender.key(parent)
            appender._append(_ACCEPTED_KIND, parent, accepted, key)
            state.status = ACCEPTED


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
