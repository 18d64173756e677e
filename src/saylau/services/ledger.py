"""The ledger of stored protocols: events written in the transaction that stores them.

:func:`record_protocols` is called inside :meth:`Store.session` right after the protocols
are upserted, so the events and the protocols commit (or roll back) together. For each
protocol it compares the content (lines and votes) with the ledger's current version:

- new: ``protocol-entered``, signed by the precinct commission (the station's id), then
  ``protocol-accepted`` if the controls accepted it;
- changed: ``protocol-corrected`` with before and after, then ``protocol-accepted`` if
  accepted;
- unchanged: nothing, so storing the same protocols again adds no event.

The first call writes the genesis (the CEC registers its own key) and ``election-defined``
with the definition document; each reporting precinct commission's key is registered by the
CEC before its first protocol. Acceptance and corrections are made by the CEC here.

**Demo keys.** The keys are :func:`saylau.ledger.demo_keypair` of
``"{election}/{commission}"``: anyone who knows the election and commission ids can sign with
them. They make a generated night verifiable end to end; they are not keys for a real
election.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from saylau.core.election import Election
from saylau.core.ledger import payloads
from saylau.core.ledger.canonical import Data
from saylau.core.ledger.events import Event, Kind, decode_line, encode_line, utc_time
from saylau.ledger import KeyPair, LedgerWriter, PublishedBundle, demo_keypair, publish
from saylau.store.db import Store
from saylau.store.errors import ConflictError, NotFound, StoreError
from saylau.store.ledger_events import LedgerRow, append_lines, ledger_lines
from saylau.store.protocols import ProtocolRow
from saylau.store.repository import election_definition

ACCEPTED = "accepted"
GENERATED_REASON = "late correction (generated)"
GENERATED_DECISION = "generated"


def demo_key(election_id: str, commission_id: str) -> KeyPair:
    """The demo key of a commission of an election (for demos and tests only)."""
    return demo_keypair(f"{election_id}/{commission_id}")


def root_commission(election: Election) -> str:
    """The id of the commission at the top (the CEC)."""
    roots = [c.id for c in election.commissions.values() if c.parent is None]
    if len(roots) != 1:
        raise StoreError(f"election {election.id} has {len(roots)} root commissions, not one")
    return roots[0]


def load_writer(session: Session) -> LedgerWriter:
    """The stored ledger in a writer: written by this program in earlier transactions, so
    its hashes and signatures are not checked again here (``saylau verify`` checks them)."""
    events = [
        decode_line(line, number=number, checked=False)
        for number, line in enumerate(ledger_lines(session), 1)
    ]
    return LedgerWriter.resume(events)


def ledger_row(event: Event) -> LedgerRow:
    return LedgerRow(
        event.sequence, event.hash, str(event.kind), event.actor, event.time, encode_line(event)
    )


@dataclass
class _Current:
    version: int
    event: str
    content: dict[str, Data]


def _definition(session: Session, election_id: str) -> dict[str, Data]:
    document = json.loads(election_definition(session, election_id))
    assert isinstance(document, dict)
    return document


class _Recorder:
    """Appends the events of one transaction, keeping what it needs for the next ones."""

    def __init__(self, session: Session, election: Election, time: str):
        self.writer = load_writer(session)
        self.election = election
        self.cec = root_commission(election)
        self.cec_key = demo_key(election.id, self.cec)
        head = self.writer.head
        self.time = max(time, head.time) if head is not None else time
        self.added: list[Event] = []
        self.station_keys: dict[str, KeyPair] = {}
        state = self.writer.state()
        self.keys = {key.commission for key in state.keys.values()}
        self.current = {
            key: _Current(
                record.version, record.event, payloads.content(record.lines, record.votes)
            )
            for key, record in state.protocols.items()
        }
        if head is None:
            self._append(
                Kind.KEY_REGISTERED,
                self.cec,
                payloads.key_registered(self.cec, self.cec_key.public_hex),
                self.cec_key,
            )
            self.keys.add(self.cec)
        if state.election is None:
            definition = _definition(session, election.id)
            self._append(
                Kind.ELECTION_DEFINED,
                self.cec,
                payloads.election_defined(election.id, definition),
                self.cec_key,
            )
        elif state.election.election != election.id:
            raise ConflictError(
                f"the store's ledger is the one of election {state.election.election}; "
                f"it cannot record protocols of {election.id}"
            )

    def _append(self, kind: Kind, actor: str, payload: Mapping[str, Data], key: KeyPair) -> Event:
        event = self.writer.append(kind, actor, payload, self.time, key)
        self.added.append(event)
        return event

    def _station_key(self, station: str) -> KeyPair:
        key = self.station_keys.get(station)
        if key is None:
            key = self.station_keys[station] = demo_key(self.election.id, station)
        if station not in self.keys:
            payload = payloads.key_registered(station, key.public_hex)
            self._append(Kind.KEY_REGISTERED, self.cec, payload, self.cec_key)
            self.keys.add(station)
        return key

    def protocol(self, row: ProtocolRow) -> None:
        contest = self.election.contests[row.contest]
        lines = {str(line): n for line, n in row.lines.items() if n is not None}
        votes = {choice.id: n for choice, n in zip(contest.choices, row.votes, strict=True)}
        content = payloads.content(lines, votes)
        key = (row.station, row.contest)
        current = self.current.get(key)
        if current is None:
            station_key = self._station_key(row.station)
            payload = payloads.protocol_entered(row.station, row.contest, lines, votes)
            event = self._append(Kind.PROTOCOL_ENTERED, row.station, payload, station_key)
            current = self.current[key] = _Current(1, event.hash, content)
        elif current.content == content:
            return
        else:
            payload = payloads.protocol_corrected(
                row.station,
                row.contest,
                current.version + 1,
                before=current.content,
                after=content,
                reason=GENERATED_REASON,
                decision=GENERATED_DECISION,
            )
            event = self._append(Kind.PROTOCOL_CORRECTED, self.cec, payload, self.cec_key)
            current.version, current.event, current.content = (
                current.version + 1,
                event.hash,
                content,
            )
        if row.status == ACCEPTED:
            payload = payloads.protocol_accepted(
                row.station, row.contest, current.version, current.event, ()
            )
            self._append(Kind.PROTOCOL_ACCEPTED, self.cec, payload, self.cec_key)


def record_protocols(
    session: Session,
    election: Election,
    rows: Iterable[ProtocolRow],
    *,
    time: str | None = None,
) -> int:
    """Append the events of ``rows`` (stored in this session) to the ledger; returns how
    many events were added (the genesis and definition included on the first call)."""
    recorder = _Recorder(session, election, time or utc_time(datetime.now(UTC)))
    for row in rows:
        recorder.protocol(row)
    return append_lines(session, map(ledger_row, recorder.added))


def publish_ledger(
    store: Store, out_dir: Path, previous: Path | None = None, *, time: str | None = None
) -> PublishedBundle:
    """Publish the stored ledger as a bundle in ``out_dir``, signed with the CEC's demo key,
    and record the publication (``bundle-published``) in the same transaction."""
    when = time or utc_time(datetime.now(UTC))
    with store.session() as session:
        writer = load_writer(session)
        state = writer.state()
        if writer.head is None or state.root_commission is None or state.election is None:
            raise NotFound("the ledger is empty: store protocols first (saylau generate)")
        key = demo_key(state.election.election, state.root_commission)
        when = max(when, writer.head.time)
        bundle = publish(writer.events, out_dir, previous, signer=key, timestamp=when)
        event = writer.record_publication(
            bundle.version,
            bundle.tree_size,
            bundle.root_hash,
            when,
            root=state.root_commission,
            key=key,
        )
        append_lines(session, [ledger_row(event)])
    return bundle
