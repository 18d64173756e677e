"""The count protocol of one polling station for one contest.

Lines follow the usual form of a precinct count protocol. A form may lack some lines
(``None``); the controls then skip the relations that need them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from saylau.core.votes import Choice, ChoiceKind, ContestVotes


class Line(StrEnum):
    """Numbered lines of the protocol form (votes per party or candidate follow them)."""

    VOTERS = "voters"
    RECEIVED = "ballots_received"
    ISSUED = "ballots_issued"
    ISSUED_OUTSIDE = "ballots_issued_outside"
    CANCELLED = "ballots_cancelled"
    FOUND = "ballots_found"
    INVALID = "ballots_invalid"
    VALID = "ballots_valid"
    AGAINST_ALL = "against_all"


LINE_NUMBERS: Mapping[Line, int] = {line: number for number, line in enumerate(Line, start=1)}
FIRST_VOTES_LINE = len(LINE_NUMBERS) + 1

LINE_TITLES: Mapping[Line, str] = {
    Line.VOTERS: "voters on the list",
    Line.RECEIVED: "ballots received by the commission",
    Line.ISSUED: "ballots issued at the polling station",
    Line.ISSUED_OUTSIDE: "ballots issued outside the polling station",
    Line.CANCELLED: "ballots cancelled (unused)",
    Line.FOUND: "ballots found in the boxes",
    Line.INVALID: "invalid ballots",
    Line.VALID: "valid ballots",
    Line.AGAINST_ALL: "votes 'against all'",
}


@dataclass(frozen=True, slots=True)
class Protocol:
    """``lines`` holds the lines the form has; ``votes`` maps choice id -> votes, in ballot
    order."""

    station: str
    contest: str
    lines: Mapping[Line, int]
    votes: Mapping[str, int]

    def line(self, line: Line) -> int | None:
        return self.lines.get(line)

    @property
    def issued_total(self) -> int | None:
        issued = self.lines.get(Line.ISSUED)
        if issued is None:
            return None
        return issued + self.lines.get(Line.ISSUED_OUTSIDE, 0)

    @property
    def votes_total(self) -> int:
        """Votes for all parties or candidates plus 'against all'."""
        return sum(self.votes.values()) + self.lines.get(Line.AGAINST_ALL, 0)

    def contest_votes(self) -> ContestVotes:
        """As input for the rules engine (one station's count)."""
        choices = [Choice(cid, n) for cid, n in self.votes.items()]
        if Line.AGAINST_ALL in self.lines:
            choices.append(
                Choice("against all", self.lines[Line.AGAINST_ALL], ChoiceKind.AGAINST_ALL)
            )
        if Line.INVALID in self.lines:
            choices.append(Choice("invalid", self.lines[Line.INVALID], ChoiceKind.INVALID))
        return ContestVotes.of(choices)
