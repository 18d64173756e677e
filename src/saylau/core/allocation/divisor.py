"""Highest averages (divisor) methods: D'Hondt, Sainte-Laguë, modified Sainte-Laguë."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from saylau.core.allocation.steps import DivisorSeatStep, Step
from saylau.core.allocation.threshold import Admitted
from saylau.core.rules import LegalRef, Method
from saylau.core.ties import Tie, TiePolicy, break_tie

_FIRST_MODIFIED = Fraction(7, 5)


def _dhondt(held: int) -> Fraction:
    return Fraction(held + 1)


def _sainte_lague(held: int) -> Fraction:
    return Fraction(2 * held + 1)


def _modified_sainte_lague(held: int) -> Fraction:
    return _FIRST_MODIFIED if held == 0 else Fraction(2 * held + 1)


DIVISORS: dict[Method, Callable[[int], Fraction]] = {
    Method.DHONDT: _dhondt,
    Method.SAINTE_LAGUE: _sainte_lague,
    Method.MODIFIED_SAINTE_LAGUE: _modified_sainte_lague,
}


def highest_averages(
    parties: Sequence[Admitted],
    seats: int,
    *,
    method: Method,
    policy: TiePolicy,
    label: str,
    refs: dict[str, LegalRef | None],
    first_tie: int = 0,
) -> tuple[dict[str, int], list[Step], list[Tie], int]:
    """Seat after seat to the highest quotient ``coefficient * votes / divisor(seats held)``.

    Returns seats per party, one step per seat, ties and the seats left unfilled by an
    unresolved tie."""
    divisor = DIVISORS[method]
    method_refs = tuple(r for r in (refs.get("method"),) if r)
    result = {p.name: 0 for p in parties}
    votes = {p.name: p.votes for p in parties}
    quotient = {p.name: p.coefficient * p.votes / divisor(0) for p in parties}
    order = [p.name for p in parties]
    steps: list[Step] = []
    ties: list[Tie] = []
    seat = 0
    while seat < seats:
        best = max(quotient.values())
        leaders = [name for name in order if quotient[name] == best]
        left = seats - seat
        tie_index = None
        if len(leaders) > left:
            tie = break_tie(
                leaders,
                left,
                context=f"{label}: seat {seat + 1}",
                value=str(best),
                policy=policy,
                reference=refs.get("ties"),
            )
            ties.append(tie)
            tie_index = first_tie + len(ties) - 1
            if tie.winners is None:
                return result, steps, ties, left
            leaders = list(tie.winners)
        for name in leaders:
            seat += 1
            steps.append(
                DivisorSeatStep(
                    seat,
                    name,
                    votes[name],
                    divisor(result[name]),
                    quotient[name],
                    tie_index,
                    method_refs,
                )
            )
            result[name] += 1
            coefficient = next(p.coefficient for p in parties if p.name == name)
            quotient[name] = coefficient * votes[name] / divisor(result[name])
    return result, steps, ties, 0
