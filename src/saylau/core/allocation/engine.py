"""One party-list contest: threshold, edge rules, method, ties, and the explanation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from saylau.core.allocation.divisor import highest_averages
from saylau.core.allocation.quota import largest_remainder
from saylau.core.allocation.steps import Step
from saylau.core.allocation.threshold import apply_threshold
from saylau.core.errors import InputError
from saylau.core.rules import LegalRef, ListRule, Method
from saylau.core.ties import Tie, TiePolicy
from saylau.core.votes import ContestVotes


@dataclass(frozen=True, slots=True)
class ListResult:
    """Seats per party (every party, registration order), the steps and the ties.

    ``unfilled`` counts seats that an unresolved tie (policy ``none``) or an edge rule left
    for the commission to decide; ``assumptions`` lists the ruleset's assumptions (rules where
    the law is silent) that this result actually used."""

    seats_total: int
    seats: Mapping[str, int]
    steps: tuple[Step, ...]
    ties: tuple[Tie, ...]
    unfilled: int
    assumptions: tuple[LegalRef, ...]
    rule: ListRule
    ties_policy: str

    @property
    def complete(self) -> bool:
        return self.unfilled == 0


def used_assumptions(steps: Iterable[Step], ties: Iterable[Tie]) -> tuple[LegalRef, ...]:
    """The assumed rules (``assumption = true``) referenced by these steps and ties."""
    found: dict[str, LegalRef] = {}
    for step in steps:
        for ref in step.references:
            if ref.assumption:
                found.setdefault(ref.rule, ref)
    for tie in ties:
        if tie.reference is not None and tie.reference.assumption:
            found.setdefault(tie.reference.rule, tie.reference)
    return tuple(found.values())


def allocate_list(
    votes: ContestVotes,
    rule: ListRule,
    seats: int | None = None,
    *,
    ties: TiePolicy,
    label: str = "contest",
) -> ListResult:
    """Allocate the seats of one party-list contest.

    ``seats`` overrides the rule's house size (regional maslikhats differ in size); ``ties``
    is required: see :mod:`saylau.core.ties`; ``label`` names the contest in tie contexts, so
    lots drawn in different contests are independent."""
    house = seats if seats is not None else rule.seats
    if house is None:
        raise InputError("the number of seats is not given and the rule has none", field="seats")
    if isinstance(house, bool) or not isinstance(house, int) or house < 1:
        raise InputError(
            f"seats must be a whole number of at least 1, found {house!r}", field="seats"
        )
    parties = votes.parties
    if not parties:
        raise InputError(f"cannot give {house} seats: there is no party", field="name")
    if sum(p.votes for p in parties) == 0:
        raise InputError(f"cannot give {house} seats: no party has any vote", field="votes")

    admitted, steps, tie_list = apply_threshold(votes, rule, house, ties, label)
    result = {p.name: 0 for p in parties}
    unfilled = house
    if admitted and sum(a.votes for a in admitted) > 0:
        refs = {key: rule.ref(key) for key in ("method", "quota", "remainders", "ties")}
        if rule.method is Method.LARGEST_REMAINDER:
            won, more_steps, more_ties, unfilled = largest_remainder(
                admitted,
                house,
                quota=rule.quota,
                remainders=rule.remainders,
                policy=ties,
                label=label,
                refs=refs,
                first_tie=len(tie_list),
            )
        else:
            won, more_steps, more_ties, unfilled = highest_averages(
                admitted,
                house,
                method=rule.method,
                policy=ties,
                label=label,
                refs=refs,
                first_tie=len(tie_list),
            )
        result.update(won)
        steps.extend(more_steps)
        tie_list.extend(more_ties)
    return ListResult(
        seats_total=house,
        seats=result,
        steps=tuple(steps),
        ties=tuple(tie_list),
        unfilled=unfilled,
        assumptions=used_assumptions(steps, tie_list),
        rule=rule,
        ties_policy=str(ties),
    )
