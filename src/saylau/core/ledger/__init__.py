"""The append-only ledger, pure: canonical JSON, events, Merkle trees, replay.

- :mod:`.canonical`: RFC 8785 canonical JSON of the value subset the ledger uses;
- :mod:`.merkle`: RFC 9162 Merkle tree hash, inclusion and consistency proofs;
- :mod:`.events`: the event model, its hash and hash chain, ledger lines;
- :mod:`.payloads`: the payload of each kind of event;
- :mod:`.state` and :mod:`.replay`: rebuilding the state (protocols, keys, approvals,
  lots, certifications) from the events, with findings.

Signatures need cryptography and live in the adapter :mod:`saylau.ledger`.
"""

from saylau.core.ledger.canonical import CanonicalError, canonical, parse_canonical
from saylau.core.ledger.events import (
    Event,
    Kind,
    LedgerError,
    LedgerFinding,
    Signature,
    check_chain,
    decode_line,
    encode_line,
    event_hash,
    new_event,
    utc_time,
)
from saylau.core.ledger.replay import Ledger, Replay, replay
from saylau.core.ledger.state import LedgerState, ProtocolRecord

__all__ = [
    "CanonicalError",
    "Event",
    "Kind",
    "Ledger",
    "LedgerError",
    "LedgerFinding",
    "LedgerState",
    "ProtocolRecord",
    "Replay",
    "Signature",
    "canonical",
    "check_chain",
    "decode_line",
    "encode_line",
    "event_hash",
    "new_event",
    "parse_canonical",
    "replay",
    "utc_time",
]
