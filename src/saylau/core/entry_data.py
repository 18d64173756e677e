"""The entry state of a protocol as plain data (for the store and the API), and back.

``protocol_data`` gives ``{"lines": {line: n}, "votes": {choice: n}}`` with lines in form
order; findings are those of :mod:`saylau.core.controls` as plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from saylau.core.controls import Finding, Severity
from saylau.core.entry import Amendment, Entry, ProtocolEntry, Stage
from saylau.core.protocol import Line, Protocol


def protocol_data(protocol: Protocol) -> dict[str, Any]:
    lines = {str(line): protocol.lines[line] for line in Line if line in protocol.lines}
    return {"lines": lines, "votes": dict(protocol.votes)}


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "key": finding.key,
        "severity": str(finding.severity),
        "lines": [str(line) for line in finding.lines],
        "values": dict(finding.values),
    }


def _entry_data(entry: Entry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "typist": entry.typist,
        "protocol": protocol_data(entry.protocol),
        "findings": [finding_data(f) for f in entry.findings],
        "acknowledged": dict(entry.acknowledged),
    }


def entry_state_data(state: ProtocolEntry) -> dict[str, Any]:
    """Everything of the state except station and contest (stored alongside)."""
    amendment = state.amendment
    return {
        "stage": str(state.stage),
        "version": state.version,
        "claimant": state.claimant,
        "first": _entry_data(state.first),
        "second": _entry_data(state.second),
        "accepted": _entry_data(state.accepted),
        "accepted_by": state.accepted_by,
        "content_version": state.content_version,
        "amendment": None
        if amendment is None
        else {"by": amendment.by, "reason": amendment.reason, "decision": amendment.decision},
        "approved_by": state.approved_by,
    }


def _protocol(station: str, contest: str, data: Mapping[str, Any]) -> Protocol:
    lines = {Line(name): int(n) for name, n in data["lines"].items()}
    votes = {str(choice): int(n) for choice, n in data["votes"].items()}
    return Protocol(station, contest, lines, votes)


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(
        str(data["code"]),
        str(data["key"]),
        Severity(data["severity"]),
        tuple(str(line) for line in data["lines"]),
        {str(k): int(v) for k, v in data["values"].items()},
    )


def _entry(station: str, contest: str, data: Mapping[str, Any] | None) -> Entry | None:
    if data is None:
        return None
    return Entry(
        str(data["typist"]),
        _protocol(station, contest, data["protocol"]),
        tuple(_finding(f) for f in data["findings"]),
        {str(k): str(v) for k, v in data["acknowledged"].items()},
    )


def entry_state_from_data(station: str, contest: str, data: Mapping[str, Any]) -> ProtocolEntry:
    """The state written by :func:`entry_state_data`."""
    amendment = data["amendment"]
    return ProtocolEntry(
        station=station,
        contest=contest,
        stage=Stage(data["stage"]),
        version=int(data["version"]),
        claimant=data["claimant"],
        first=_entry(station, contest, data["first"]),
        second=_entry(station, contest, data["second"]),
        accepted=_entry(station, contest, data["accepted"]),
        accepted_by=data["accepted_by"],
        content_version=int(data["content_version"]),
        amendment=None if amendment is None else Amendment(**amendment),
        approved_by=data["approved_by"],
    )
