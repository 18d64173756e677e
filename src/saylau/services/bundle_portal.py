"""The portal's data from a published bundle: :func:`bundle_portal_data`.

A static site built from a bundle shows what the bundle's ledger says and nothing else: the
bundle is verified first (hashes, chain, signatures, Merkle tree, every published number
recomputed from the ledger; :func:`saylau.services.verify.verify_published`) and refused if
anything differs. Then the same :class:`PortalData` the live portal reads is filled from the
replayed ledger:

- results: every contest tallied and allocated from the ledger (as ``saylau verify`` does);
- protocols: each protocol's current version with its lines and votes, its control findings
  (the default control settings, as the service's entry uses), ``accepted`` when the ledger
  accepted or approved it, otherwise ``rejected`` (a blocking finding) or ``entered``, and
  the time of the event that set its numbers;
- corrections: each ``protocol-corrected`` event of the protocol (when, by which commission,
  the reason, the decision and each changed number); arrivals: the time of each station's
  first ``protocol-entered`` event;
- status: ``certified`` once the ledger certifies every contest, else unofficial complete or
  partial; the time of the last update: the latest protocol event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from saylau.core.controls import ControlSettings, check_protocol
from saylau.core.election import Election
from saylau.core.ledger.events import Kind, LedgerFinding
from saylau.core.ledger.state import ACCEPTED, APPROVED, LedgerState, ProtocolRecord
from saylau.core.protocol import Line
from saylau.ledger.proofs import bundle_lines
from saylau.services.errors import ServiceError
from saylau.services.history import changes
from saylau.services.open_data import ledger_results
from saylau.services.portal import (
    Correction,
    PortalData,
    StationProtocol,
    count_status,
    ledger_time,
)
from saylau.services.publishing import ledger_election
from saylau.services.results import ContestResult
from saylau.services.verify import verify_published

SHOWN_FINDINGS = 10
COUNTED = "accepted"
REJECTED = "rejected"
ENTERED = "entered"
ENTERED_KIND = b'"kind":"protocol-entered"'


class UnverifiedBundleError(ServiceError):
    """The bundle does not verify, so no site is built from it."""

    def __init__(self, directory: Path, findings: Sequence[LedgerFinding]) -> None:
        shown = "; ".join(f"{f.code}: {f.message}" for f in findings[:SHOWN_FINDINGS])
        more = len(findings) - SHOWN_FINDINGS
        super().__init__(
            f"{directory}: the bundle does not verify ({len(findings)} findings), so no site "
            f"is built from it: {shown}" + (f"; and {more} more" if more > 0 else "")
        )


@dataclass(frozen=True)
class BundleSource:
    """What :func:`bundle_portal_data` read: the bundle's version and ledger size."""

    directory: Path
    version: int | None
    tree_size: int
    root_hash: str | None


def _status(record: ProtocolRecord, blocking: bool) -> str:
    if record.status in (ACCEPTED, APPROVED):
        return COUNTED
    return REJECTED if blocking else ENTERED


def station_protocols(
    election: Election, state: LedgerState, lines: Sequence[bytes]
) -> tuple[dict[str, tuple[StationProtocol, ...]], datetime | None]:
    """Every protocol of the replayed ledger by station, in contest order, and the time of
    the latest protocol event (``lines``: the ledger's lines, for the events' times)."""
    settings = ControlSettings()
    order = {cid: i for i, cid in enumerate(election.contests)}
    found: dict[str, list[StationProtocol]] = {}
    latest: datetime | None = None
    for record in state.protocols.values():
        contest = election.contests[record.contest]
        findings = check_protocol(record.protocol(), settings)
        updated = ledger_time(str(orjson.loads(lines[record.sequence])["body"]["time"]))
        if latest is None or updated > latest:
            latest = updated
        found.setdefault(record.station, []).append(
            StationProtocol(
                station=record.station,
                contest=record.contest,
                status=_status(record, any(f.blocking for f in findings)),
                lines={Line(name): value for name, value in record.lines.items()},
                votes={c.id: record.votes.get(c.id, 0) for c in contest.choices},
                findings=findings,
                version=record.version,
                updated=updated,
            )
        )
    protocols = {
        station: tuple(sorted(items, key=lambda p: order[p.contest]))
        for station, items in found.items()
    }
    return protocols, latest


def ledger_corrections(state: LedgerState) -> dict[tuple[str, str], tuple[Correction, ...]]:
    """The corrections of every protocol the ledger corrected, oldest first."""
    found: dict[tuple[str, str], tuple[Correction, ...]] = {}
    for (station, contest), record in state.protocols.items():
        if not record.corrections:
            continue
        found[station, contest] = tuple(
            Correction(
                c.version,
                c.time,
                c.commission,
                "; ".join(
                    [c.reason, f"decision {c.decision}", *changes(dict(c.before), dict(c.after))]
                ),
            )
            for c in record.corrections
        )
    return found


def ledger_arrivals(lines: Sequence[bytes]) -> dict[str, datetime]:
    """Station -> the time of its first ``protocol-entered`` event (its actor)."""
    found: dict[str, datetime] = {}
    for line in lines:
        if ENTERED_KIND not in line:
            continue
        body = orjson.loads(line)["body"]
        if body["kind"] == Kind.PROTOCOL_ENTERED.value and body["actor"] not in found:
            found[str(body["actor"])] = ledger_time(str(body["time"]))
    return found


def portal_from_state(
    election: Election,
    state: LedgerState,
    results: Sequence[ContestResult],
    lines: Sequence[bytes],
) -> PortalData:
    """The portal's data from a replayed ledger and the results recomputed from it."""
    by_id = {r.contest.id: r for r in results}
    protocols, updated = station_protocols(election, state, lines)
    return PortalData(
        election=election,
        results=by_id,
        protocols=protocols,
        status=count_status(by_id, state.certified.keys()),
        updated=updated,
        corrections=ledger_corrections(state),
        arrivals=ledger_arrivals(lines),
    )


def bundle_portal_data(directory: Path) -> tuple[PortalData, BundleSource]:
    """The portal's data from the bundle in ``directory``, after verifying it.

    Raises :class:`UnverifiedBundleError` (naming the first findings) if it does not verify."""
    verification = verify_published(directory)
    if not verification.ok:
        raise UnverifiedBundleError(directory, verification.findings)
    report = verification.report
    state = report.state
    if state is None or state.election is None:
        raise UnverifiedBundleError(
            directory, [LedgerFinding("no-election", None, "the ledger defines no election")]
        )
    election = ledger_election(state)
    results = verification.results or tuple(ledger_results(election, state))
    data = portal_from_state(election, state, results, bundle_lines(directory))
    return data, BundleSource(directory, report.version, report.tree_size, report.root_hash)
