"""An event as the store keeps it, and who signs: the stored row of an event (its subject
and contest beside its line), the commission at the top (the CEC) and the demo keys (see
:mod:`saylau.services.ledger`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from saylau.core.election import Election
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, encode_line
from saylau.ledger import KeyPair, demo_keypair
from saylau.store.errors import StoreError
from saylau.store.ledger_events import LedgerRow

_SUBJECT_KEYS = ("commission", "station", "subject")

KeySource = Callable[[str, str], KeyPair]
"""``(election id, commission id) -> key pair`` of that commission."""


@functools.lru_cache(maxsize=65_536)
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
