"""Largest remainder methods: Hare, Droop, Hagenbach-Bischoff and Imperiali quotas."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from saylau.core.allocation.ranking import select_top
from saylau.core.allocation.steps import (
    OverallocationStep,
    QuotaStep,
    QuotientLine,
    QuotientsStep,
    RankedLine,
    RemainderSeatsStep,
    Step,
)
from saylau.core.allocation.threshold import Admitted
from saylau.core.rules import LegalRef, Quota, RemainderRule
from saylau.core.ties import Tie, TiePolicy

QUOTA_FORMULAS = {
    Quota.HARE: "votes / seats",
    Quota.DROOP: "floor(votes / (seats + 1)) + 1",
    Quota.HAGENBACH_BISCHOFF: "votes / (seats + 1)",
    Quota.IMPERIALI: "votes / (seats + 2)",
}


def quota_value(quota: Quota, votes: int, seats: int) -> Fraction:
    """The electoral quota, exact."""
    if quota is Quota.HARE:
        return Fraction(votes, seats)
    if quota is Quota.DROOP:
        return Fraction(votes // (seats + 1) + 1)
    if quota is Quota.HAGENBACH_BISCHOFF:
        return Fraction(votes, seats + 1)
    return Fraction(votes, seats + 2)


def largest_remainder(
    parties: Sequence[Admitted],
    seats: int,
    *,
    quota: Quota,
    remainders: RemainderRule,
    policy: TiePolicy,
    label: str,
    refs: dict[str, LegalRef | None],
    first_tie: int = 0,
) -> tuple[dict[str, int], list[Step], list[Tie], int]:
    """Whole quotas first, then the remaining seats by remainder (or by votes).

    Returns seats per party, steps, ties and the number of seats left unfilled by an
    unresolved tie."""
    total = sum(p.votes for p in parties)
    q = quota_value(quota, total, seats)
    steps: list[Step] = [
        QuotaStep(
            quota,
            QUOTA_FORMULAS[quota],
            total,
            seats,
            q,
            tuple(r for r in (refs.get("quota"), refs.get("method")) if r),
        )
    ]
    ties: list[Tie] = []
    tie_ref = refs.get("ties")
    lines = []
    result: dict[str, int] = {}
    remainder_of: dict[str, Fraction] = {}
    for party in parties:
        quotient = party.coefficient * party.votes / q
        whole = quotient.numerator // quotient.denominator
        lines.append(
            QuotientLine(
                party.name, party.votes, party.coefficient, quotient, whole, quotient - whole
            )
        )
        result[party.name] = whole
        remainder_of[party.name] = quotient - whole
    whole_seats = sum(result.values())
    steps.append(QuotientsStep(tuple(lines), whole_seats))
    unfilled = 0

    if whole_seats > seats:
        return _withdraw(
            parties,
            result,
            remainder_of,
            whole_seats - seats,
            steps=steps,
            ties=ties,
            policy=policy,
            label=label,
            tie_ref=tie_ref,
            first_tie=first_tie,
        )

    left = seats - whole_seats
    rank_ref = tuple(r for r in (refs.get("remainders"),) if r)
    round_no = 0
    while left > 0:
        round_no += 1
        if remainders is RemainderRule.LARGEST_REMAINDER:
            ranking = [(p.name, remainder_of[p.name]) for p in parties]
        else:
            ranking = [(p.name, Fraction(p.votes)) for p in parties]
        places = min(left, len(ranking))
        context = f"{label}: remainder seats" + (f", round {round_no}" if round_no > 1 else "")
        awarded, tie = select_top(
            ranking, places, context=context, policy=policy, reference=tie_ref
        )
        tie_index = None
        if tie is not None:
            ties.append(tie)
            tie_index = first_tie + len(ties) - 1
        for name in awarded:
            result[name] += 1
        steps.append(
            RemainderSeatsStep(
                remainders,
                places,
                tuple(
                    RankedLine(name, key)
                    for name, key in sorted(ranking, key=lambda item: item[1], reverse=True)
                ),
                tuple(awarded),
                tie_index,
                rank_ref,
            )
        )
        left -= places
        if len(awarded) < places:
            unfilled += places - len(awarded)
            break
    return result, steps, ties, unfilled + left


def _withdraw(
    parties: Sequence[Admitted],
    result: dict[str, int],
    remainder_of: dict[str, Fraction],
    excess: int,
    *,
    steps: list[Step],
    ties: list[Tie],
    policy: TiePolicy,
    label: str,
    tie_ref: LegalRef | None,
    first_tie: int,
) -> tuple[dict[str, int], list[Step], list[Tie], int]:
    """Whole quotas exceed the house (Hagenbach-Bischoff, Imperiali): withdraw the excess,
    one seat per party and round, from the smallest remainders up."""
    unfilled = 0
    round_no = 0
    while excess > 0:
        round_no += 1
        holders = [(p.name, remainder_of[p.name]) for p in parties if result[p.name] > 0]
        places = min(excess, len(holders))
        context = f"{label}: withdrawal of seats over the house size" + (
            f", round {round_no}" if round_no > 1 else ""
        )
        losers, tie = select_top(
            holders, places, context=context, policy=policy, reference=tie_ref, highest=False
        )
        for name in losers:
            result[name] -= 1
        tie_index = None
        if tie is not None:
            ties.append(tie)
            tie_index = first_tie + len(ties) - 1
        steps.append(OverallocationStep(places, tuple(losers), tie_index))
        excess -= places
        if tie is not None and not tie.resolved:
            # A tie needs fewer places than holders, so this is the last round. Which of the
            # tied parties lose a seat is for the commission to decide: until then none of
            # them holds the seat at stake.
            for name in tie.contenders:
                result[name] -= 1
            unfilled += len(tie.contenders) - (places - len(losers))
    return result, steps, ties, unfilled
