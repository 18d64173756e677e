"""Votes of one contest as the rules engine sees them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from saylau.core.errors import InputError


class ChoiceKind(StrEnum):
    """What a line of the result is: a party or candidate, 'against all', or invalid ballots."""

    PARTY = "party"
    AGAINST_ALL = "against_all"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Choice:
    """One line of a contest's result. ``PARTY`` covers candidates in district contests."""

    name: str
    votes: int
    kind: ChoiceKind = ChoiceKind.PARTY


@dataclass(frozen=True, slots=True)
class ContestVotes:
    """The votes of one contest, choices in registration order (the order of the ballot)."""

    choices: tuple[Choice, ...]

    @classmethod
    def of(cls, choices: Iterable[Choice]) -> ContestVotes:
        """Check and build: unique non-empty names, non-negative integer votes, at most one
        'against all' and one 'invalid' line."""
        items = tuple(choices)
        seen: set[str] = set()
        special: set[ChoiceKind] = set()
        for choice in items:
            if not choice.name.strip():
                raise InputError("a choice has an empty name", field="name")
            if "\n" in choice.name or "\r" in choice.name:
                raise InputError(
                    f"the name {choice.name!r} spans several lines", field="name", item=choice.name
                )
            if choice.name in seen:
                raise InputError(
                    f"duplicate name {choice.name!r}: each party or candidate appears once",
                    field="name",
                    item=choice.name,
                )
            seen.add(choice.name)
            if isinstance(choice.votes, bool) or not isinstance(choice.votes, int):
                raise InputError(
                    f"votes of {choice.name!r} must be a whole number, found {choice.votes!r}",
                    field="votes",
                    item=choice.name,
                )
            if choice.votes < 0:
                raise InputError(
                    f"votes of {choice.name!r} must be zero or more, found {choice.votes}",
                    field="votes",
                    item=choice.name,
                )
            if choice.kind is not ChoiceKind.PARTY:
                if choice.kind in special:
                    raise InputError(
                        f"more than one {choice.kind.value!r} line ({choice.name!r})",
                        field="kind",
                        item=choice.name,
                    )
                special.add(choice.kind)
        return cls(items)

    @property
    def parties(self) -> tuple[Choice, ...]:
        """Parties or candidates, in registration order."""
        return tuple(c for c in self.choices if c.kind is ChoiceKind.PARTY)

    @property
    def party_votes(self) -> int:
        return sum(c.votes for c in self.parties)

    @property
    def against_all(self) -> int:
        return sum(c.votes for c in self.choices if c.kind is ChoiceKind.AGAINST_ALL)

    @property
    def invalid(self) -> int:
        return sum(c.votes for c in self.choices if c.kind is ChoiceKind.INVALID)

    @property
    def valid(self) -> int:
        """Valid ballots: votes for all parties plus 'against all'."""
        return self.party_votes + self.against_all

    @property
    def ballots(self) -> int:
        """Ballots taken into account: valid plus invalid."""
        return self.valid + self.invalid
