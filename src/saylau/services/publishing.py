"""Publishing the stored ledger: the bundle, and its record in the ledger itself."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from saylau.core.ledger.events import decode_line, utc_time
from saylau.ledger import LedgerWriter, PublishedBundle, publish
from saylau.services.ledger import demo_key, ledger_row
from saylau.store.db import Store
from saylau.store.errors import NotFound
from saylau.store.ledger_events import append_lines, ledger_lines


def load_writer(session: Session) -> LedgerWriter:
    """The whole stored ledger in a writer (for publishing): written by this program in
    earlier transactions, so its hashes and signatures are not checked again here."""
    events = [
        decode_line(line, number=number, checked=False)
        for number, line in enumerate(ledger_lines(session), 1)
    ]
    return LedgerWriter.resume(events)


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
