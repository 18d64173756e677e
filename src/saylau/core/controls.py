"""Control relations of a count protocol, as findings with stable codes.

Errors block acceptance; warnings must be acknowledged with a reason. A finding names the
lines it concerns and the numbers involved; adapters turn it into text for the operator in
Kazakh, Russian or English (``saylau.i18n``), saying what to do next.

=====  =======================  ================================================================
code   key                      relation
=====  =======================  ================================================================
E01    received-balance         ballots received = issued (at and outside the station) + cancelled
E02    found-over-issued        ballots found in the boxes <= ballots issued
E03    valid-invalid-found      valid + invalid = ballots found in the boxes
E04    votes-valid              votes for all choices + 'against all' = valid ballots
E05    issued-over-list         ballots issued <= voters on the list + allowance for added voters
W01    turnout-high             turnout (issued / voters) above the warning level
W02    turnout-low              turnout below the warning level
W03    invalid-share            invalid ballots above the warning share of ballots found
W04    ballots-missing          ballots issued but not found in the boxes above the warning share
=====  =======================  ================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from saylau.core.protocol import Line, Protocol


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    key: str
    severity: Severity
    lines: tuple[str, ...]
    values: Mapping[str, int]

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class ControlSettings:
    """Levels of the controls; percentages are exact fractions of 100."""

    added_voters_percent: Fraction = Fraction(0)
    turnout_high_percent: Fraction = Fraction(95)
    turnout_low_percent: Fraction = Fraction(10)
    invalid_percent: Fraction = Fraction(5)
    missing_ballots_percent: Fraction = Fraction(1)


CODES: Mapping[str, tuple[str, Severity]] = {
    "received-balance": ("E01", Severity.ERROR),
    "found-over-issued": ("E02", Severity.ERROR),
    "valid-invalid-found": ("E03", Severity.ERROR),
    "votes-valid": ("E04", Severity.ERROR),
    "issued-over-list": ("E05", Severity.ERROR),
    "turnout-high": ("W01", Severity.WARNING),
    "turnout-low": ("W02", Severity.WARNING),
    "invalid-share": ("W03", Severity.WARNING),
    "ballots-missing": ("W04", Severity.WARNING),
}


def _finding(key: str, lines: tuple[str, ...], values: Mapping[str, int]) -> Finding:
    code, severity = CODES[key]
    return Finding(code, key, severity, lines, dict(values))


def check_protocol(
    protocol: Protocol, settings: ControlSettings = ControlSettings()
) -> tuple[Finding, ...]:
    """All findings of one protocol, errors first, in code order."""
    found: list[Finding] = []
    line = protocol.lines.get
    voters = line(Line.VOTERS)
    received = line(Line.RECEIVED)
    issued = protocol.issued_total
    cancelled = line(Line.CANCELLED)
    in_boxes = line(Line.FOUND)
    invalid = line(Line.INVALID)
    valid = line(Line.VALID)
    votes = protocol.votes_total
    valid_used: int | None = valid
    if valid is None and in_boxes is not None and invalid is not None:
        valid_used = votes

    if received is not None and issued is not None and cancelled is not None:
        if received != issued + cancelled:
            found.append(
                _finding(
                    "received-balance",
                    (Line.RECEIVED, Line.ISSUED, Line.ISSUED_OUTSIDE, Line.CANCELLED),
                    {"received": received, "issued": issued, "cancelled": cancelled},
                )
            )
    if in_boxes is not None and issued is not None and in_boxes > issued:
        found.append(
            _finding(
                "found-over-issued",
                (Line.FOUND, Line.ISSUED, Line.ISSUED_OUTSIDE),
                {"found": in_boxes, "issued": issued},
            )
        )
    if in_boxes is not None and invalid is not None and valid_used is not None:
        if valid_used + invalid != in_boxes:
            found.append(
                _finding(
                    "valid-invalid-found",
                    (Line.VALID, Line.INVALID, Line.FOUND),
                    {"valid": valid_used, "invalid": invalid, "found": in_boxes},
                )
            )
    if valid is not None and votes != valid:
        found.append(
            _finding(
                "votes-valid", (Line.VALID, Line.AGAINST_ALL), {"votes": votes, "valid": valid}
            )
        )
    if voters is not None and issued is not None:
        allowance = voters * settings.added_voters_percent / 100
        if issued > voters + allowance:
            found.append(
                _finding(
                    "issued-over-list",
                    (Line.ISSUED, Line.ISSUED_OUTSIDE, Line.VOTERS),
                    {"issued": issued, "voters": voters, "allowance": int(allowance)},
                )
            )
        if voters > 0 and issued <= voters:
            turnout = Fraction(100 * issued, voters)
            values = {"issued": issued, "voters": voters}
            if turnout > settings.turnout_high_percent:
                found.append(_finding("turnout-high", (Line.ISSUED, Line.VOTERS), values))
            elif turnout < settings.turnout_low_percent:
                found.append(_finding("turnout-low", (Line.ISSUED, Line.VOTERS), values))
    if in_boxes and invalid is not None and 100 * invalid > settings.invalid_percent * in_boxes:
        found.append(
            _finding(
                "invalid-share", (Line.INVALID, Line.FOUND), {"invalid": invalid, "found": in_boxes}
            )
        )
    if issued and in_boxes is not None and in_boxes <= issued:
        if 100 * (issued - in_boxes) > settings.missing_ballots_percent * issued:
            found.append(
                _finding(
                    "ballots-missing",
                    (Line.ISSUED, Line.FOUND),
                    {"issued": issued, "found": in_boxes},
                )
            )
    return tuple(found)
