"""What a ledger says, rebuilt by :func:`saylau.core.ledger.replay.replay`: the projections.

Every record names the event (``sequence``) that made it, its time and the commission that
made it, so each number traces back to a signed line of the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from saylau.core.ledger.canonical import Data
from saylau.core.protocol import Line, Protocol

ENTERED = "entered"
ACCEPTED = "accepted"
APPROVED = "approved"


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A commission's signing key. It may sign the events after ``registered`` up to and
    including ``retired`` (the rotation that replaced it), or all later events while
    ``retired`` is ``None``. The first key of a ledger also signs its own registration."""

    key_id: str
    commission: str
    public_key: str
    registered: int
    registered_time: str
    retired: int | None = None
    retired_time: str | None = None
    replaced_by: str | None = None

    def valid_at(self, sequence: int) -> bool:
        return self.registered < sequence and (self.retired is None or sequence <= self.retired)


@dataclass(frozen=True, slots=True)
class Correction:
    """A change of a protocol's numbers: who, when, why, on which decision, before/after."""

    sequence: int
    time: str
    commission: str
    version: int
    reason: str
    decision: str
    before: Mapping[str, Data]
    after: Mapping[str, Data]


@dataclass(frozen=True, slots=True)
class Approval:
    """A commission's countersignature of one version of a protocol."""

    sequence: int
    time: str
    commission: str
    station: str
    contest: str
    version: int
    protocol: str


@dataclass(frozen=True, slots=True)
class ProtocolRecord:
    """The current version of one station's protocol for one contest.

    ``event`` is the hash of the event that set these numbers (entry or correction),
    ``sequence`` its position; ``approvals`` are those of the current version."""

    station: str
    contest: str
    version: int
    lines: Mapping[str, int]
    votes: Mapping[str, int]
    status: str
    entered_by: str
    event: str
    sequence: int
    accepted_by: str | None = None
    corrections: tuple[Correction, ...] = ()
    approvals: tuple[Approval, ...] = ()

    def protocol(self) -> Protocol:
        """As the core's protocol model, for controls and tallies."""
        return Protocol(
            self.station,
            self.contest,
            {Line(name): value for name, value in self.lines.items()},
            dict(self.votes),
        )


@dataclass(frozen=True, slots=True)
class Lot:
    sequence: int
    time: str
    commission: str
    contest: str
    context: str
    seed: str
    contenders: tuple[str, ...]
    places: int
    winners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Certification:
    sequence: int
    time: str
    commission: str
    contest: str
    results: Mapping[str, Data]


@dataclass(frozen=True, slots=True)
class Publication:
    """A published bundle that the ledger records: its version and signed tree head."""

    sequence: int
    time: str
    version: int
    tree_size: int
    root_hash: str


@dataclass(frozen=True, slots=True)
class ElectionRecord:
    sequence: int
    election: str
    definition: Mapping[str, Data]


@dataclass(frozen=True)
class LedgerState:
    """Everything the ledger establishes after ``size`` events; ``head`` is the last hash.

    ``root_commission`` is the commission whose key the first event registers (the CEC): it
    registers and rotates every key and signs the tree heads."""

    size: int = 0
    head: str | None = None
    root_commission: str | None = None
    election: ElectionRecord | None = None
    keys: Mapping[str, KeyRecord] = field(default_factory=dict)
    protocols: Mapping[tuple[str, str], ProtocolRecord] = field(default_factory=dict)
    approvals: tuple[Approval, ...] = ()
    lots: tuple[Lot, ...] = ()
    certifications: tuple[Certification, ...] = ()
    publications: tuple[Publication, ...] = ()

    def commission_keys(self, commission: str) -> tuple[KeyRecord, ...]:
        """Every key a commission has had, in order of registration."""
        return tuple(key for key in self.keys.values() if key.commission == commission)

    def current_keys(self, commission: str) -> tuple[KeyRecord, ...]:
        """The keys that may sign a commission's next event."""
        return tuple(k for k in self.commission_keys(commission) if k.valid_at(self.size))

    @property
    def certified(self) -> Mapping[str, Certification]:
        """The latest certification of each contest."""
        return {c.contest: c for c in self.certifications}
