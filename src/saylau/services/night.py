"""A generated election night stored as a commission would: validated, then kept."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from saylau.core.controls import ControlSettings, check_protocol
from saylau.core.election import Election
from saylau.core.protocol import Protocol
from saylau.elections.generate import ErrorOptions, GeneratedNight, generate_protocols
from saylau.services.elections import ensure_shipped
from saylau.services.ledger import record_protocols
from saylau.store.db import Store
from saylau.store.protocols import ProtocolRow, UpsertCounts, finding_data, upsert_protocols

ACCEPTED = "accepted"
REJECTED = "rejected"


@dataclass(frozen=True)
class NightReport:
    election_id: str
    definition_created: bool
    protocols: int
    missing_stations: int
    corrections: int
    stored: UpsertCounts
    rejected: int
    ledger_events: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def protocol_row(
    protocol: Protocol, election: Election, settings: ControlSettings, source: str
) -> ProtocolRow:
    """A protocol checked by the controls: rejected if any finding blocks, its findings kept."""
    findings = check_protocol(protocol, settings)
    contest = election.contests[protocol.contest]
    return ProtocolRow(
        station=protocol.station,
        contest=protocol.contest,
        lines=dict(protocol.lines),
        votes=[protocol.votes.get(choice.id, 0) for choice in contest.choices],
        status=REJECTED if any(f.blocking for f in findings) else ACCEPTED,
        findings=[finding_data(f) for f in findings],
        source=source,
    )


def _rows(
    protocols: Iterable[Protocol], election: Election, source: str, tally: Counter[str]
) -> Iterator[ProtocolRow]:
    settings = ControlSettings()
    for protocol in protocols:
        row = protocol_row(protocol, election, settings, source)
        for finding in row.findings:
            tally[str(finding["code"])] += 1
        tally[row.status] += 1
        yield row


def generate_night(
    store: Store, election_id: str, *, seed: int, errors: ErrorOptions
) -> NightReport:
    """Store the shipped definition (if new) and a generated night's protocols.

    Late corrections arrive as a first version, then the corrected one (version 2)."""
    start = time.perf_counter()
    election, created = ensure_shipped(store, election_id)
    night: GeneratedNight = generate_protocols(election, seed=seed, errors=errors)
    tally: Counter[str] = Counter()
    source = f"generate seed={seed}"
    with store.session() as session:
        first = [*night.protocols, *(wrong for wrong, _ in night.corrections)]
        rows = list(_rows(first, election, source, tally))
        counts = upsert_protocols(session, election.id, rows)
        corrected = [fixed for _, fixed in night.corrections]
        if corrected:
            later_rows = list(_rows(corrected, election, f"{source} correction", tally))
            later = upsert_protocols(session, election.id, later_rows)
            counts = UpsertCounts(
                counts.inserted + later.inserted,
                counts.unchanged + later.unchanged,
                counts.changed + later.changed,
                counts.written | later.written,
            )
            rows.extend(later_rows)
        written = [row for row in rows if (row.station, row.contest) in counts.written]
        events = record_protocols(session, election, written)
    rejected = tally.pop(REJECTED, 0)
    tally.pop(ACCEPTED, 0)
    return NightReport(
        election_id=election.id,
        definition_created=created,
        protocols=len(night.protocols),
        missing_stations=len(night.missing),
        corrections=len(night.corrections),
        stored=counts,
        rejected=rejected,
        ledger_events=events,
        findings=dict(sorted(tally.items())),
        seconds=time.perf_counter() - start,
    )
