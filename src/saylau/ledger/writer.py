"""Writing a ledger: build each event, sign it, check it against the history, keep it.

:class:`LedgerWriter` holds the events in memory with the core's :class:`Ledger` replaying
them, so an event that would add a finding (a key not valid at that time, a correction whose
before values are not the current ones, a lot whose winners do not follow from the seed)
is refused with :class:`EventRejectedError` before it is kept. The store will do the same
in its transaction: load the head, build with :func:`new_event`, sign, ``Ledger.apply``,
write the line and the projections together.

Times are given by the caller (``YYYY-MM-DDTHH:MM:SSZ``, see :func:`utc_time`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, LedgerError, new_event
from saylau.core.ledger.replay import Ledger
from saylau.core.ledger.state import LedgerState, ProtocolRecord
from saylau.ledger.errors import EventRejectedError
from saylau.ledger.keys import KeyPair
from saylau.ledger.signing import sign_event, verify_event_signature


class LedgerWriter:
    """An append-only ledger in memory; ``root`` is the CEC's id, ``root_key`` its key."""

    def __init__(self) -> None:
        self._ledger = Ledger()
        self._events: list[Event] = []

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)

    @property
    def head(self) -> Event | None:
        return self._ledger.head

    def state(self) -> LedgerState:
        return self._ledger.state()

    @classmethod
    def resume(cls, events: Sequence[Event]) -> LedgerWriter:
        """A writer continuing ``events`` that it trusts: a ledger this program wrote and
        kept (e.g. in the store), applied without checking hashes or signatures again."""
        writer = cls()
        writer._ledger = _rebuild(events)
        writer._events = list(events)
        return writer

    def add(
        self, event: Event, *, verify_signatures: bool = True, check_hash: bool = True
    ) -> Event:
        """Append an event built and signed elsewhere, if it adds no finding."""
        verifier = verify_event_signature if verify_signatures else None
        findings = self._ledger.apply(event, check_hash=check_hash, verifier=verifier)
        if findings:
            self._ledger = _rebuild(self._events)  # undo: replay what was kept
            raise EventRejectedError(findings)
        self._events.append(event)
        return event

    def append(
        self,
        kind: Kind,
        actor: str,
        payload: Mapping[str, Data],
        time: str,
        *keys: KeyPair,
    ) -> Event:
        """Build the next event, sign it with ``keys`` (the actor's first), append it."""
        try:
            event = new_event(self.head, kind, time, actor, payload)
        except LedgerError as error:
            raise EventRejectedError([], str(error)) from error
        for key in keys:
            event = sign_event(event, key)
        # Built and hashed just now from the body it carries: no need to hash it again.
        return self.add(event, verify_signatures=False, check_hash=False)

    # -- one method per kind -----------------------------------------------------------

    def genesis(self, root: str, key: KeyPair, time: str) -> Event:
        """The first event: the root commission (CEC) registers its own key."""
        return self.append(
            Kind.KEY_REGISTERED, root, payloads.key_registered(root, key.public_hex), time, key
        )

    def register_key(
        self, commission: str, public_hex: str, time: str, *, root: str, root_key: KeyPair
    ) -> Event:
        payload = payloads.key_registered(commission, public_hex)
        return self.append(Kind.KEY_REGISTERED, root, payload, time, root_key)

    def rotate_key(
        self,
        commission: str,
        old_key_id: str,
        public_hex: str,
        time: str,
        *,
        reason: str,
        root: str,
        root_key: KeyPair,
    ) -> Event:
        payload = payloads.key_rotated(commission, old_key_id, public_hex, reason)
        return self.append(Kind.KEY_ROTATED, root, payload, time, root_key)

    def define_election(
        self, election: str, definition: Mapping[str, Data], time: str, *, root: str, key: KeyPair
    ) -> Event:
        payload = payloads.election_defined(election, definition)
        return self.append(Kind.ELECTION_DEFINED, root, payload, time, key)

    def enter_protocol(
        self,
        station: str,
        contest: str,
        lines: Mapping[str, int],
        votes: Mapping[str, int],
        *,
        time: str,
        key: KeyPair,
    ) -> Event:
        """Signed by the precinct commission (whose id is the station's)."""
        payload = payloads.protocol_entered(station, contest, lines, votes)
        return self.append(Kind.PROTOCOL_ENTERED, station, payload, time, key)

    def _current(self, station: str, contest: str) -> ProtocolRecord:
        record = self._ledger.state().protocols.get((station, contest))
        if record is None:
            raise EventRejectedError([], f"no protocol of station {station} for {contest}")
        return record

    def accept(
        self,
        station: str,
        contest: str,
        time: str,
        *,
        commission: str,
        key: KeyPair,
        acknowledged: Sequence[str] = (),
    ) -> Event:
        current = self._current(station, contest)
        payload = payloads.protocol_accepted(
            station, contest, current.version, current.event, acknowledged
        )
        return self.append(Kind.PROTOCOL_ACCEPTED, commission, payload, time, key)

    def correct(
        self,
        station: str,
        contest: str,
        lines: Mapping[str, int],
        votes: Mapping[str, int],
        time: str,
        *,
        commission: str,
        key: KeyPair,
        reason: str,
        decision: str,
    ) -> Event:
        current = self._current(station, contest)
        payload = payloads.protocol_corrected(
            station,
            contest,
            current.version + 1,
            before=payloads.content(current.lines, current.votes),
            after=payloads.content(lines, votes),
            reason=reason,
            decision=decision,
        )
        return self.append(Kind.PROTOCOL_CORRECTED, commission, payload, time, key)

    def approve(
        self, station: str, contest: str, time: str, *, commission: str, key: KeyPair
    ) -> Event:
        """The approving commission countersigns the current version of a protocol."""
        current = self._current(station, contest)
        payload = payloads.protocol_approved(station, contest, current.version, current.event)
        return self.append(Kind.PROTOCOL_APPROVED, commission, payload, time, key)

    def draw_lot(
        self,
        contest: str,
        context: str,
        seed: str,
        contenders: Sequence[str],
        places: int,
        *,
        time: str,
        commission: str,
        key: KeyPair,
    ) -> Event:
        payload = payloads.lot_drawn(contest, context, seed, contenders, places)
        return self.append(Kind.LOT_DRAWN, commission, payload, time, key)

    def certify(
        self,
        contest: str,
        results: Mapping[str, Data],
        time: str,
        *,
        commission: str,
        key: KeyPair,
    ) -> Event:
        payload = payloads.results_certified(contest, results)
        return self.append(Kind.RESULTS_CERTIFIED, commission, payload, time, key)

    def record_publication(
        self, version: int, tree_size: int, root_hash: str, time: str, *, root: str, key: KeyPair
    ) -> Event:
        """Record a published bundle in the ledger, so later versions carry its tree head."""
        payload = payloads.bundle_published(version, tree_size, root_hash)
        return self.append(Kind.BUNDLE_PUBLISHED, root, payload, time, key)


def _rebuild(events: Sequence[Event]) -> Ledger:
    ledger = Ledger()
    for event in events:
        ledger.apply(event, check_hash=False)
    return ledger
