"""What the demo's night has done so far (:class:`NightProgress`), for a display to read
while the night plays in another thread, and the status of the count (:class:`Status`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Status(StrEnum):
    """The status of the count, as the portal's banner shows it."""

    WAITING = "waiting for the first protocols"
    PARTIAL = "unofficial partial"
    COMPLETE = "unofficial complete"
    CERTIFIED = "certified"
    STOPPED = "stopped"


@dataclass
class NightProgress:
    """What has happened so far (read by a display while the night plays)."""

    stations: int = 0
    stations_reported: int = 0
    protocols: int = 0
    protocols_counted: int = 0
    entry_stations: int = 0
    entry_protocols: int = 0
    entered_twice: int = 0
    differences_resolved: int = 0
    warnings_acknowledged: int = 0
    corrections_planned: int = 0
    corrections: int = 0
    approved: int = 0
    summaries_planned: int = 0
    summaries_signed: int = 0
    file_stations: int = 0
    file_protocols: int = 0
    files_stored: int = 0
    late_planned: int = 0
    late_stored: int = 0
    service_actions: int = 0
    ledger_events: int = 0
    contests_certified: int = 0
    entry_seconds: float = 0.0
    """Time spent typing, resolving, correcting, approving and signing (service calls)."""
    file_seconds: float = 0.0
    """Time spent storing protocols arriving as files."""
    certify_seconds: float = 0.0
    clock_minutes: int | None = None
    status: Status = Status.WAITING
    elapsed: float = 0.0
    done: bool = False

    def copy(self) -> NightProgress:
        return replace(self)
