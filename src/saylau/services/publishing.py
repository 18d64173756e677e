"""Publishing the stored ledger: the bundle with its open data, and its record in the ledger.

:func:`publish_ledger` replays the stored ledger, checks that the stored protocols equal the
ledger's (:mod:`saylau.services.projection`; it refuses to publish otherwise), builds the
open data and the results from the ledger alone (:mod:`saylau.services.open_data`), writes
the signed bundle and records its publication (``bundle-published``) in the same
transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from saylau.core.election import Election, parse_election
from saylau.core.ledger.events import decode_line, utc_time
from saylau.core.ledger.state import LedgerState
from saylau.ledger import LedgerWriter, PublishedBundle, publish
from saylau.services.ledger import ledger_row
from saylau.services.ledger_rows import signing_key
from saylau.services.open_data import arrays_from_state, ledger_results, open_data_files
from saylau.services.projection import projection_differences
from saylau.store.db import Store
from saylau.store.errors import ConflictError, NotFound
from saylau.store.ledger_events import append_lines, ledger_lines

SHOWN_DIFFERENCES = 10


def load_writer(session: Session) -> LedgerWriter:
    """The whole stored ledger in a writer (for publishing): written by this program in
    earlier transactions, so its hashes and signatures are not checked again here."""
    events = [
        decode_line(line, number=number, checked=False)
        for number, line in enumerate(ledger_lines(session), 1)
    ]
    return LedgerWriter.resume(events)


def ledger_election(state: LedgerState) -> Election:
    """The election the ledger defines (its ``election-defined`` event)."""
    if state.election is None:
        raise NotFound("the ledger defines no election: store protocols first (saylau generate)")
    return parse_election(dict(state.election.definition), "the ledger's definition")


def publish_ledger(
    store: Store, out_dir: Path, previous: Path | None = None, *, time: str | None = None
) -> PublishedBundle:
    """Publish the stored ledger as a bundle in ``out_dir``, signed with the CEC's current
    key (from the store's key directory, else its demo key), and record the publication
    (``bundle-published``) in the same transaction."""
    when = time or utc_time(datetime.now(UTC))
    with store.session() as session:
        writer = load_writer(session)
        state = writer.state()
        if writer.head is None or state.root_commission is None or state.election is None:
            raise NotFound("the ledger is empty: store protocols first (saylau generate)")
        election = ledger_election(state)
        arrays = arrays_from_state(election, state)
        differences = projection_differences(session, election, state, arrays)
        if differences:
            more = len(differences) - SHOWN_DIFFERENCES
            raise ConflictError(
                f"the stored protocols differ from the ledger in {len(differences)} places, "
                "so the store cannot be published: "
                + "; ".join(differences[:SHOWN_DIFFERENCES])
                + (f"; and {more} more" if more > 0 else "")
            )
        results = ledger_results(election, state, arrays=arrays)
        files = open_data_files(election, state, results)
        key = signing_key(session, state, state.root_commission)
        when = max(when, writer.head.time)
        bundle = publish(
            writer.events, out_dir, previous, signer=key, timestamp=when, data_files=files
        )
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
