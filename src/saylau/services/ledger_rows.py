"""An event as the store keeps it, and who signs: the stored row of an event (its subject
and contest beside its line), the commission at the top (the CEC), the demo keys and the
keys of a key directory (see :mod:`saylau.services.ledger`).

With a key directory (:mod:`saylau.ledger.keyring`), a commission signs with the key the
ledger says is its current one (:class:`LedgerKeys`): the last one registered or rotated to.
The key events are read once per transaction, only those after what the process already
knows from committed transactions (:mod:`saylau.services.ledger_facts`); each key file is
read once per process."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, decode_line, encode_line
from saylau.core.ledger.state import LedgerState
from saylau.ledger import KeyFileError, KeyPair, demo_keypair
from saylau.ledger.keyring import Keyring, keyring_at
from saylau.services.ledger_facts import Committed
from saylau.store.db import KEYS_INFO
from saylau.store.errors import StoreError
from saylau.store.ledger_events import LedgerRow
from saylau.store.models import LedgerEventRecord, table

_SUBJECT_KEYS = ("commission", "station", "subject")

KeySource = Callable[[str, str], KeyPair]
"""``(election id, commission id) -> key pair`` of that commission."""


@functools.lru_cache(maxsize=262_144)
def demo_key(election_id: str, commission_id: str) -> KeyPair:
    """The demo key of a commission of an election (for demos and tests only)."""
    return demo_keypair(f"{election_id}/{commission_id}")


def root_commission(election: Election) -> str:
    """The id of the commission at the top (the CEC)."""
    roots = [c.id for c in election.commissions.values() if c.parent is None]
    if len(roots) != 1:
        raise StoreError(f"election {election.id} has {len(roots)} root commissions, not one")
    return roots[0]


def about(payload: Mapping[str, Data]) -> tuple[str | None, str | None]:
    """``(subject, contest)`` of an event's payload, as stored beside its line."""
    subject = next((payload[k] for k in _SUBJECT_KEYS if isinstance(payload.get(k), str)), None)
    contest = payload.get("contest")
    return (
        subject if isinstance(subject, str) else None,
        contest if isinstance(contest, str) else None,
    )


def ledger_row(event: Event) -> LedgerRow:
    subject, contest = about(event.payload)
    line = encode_line(event)
    return LedgerRow(
        event.sequence, event.hash, str(event.kind), event.actor, event.time, line, subject, contest
    )


# -- keys of a key directory -----------------------------------------------------------

KEY_KINDS = (Kind.KEY_REGISTERED.value, Kind.KEY_ROTATED.value)
_EVENTS = table(LedgerEventRecord)
_KEY_LINES_AFTER = (
    select(_EVENTS.c.line)
    .where(_EVENTS.c.sequence > bindparam("after"), _EVENTS.c.kind.in_(KEY_KINDS))
    .order_by(_EVENTS.c.sequence)
)


def keyring_of(session: Session) -> Keyring | None:
    """The key directory of the session's store (``None``: the demo keys)."""
    directory = session.info.get(KEYS_INFO)
    return keyring_at(directory) if isinstance(directory, Path) else None


def signing_key(session: Session, state: LedgerState, commission: str) -> KeyPair:
    """The key that signs for ``commission`` after the ledger ``state`` outside an appender
    (a bundle's tree head and manifest, its ``bundle-published`` event): its current key
    from the store's key directory, or its demo key if the store has none."""
    keyring = keyring_of(session)
    if keyring is None:
        assert state.election is not None
        return demo_key(state.election.election, commission)
    current = state.current_keys(commission)
    if not current:
        raise KeyFileError(f"commission {commission} has no current key in the ledger")
    return keyring.load(commission, current[-1].key_id)


def key_events_after(session: Session, sequence: int) -> Iterator[Event]:
    """The key events (registered, rotated) after ``sequence``, in order."""
    for line in session.connection().execute(_KEY_LINES_AFTER, {"after": sequence}).scalars():
        yield decode_line(bytes(line), checked=False)


class LedgerKeys:
    """The commissions' current keys as the ledger says, taken from a key directory: one
    per appender (see the module's description)."""

    def __init__(self, keyring: Keyring, facts: Committed):
        self.keyring = keyring
        self._facts = facts
        self._current: dict[str, str] = {}  # what this transaction read or wrote
        self._through: int | None = None  # the key events read after the facts' ones

    def _read(self, session: Session) -> None:
        if self._through is not None:
            return
        after = self._facts.keys_through
        self._through = after
        for event in key_events_after(session, after):
            self.learn(event)

    def learn(self, event: Event) -> None:
        """A key event of this transaction's ledger (read, or just appended)."""
        self._current[str(event.payload["commission"])] = str(event.payload["key_id"])
        self._through = max(self._through or -1, event.sequence)

    def current(self, session: Session, commission: str) -> str | None:
        """The id of the commission's current key, ``None`` if it has none yet."""
        self._read(session)
        found = self._current.get(commission)
        return found if found is not None else self._facts.current_keys.get(commission)

    def pair(self, session: Session, commission: str) -> KeyPair:
        """The commission's current key, or the one to register if it has none yet;
        :class:`saylau.ledger.KeyFileError` (naming the commission and the key id) if the
        key directory lacks it."""
        key_id = self.current(session, commission)
        if key_id is None:
            return self.keyring.first_key(commission)
        return self.keyring.load(commission, key_id)

    def remember(self, facts: Committed, head: int) -> None:
        """After the transaction committed with ``head`` as its last event."""
        if self._through is not None:
            facts.learn_keys(self._current, max(head, self._through))
