"""Thresholds and the edge rules for too few parties over them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from saylau.core.allocation.ranking import select_top
from saylau.core.allocation.steps import (
    AdmissionStep,
    NoAllocationStep,
    Step,
    ThresholdLine,
    ThresholdStep,
)
from saylau.core.rules import ListRule, NonePass, ThresholdBase
from saylau.core.ties import Tie, TiePolicy
from saylau.core.votes import ContestVotes


@dataclass(frozen=True, slots=True)
class Admitted:
    """A party admitted to the allocation; ``coefficient`` scales its quotients (1 unless an
    edge rule admitted it below the threshold with a correction)."""

    name: str
    votes: int
    coefficient: Fraction = Fraction(1)


def _base_votes(votes: ContestVotes, base: ThresholdBase) -> int:
    if base is ThresholdBase.VALID:
        return votes.valid
    if base is ThresholdBase.BALLOTS:
        return votes.ballots
    return votes.party_votes


def apply_threshold(
    votes: ContestVotes, rule: ListRule, seats: int, policy: TiePolicy, label: str
) -> tuple[list[Admitted], list[Step], list[Tie]]:
    """Parties admitted to the allocation, the steps that explain it and any tie.

    An empty admitted list means no seat can be allocated (the steps say why)."""
    base_votes = _base_votes(votes, rule.threshold_base)
    percent = rule.threshold_percent
    required = percent * base_votes / 100
    lines = tuple(
        ThresholdLine(
            party.name,
            party.votes,
            Fraction(100 * party.votes, base_votes) if base_votes else Fraction(0),
            party.votes > 0 and party.votes >= required,
        )
        for party in votes.parties
    )
    refs = tuple(r for r in (rule.ref("threshold"), rule.ref("threshold_base")) if r)
    steps: list[Step] = []
    ties: list[Tie] = []
    if percent:
        steps.append(ThresholdStep(rule.threshold_base, base_votes, percent, required, lines, refs))
    admitted = [Admitted(line.name, line.votes) for line in lines if line.passed]
    below = [(line.name, line.votes) for line in lines if not line.passed and line.votes > 0]

    if not admitted:
        none_ref = tuple(r for r in (rule.ref("if_none_pass"),) if r)
        if rule.if_none_pass is NonePass.UNRESOLVED or not below:
            steps.append(
                NoAllocationStep(
                    "no party reached the threshold and the rule admits none below it",
                    seats,
                    none_ref,
                )
            )
            return [], steps, ties
        if rule.if_none_pass is NonePass.ADMIT_ALL:
            chosen = [name for name, _ in below]
        else:
            chosen, tie = select_top(
                below,
                rule.min_parties,
                context=f"{label}: admission of parties below the threshold",
                policy=policy,
                reference=rule.ref("ties"),
            )
            if tie is not None:
                ties.append(tie)
                if not tie.resolved:
                    steps.append(_undecided_admission(seats, rule))
                    return [], steps, ties
        admitted = [Admitted(name, v) for name, v in below if name in chosen]
        steps.append(
            AdmissionStep(
                "if_none_pass",
                f"no party reached the threshold; rule '{rule.if_none_pass.value}' applied",
                tuple(a.name for a in admitted),
                Fraction(1),
                none_ref,
            )
        )
        return admitted, steps, ties

    missing = rule.min_parties - len(admitted)
    if missing > 0 and below:
        chosen, tie = select_top(
            below,
            missing,
            context=f"{label}: admission of the next party below the threshold",
            policy=policy,
            reference=rule.ref("ties"),
        )
        if tie is not None:
            ties.append(tie)
            if not tie.resolved:
                steps.append(_undecided_admission(seats, rule))
                return [], steps, ties
        coefficient = rule.below_threshold_coefficient
        extra = [Admitted(name, v, coefficient) for name, v in below if name in chosen]
        admitted_names = {a.name for a in admitted} | {e.name for e in extra}
        admitted = [a for a in (*admitted, *extra) if a.name in admitted_names]
        order = {line.name: i for i, line in enumerate(lines)}
        admitted.sort(key=lambda a: order[a.name])
        steps.append(
            AdmissionStep(
                "min_parties",
                f"fewer than {rule.min_parties} parties reached the threshold; "
                "the next parties by votes are admitted",
                tuple(e.name for e in extra),
                coefficient,
                tuple(
                    r
                    for r in (rule.ref("min_parties"), rule.ref("below_threshold_coefficient"))
                    if r
                ),
            )
        )
    return admitted, steps, ties


def _undecided_admission(seats: int, rule: ListRule) -> NoAllocationStep:
    """Which party is admitted changes every party's quota: with that tie unresolved, no
    seat can be allocated."""
    return NoAllocationStep(
        "parties tied for admission below the threshold and the tie is unresolved; "
        "which party is admitted changes every party's seats",
        seats,
        tuple(r for r in (rule.ref("min_parties"), rule.ref("ties")) if r),
    )
