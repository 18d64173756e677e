"""The ledger of the store: events appended in the transaction that changes the projections.

:class:`LedgerAppender` is opened inside :meth:`Store.session`, next to the writes it
records, so the events and the projections (protocols, accounts...) commit or roll back
together. It reads only what it needs: the last event (to chain the next one), whether a
commission's key is registered, and the history of the protocols it is given (the
``subject`` and ``contest`` columns of ``ledger_events``), never the whole ledger.

For a protocol it compares the content (lines and votes) with the ledger's current version:

- new: ``protocol-entered``, signed by the precinct commission (the station's id), then
  ``protocol-accepted`` by the commission above the station if the controls accepted it;
- changed: ``protocol-corrected`` by the commission above the station, with before and
  after, a reason and a decision reference, then ``protocol-accepted`` if accepted; the
  same numbers no longer accepted are a correction with equal before and after, which
  reopens the protocol;
- unchanged: nothing, so storing the same protocols again adds no event.

The first event is the genesis (the CEC registers its own key), then ``election-defined``
with the definition document, then the actions that waited in the store for the ledger to
start (a user created or a sign-in before any election was stored; see
``docs/service.md``). The CEC registers each commission's key before the
commission's first event. Two transactions appending at once cannot both commit: the second
gets :class:`ConflictError` (the sequence is the primary key) and must be retried.

The appender trusts the stored ledger and builds each event from the current head without
replaying the history; ``saylau verify`` checks everything on the published ledger.

**Demo keys.** Unless a key source is given or the store has a key directory, a
commission's key is :func:`saylau.ledger.demo_keypair` of ``"{election}/{commission}"``:
anyone who knows the ids can sign with it. Demo keys make a generated night verifiable end
to end; they are not keys for a real election. With a key directory (``--keys DIR``,
``$SAYLAU_KEYS``), a commission signs with the current key the ledger names for it, read
from that directory (:class:`saylau.services.ledger_rows.LedgerKeys`), and :meth:`rotate`
replaces it.

Parts in modules of their own: the protocols' states and histories (``ledger_protocols``),
what a process knows of committed ledgers (``ledger_facts``), an event's stored row and the
demo keys (``ledger_rows``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import (
    Event,
    Kind,
    LedgerError,
    decode_line,
    new_event,
    utc_time,
)
from saylau.core.ledger.payloads import PayloadError
from saylau.ledger import KeyPair, sign_event
from saylau.services import ledger_bulk, ledger_prefetch
from saylau.services.ledger_facts import APPENDERS, committed_of, engine_of
from saylau.services.ledger_protocols import (
    ACCEPTED,
    APPROVED,
    ENTERED,
    PROTOCOL_KINDS,
    ProtocolState,
    apply_protocol_event,
    protocol_history,
)
from saylau.services.ledger_rows import (
    KeySource,
    LedgerKeys,
    demo_key,
    keyring_of,
    ledger_row,
    root_commission,
)
from saylau.store.accounts import take_waiting_actions
from saylau.store.entries import serialize_writers
from saylau.store.errors import ConflictError, NotFound, StoreError
from saylau.store.ledger_events import (
    append_lines,
    first_line_of,
    last_head,
    lines_about_pairs,
    protocol_lines_and_keys,
    subjects_with,
)
from saylau.store.protocols import ProtocolRow
from saylau.store.repository import election_definition

__all__ = [  # with what other modules import from here that now lives beside it
    "GENERATED_DECISION",
    "GENERATED_REASON",
    "PROTOCOL_KINDS",
    "LedgerAppender",
    "ProtocolState",
    "apply_protocol_event",
    "demo_key",
    "ledger_row",
    "protocol_history",
    "record_protocols",
    "root_commission",
]

GENERATED_REASON = "late correction (generated)"
GENERATED_DECISION = "generated"


KEY_KINDS = (Kind.KEY_REGISTERED.value, Kind.KEY_ROTATED.value)


class LedgerAppender:
    """Appends events inside one store session (see the module's description).

    Build with :meth:`open`; call :meth:`flush` before the session commits."""

    def __init__(
        self,
        session: Session,
        election: Election,
        time: str,
        head: Event | None,
        *,
        keys: KeySource | None = None,
        genesis: str | None = None,
    ):
        self.session = session
        self.election = election
        self.time = time
        self.head = head
        self.cec = root_commission(election)
        self._keys = keys or demo_key
        self._pairs: dict[str, KeyPair] = {}
        self._registered: dict[str, bool] = {}
        self._protocols: dict[tuple[str, str], ProtocolState | None] = {}
        self._any_protocol: bool | None = None
        self._added: list[Event] = []
        self._engine = engine_of(session)
        self._genesis = genesis
        self._facts = committed_of(self._engine, genesis)
        ring = keyring_of(session) if keys is None else None
        self._ledger_keys = None if ring is None else LedgerKeys(ring, self._facts)
        self._defined = False
        session.info.setdefault(APPENDERS, []).append(self)

    @classmethod
    def open(
        cls,
        session: Session,
        election: Election,
        *,
        time: str | None = None,
        keys: KeySource | None = None,
    ) -> LedgerAppender:
        """An appender after the stored head; writes the genesis and the election's
        definition first if the ledger lacks them. Refuses (:class:`ConflictError`) a
        store whose ledger is another election's. Signs with ``keys`` if given, else with
        the key directory of the session's store (``Session.info``, see
        :mod:`saylau.store.db`) if it has one, else with the demo keys."""
        found = last_head(session)
        head = genesis = None
        if found is not None:
            sequence, digest, when, genesis = found
            head = Event(sequence, "", when, "", {}, None, digest)  # what chaining needs
        now = time or utc_time(datetime.now(UTC))
        start = now if head is None else max(now, head.time)
        appender = cls(session, election, start, head, keys=keys, genesis=genesis)
        appender._start()
        return appender

    @property
    def added(self) -> tuple[Event, ...]:
        """The events appended and not yet flushed."""
        return tuple(self._added)

    def _start(self) -> None:
        if self.head is None:
            key = self._key_pair(self.cec)
            genesis = payloads.key_registered(self.cec, key.public_hex)
            event = self._append(Kind.KEY_REGISTERED, self.cec, genesis, key)
            self._genesis = event.hash
            self._registered[self.cec] = True
            self._learn_key(event)
        if self._facts.election == self.election.id:
            self._defined = True
            return
        defined = first_line_of(self.session, Kind.ELECTION_DEFINED.value)
        if defined is None:
            document = json.loads(election_definition(self.session, self.election.id))
            assert isinstance(document, dict)
            payload = payloads.election_defined(self.election.id, document)
            self._append(Kind.ELECTION_DEFINED, self.cec, payload, self.key(self.cec))
            self._defined = True
            self._append_waiting()
            return
        election = decode_line(defined, checked=False).payload["election"]
        if election != self.election.id:
            raise ConflictError(
                f"the store's ledger is the one of election {election}; "
                f"it cannot record events of {self.election.id}"
            )
        self._defined = True

    def _append_waiting(self) -> None:
        """The actions made before the ledger started (kept in the store), after the
        definition, in their order, each with the time it was made (``recorded_at``). The
        writers' lock is taken first, so that an action waiting to be stored by a
        concurrent transaction is either seen here or finds the ledger started."""
        serialize_writers(self.session)
        for waiting in take_waiting_actions(self.session):
            details = {**waiting.details, "recorded_at": utc_time(waiting.at)}
            self.action(waiting.user, waiting.action, waiting.subject, details)

    def _remember(self) -> None:
        """After the transaction commits: what it saw or wrote holds for good."""
        facts = committed_of(self._engine, self._genesis)
        if self._defined:
            facts.election = self.election.id
        facts.registered.update(c for c, known in self._registered.items() if known)
        facts.any_protocol = facts.any_protocol or bool(self._any_protocol)
        if self._ledger_keys is not None and self.head is not None:
            self._ledger_keys.remember(facts, self.head.sequence)

    # -- keys ------------------------------------------------------------------------

    def _key_pair(self, commission: str) -> KeyPair:
        pair = self._pairs.get(commission)
        if pair is None:
            if self._ledger_keys is None:
                pair = self._keys(self.election.id, commission)
            else:  # the current key the ledger names (or the first one, to register)
                pair = self._ledger_keys.pair(self.session, commission)
            self._pairs[commission] = pair
        return pair

    def _learn_key(self, event: Event) -> None:
        if self._ledger_keys is not None:
            self._ledger_keys.learn(event)

    def _keys_to_read(self, commissions: Collection[str]) -> list[str]:
        """Which of ``commissions`` neither this appender nor the committed facts know."""
        committed = self._facts.registered
        unknown = []
        for commission in commissions:
            if commission in self._registered:
                continue
            if commission in committed:
                self._registered[commission] = True
            else:
                unknown.append(commission)
        return unknown

    def _learn_keys(self, unknown: Collection[str], found: Collection[str]) -> None:
        for commission in unknown:
            self._registered[commission] = commission in found

    def _preload_keys(self, commissions: Collection[str]) -> None:
        _, unknown = self._prefetched((), self._keys_to_read(commissions))
        if unknown:
            self._learn_keys(unknown, subjects_with(self.session, KEY_KINDS, unknown))

    def _check_commission(self, commission: str) -> None:
        if commission not in self.election.commissions and commission not in (
            self.election.stations
        ):
            raise NotFound(f"election {self.election.id} has no commission {commission!r}")

    def key(self, commission: str) -> KeyPair:
        """The current key of ``commission``; the CEC registers it first if the ledger
        lacks it. With a key directory, :class:`saylau.ledger.KeyFileError` (naming the
        commission and the key id) if the directory lacks that key."""
        self._check_commission(commission)
        self._preload_keys([commission])
        pair = self._key_pair(commission)
        if not self._registered[commission]:
            self._registered[commission] = True
            payload = payloads.key_registered(commission, pair.public_hex)
            event = self._append(Kind.KEY_REGISTERED, self.cec, payload, self.key(self.cec))
            self._learn_key(event)
            ledger_prefetch.registered(self.session, commission)
        return pair

    def rotate(self, commission: str, reason: str) -> tuple[Event, KeyPair]:
        """``key-rotated``: a new key of ``commission`` in the key directory (written
        before the event; the ledger names it current only if the transaction commits),
        signed by the CEC's current key (for the CEC itself, the key it retires). The old
        key of another commission need not be at hand: a lost key is rotated too."""
        if self._ledger_keys is None:
            raise StoreError(
                "keys are rotated in a key directory (--keys DIR or $SAYLAU_KEYS); "
                "the demo keys have none"
            )
        self._check_commission(commission)
        if not reason.strip():
            raise StoreError(f"the rotation of the key of {commission} needs a reason")
        old = self._ledger_keys.current(self.session, commission)
        if old is None:
            raise NotFound(
                f"commission {commission} has no current key in the ledger, so none to "
                "rotate (its key is registered before its first event)"
            )
        signer = self.key(self.cec)
        pair = self._ledger_keys.keyring.create(commission)
        payload = payloads.key_rotated(commission, old, pair.public_hex, reason)
        event = self._append(Kind.KEY_ROTATED, self.cec, payload, signer)
        self._learn_key(event)
        self._pairs[commission] = pair
        return event, pair

    # -- protocols -------------------------------------------------------------------

    def _pairs_to_read(self, pairs: Collection[tuple[str, str]]) -> list[tuple[str, str]]:
        """Which of the protocols ``pairs`` must be read from the ledger (none while the
        ledger has no protocol at all: those are then known to be new)."""
        unknown = sorted({pair for pair in pairs if pair not in self._protocols})
        if not unknown:
            return []
        if self._any_protocol is None:
            self._any_protocol = self._facts.any_protocol or (
                first_line_of(self.session, Kind.PROTOCOL_ENTERED.value) is not None
            )
        if not self._any_protocol:
            self._learn_protocols(unknown, [])
            return []
        return unknown

    def _learn_protocols(
        self, unknown: Collection[tuple[str, str]], lines: Iterable[bytes]
    ) -> None:
        states: dict[tuple[str, str], ProtocolState] = {}
        for line in lines:
            apply_protocol_event(states, decode_line(line, checked=False))
        for pair in unknown:
            self._protocols[pair] = states.get(pair)

    def _prefetched(
        self, pairs: Collection[tuple[str, str]], commissions: Collection[str]
    ) -> tuple[list[tuple[str, str]], list[str]]:
        """Learn what the session's group read for its actions
        (:mod:`saylau.services.ledger_prefetch`); returns the protocols and commissions it
        did not read."""
        lines, keyed = ledger_prefetch.take(self.session, pairs, commissions)
        if lines:
            self._learn_protocols(list(lines), [line for found in lines.values() for line in found])
        if keyed:
            self._learn_keys(list(keyed), [c for c, known in keyed.items() if known])
        return [p for p in pairs if p not in lines], [c for c in commissions if c not in keyed]

    def _load(self, pairs: Collection[tuple[str, str]]) -> None:
        unknown, _ = self._prefetched(self._pairs_to_read(pairs), ())
        if unknown:
            lines = lines_about_pairs(self.session, unknown, PROTOCOL_KINDS)
            self._learn_protocols(unknown, lines)

    def protocol_state(self, station: str, contest: str) -> ProtocolState | None:
        """The ledger's current version of a protocol (events of this appender included)."""
        self._load([(station, contest)])
        return self._protocols[station, contest]

    def protocols(
        self,
        rows: Sequence[ProtocolRow],
        *,
        reason: str | None = None,
        decision: str | None = None,
    ) -> None:
        """Record ``rows`` (see the module's description). A changed protocol is a
        correction and needs ``reason`` and ``decision`` (:class:`StoreError` otherwise)."""
        pairs = self._pairs_to_read({(row.station, row.contest) for row in rows})
        parents = {self._parent(row.station) for row in rows}
        keys = self._keys_to_read({row.station for row in rows} | parents)
        pairs, keys = self._prefetched(pairs, keys)
        lines, found = protocol_lines_and_keys(self.session, pairs, PROTOCOL_KINDS, keys, KEY_KINDS)
        self._learn_protocols(pairs, lines)
        self._learn_keys(keys, found)
        ledger_prefetch.forget(self.session, [(row.station, row.contest) for row in rows])
        if len(rows) >= ledger_bulk.BULK_ROWS:  # many: built in bulk, signed on every core
            ledger_bulk.record(self, rows, reason, decision)
            return
        for row in rows:
            self._protocol(row, reason, decision)

    def protocol(
        self, row: ProtocolRow, *, reason: str | None = None, decision: str | None = None
    ) -> None:
        self.protocols([row], reason=reason, decision=decision)

    def _parent(self, station: str) -> str:
        found = self.election.stations.get(station)
        if found is None:
            raise NotFound(f"election {self.election.id} has no station {station!r}")
        return found.commission

    def _protocol(self, row: ProtocolRow, reason: str | None, decision: str | None) -> None:
        station, contest_id = row.station, row.contest
        contest = self.election.contests.get(contest_id)
        if contest is None:
            raise NotFound(f"election {self.election.id} has no contest {contest_id!r}")
        lines = {str(line): n for line, n in row.lines.items() if n is not None}
        votes = {choice.id: n for choice, n in zip(contest.choices, row.votes, strict=True)}
        content = payloads.content(lines, votes)
        parent = self._parent(station)
        state = self._protocols.get((station, contest_id))
        if state is None:
            payload = payloads.protocol_entered(station, contest_id, lines, votes)
            event = self._append(Kind.PROTOCOL_ENTERED, station, payload, self.key(station))
            state = ProtocolState(1, event.hash, content, ENTERED)
            self._protocols[station, contest_id] = state
            self._any_protocol = True
        elif state.content != content or (row.status != ACCEPTED and state.status != ENTERED):
            # New numbers, or the same numbers no longer accepted: a correction (with
            # before equal to after, it reopens the protocol).
            if not reason or not decision:
                raise StoreError(
                    f"protocol {station}/{contest_id} changes version {state.version}: "
                    "a correction needs a reason and a decision reference"
                )
            payload = payloads.protocol_corrected(
                station,
                contest_id,
                state.version + 1,
                before=state.content,
                after=content,
                reason=reason,
                decision=decision,
            )
            event = self._append(Kind.PROTOCOL_CORRECTED, parent, payload, self.key(parent))
            state.version, state.event, state.content, state.status = (
                state.version + 1,
                event.hash,
                content,
                ENTERED,
            )
        if row.status == ACCEPTED and state.status == ENTERED:
            warnings = sorted(
                {str(f["code"]) for f in row.findings if f.get("severity") == "warning"}
            )
            payload = payloads.protocol_accepted(
                station, contest_id, state.version, state.event, warnings
            )
            self._append(Kind.PROTOCOL_ACCEPTED, parent, payload, self.key(parent))
            state.status = ACCEPTED

    def approve(self, commission: str, station: str, contest: str) -> Event:
        """``commission`` countersigns the current, accepted version of a protocol."""
        state = self.protocol_state(station, contest)
        if state is None or state.status == ENTERED:
            raise ConflictError(f"protocol {station}/{contest} is not accepted: nothing to approve")
        payload = payloads.protocol_approved(station, contest, state.version, state.event)
        event = self._append(Kind.PROTOCOL_APPROVED, commission, payload, self.key(commission))
        state.status = APPROVED
        ledger_prefetch.forget(self.session, [(station, contest)])
        return event

    # -- the rest ----------------------------------------------------------------------

    def certify(self, contest: str, results: Mapping[str, Data]) -> Event:
        """The CEC certifies a contest's results (votes and seats as plain data)."""
        payload = payloads.results_certified(contest, results)
        return self._append(Kind.RESULTS_CERTIFIED, self.cec, payload, self.key(self.cec))

    def draw_lot(
        self, contest: str, context: str, seed: str, contenders: Sequence[str], places: int
    ) -> Event:
        """The CEC draws a lot from a published seed; the winners follow from it."""
        payload = payloads.lot_drawn(contest, context, seed, contenders, places)
        return self._append(Kind.LOT_DRAWN, self.cec, payload, self.key(self.cec))

    def action(
        self,
        user: str,
        action: str,
        subject: str,
        details: Mapping[str, Data],
        *,
        commission: str | None = None,
    ) -> Event:
        """What a person did (signed in, was given a role, typed an entry...), recorded by
        ``commission`` (the CEC if not given)."""
        actor = commission or self.cec
        payload = payloads.action_recorded(user, action, subject, details)
        return self._append(Kind.ACTION_RECORDED, actor, payload, self.key(actor))

    _bulk: ledger_bulk.BulkEvents | None = None
    """Set while :meth:`protocols` builds many events at once (signed when it ends)."""

    def _append(self, kind: Kind, actor: str, payload: Mapping[str, Data], key: KeyPair) -> Event:
        if self._bulk is not None:
            event = self._bulk.append(self.head, kind, actor, payload, time=self.time, key=key)
            self.head = event
            self._added.append(event)
            return event
        try:
            payloads.check_payload(kind, payload)
            event = new_event(self.head, kind, self.time, actor, payload)
        except (LedgerError, PayloadError) as error:
            raise StoreError(f"{kind} by {actor}: {error}") from error
        event = sign_event(event, key)
        self.head = event
        self._added.append(event)
        return event

    def flush(self, *, defer: bool = False) -> int:
        """Write the events appended so far; returns how many. Raises
        :class:`ConflictError` if another transaction appended first. With ``defer`` the
        rows are sent with the transaction's next statement (or its commit), which then
        raises that error (:func:`saylau.store.ledger_events.append_lines`)."""
        count = append_lines(self.session, ledger_bulk.ledger_rows(self._added), defer=defer)
        self._added.clear()
        return count


def record_protocols(
    session: Session,
    election: Election,
    rows: Iterable[ProtocolRow],
    *,
    time: str | None = None,
    reason: str = GENERATED_REASON,
    decision: str = GENERATED_DECISION,
) -> int:
    """Append the events of ``rows`` (stored in this session) to the ledger; returns how
    many events were added (the genesis and definition included on the first call)."""
    appender = LedgerAppender.open(session, election, time=time)
    appender.protocols(list(rows), reason=reason, decision=decision)
    return appender.flush()
