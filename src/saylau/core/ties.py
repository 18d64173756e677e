"""Ties and lots, explicit and replayable.

A tie policy is always passed in; nothing here guesses:

``registration``
    the contender registered earlier (earlier in the input order) wins.
``lot:SEED``
    a drawing of lots from a published seed string. Each contender's ticket is
    ``SHA-256("saylau-lot-v1" LF seed LF context LF name)`` in hexadecimal (UTF-8, LF = one
    newline byte); the lowest tickets win. Anyone can replay a draw with a SHA-256 tool.
    The context names the contest and the decision, so two ties of one election draw
    independently, and the outcome does not depend on the order of the input. A ruleset
    names the rule ``lot`` without a seed: until the seed is given the tie is reported
    unresolved, with the policy ``lot``.
``none``
    the tie is reported unresolved: the seats at stake stay unassigned until the commission
    decides them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from saylau.core.errors import InputError
from saylau.core.rules import LegalRef, TieRule

LOT_PREFIX = "saylau-lot-v1"


@dataclass(frozen=True, slots=True)
class TiePolicy:
    rule: TieRule
    seed: str | None = None

    @classmethod
    def parse(cls, text: str) -> TiePolicy:
        """Read ``registration``, ``none`` or ``lot:SEED``."""
        if text == TieRule.REGISTRATION.value:
            return cls(TieRule.REGISTRATION)
        if text == TieRule.NONE.value:
            return cls(TieRule.NONE)
        if text.startswith("lot:") and text[4:] and "\n" not in text and _is_text(text):
            return cls(TieRule.LOT, text[4:])
        raise InputError(
            f"tie policy must be registration, none or lot:SEED (a seed of one line), "
            f"found {text!r}",
            field="ties",
        )

    def __str__(self) -> str:
        if self.rule is TieRule.LOT and self.seed is not None:
            return f"lot:{self.seed}"
        return self.rule.value

    @classmethod
    def lot(cls, seed: str) -> TiePolicy:
        """A drawing of lots from ``seed`` (checked as :meth:`parse` does)."""
        return cls.parse(f"lot:{seed}")


def _is_text(value: str) -> bool:
    """A seed must be publishable text: encodable as UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class LotTicket:
    name: str
    ticket: str


@dataclass(frozen=True, slots=True)
class Tie:
    """A tie that decided (or could not decide) who gets ``places`` of the contenders' seats.

    ``contenders`` are in registration order; ``winners`` is ``None`` when unresolved.
    """

    context: str
    contenders: tuple[str, ...]
    places: int
    value: str
    policy: str
    winners: tuple[str, ...] | None
    tickets: tuple[LotTicket, ...] = ()
    reference: LegalRef | None = None

    @property
    def resolved(self) -> bool:
        return self.winners is not None

    @property
    def seed(self) -> str | None:
        """The seed of the lot that decided this tie; ``None`` if no lot decided it."""
        if self.winners is not None and self.policy.startswith("lot:"):
            return self.policy[4:]
        return None

    def describe(self) -> str:
        """The tie in words: ``'CONTEXT': a, b tied at VALUE for 1 place``."""
        places = "1 place" if self.places == 1 else f"{self.places} places"
        return f"{self.context!r}: {', '.join(self.contenders)} tied at {self.value} for {places}"


def lot_ticket(seed: str, context: str, name: str) -> str:
    """The ticket of one contender in a drawing of lots (hex SHA-256)."""
    payload = "\n".join((LOT_PREFIX, seed, context, name)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def break_tie(
    contenders: Sequence[str],
    places: int,
    *,
    context: str,
    value: str,
    policy: TiePolicy,
    reference: LegalRef | None = None,
) -> Tie:
    """Decide which ``places`` of the ``contenders`` (registration order) win.

    ``value`` is the equal quantity that made the tie (a remainder, a quotient, a vote count)."""
    names = tuple(contenders)
    if not 0 < places < len(names):
        raise ValueError("a tie needs more contenders than places")
    if policy.rule is TieRule.REGISTRATION:
        return Tie(context, names, places, value, str(policy), names[:places], (), reference)
    if policy.rule is TieRule.LOT and policy.seed is not None:
        seed = policy.seed
        tickets = tuple(LotTicket(name, lot_ticket(seed, context, name)) for name in names)
        drawn = sorted(tickets, key=lambda t: t.ticket)
        winners = {t.name for t in drawn[:places]}
        return Tie(
            context,
            names,
            places,
            value,
            str(policy),
            tuple(n for n in names if n in winners),
            tickets,
            reference,
        )
    # ``none``, or ``lot`` whose seed is not given yet: unresolved
    return Tie(context, names, places, value, str(policy), None, (), reference)
