"""Candidate contests: relative majority (plurality) or absolute majority with a run-off flag.

'Against all' is counted and shown but never elected. A tie for the last seat follows the
tie policy; under ``none`` the seat stays with the commission to decide."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from saylau.core.allocation.engine import used_assumptions
from saylau.core.allocation.ranking import select_top
from saylau.core.allocation.steps import (
    CandidateLine,
    DistrictCountStep,
    DistrictDecisionStep,
    Step,
)
from saylau.core.errors import InputError
from saylau.core.rules import (
    AgainstAllLeads,
    DistrictMethod,
    DistrictRule,
    LegalRef,
    ThresholdBase,
)
from saylau.core.ties import Tie, TiePolicy
from saylau.core.votes import ChoiceKind, ContestVotes


class Outcome:
    ELECTED = "elected"
    RUNOFF = "runoff"
    FAILED = "failed"
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class DistrictResult:
    """``outcome`` is elected, runoff (absolute majority not reached), failed ('against all'
    leads and the rule voids the contest) or undecided (unresolved tie)."""

    seats_total: int
    seats: Mapping[str, int]
    outcome: str
    elected: tuple[str, ...]
    runoff: tuple[str, ...]
    steps: tuple[Step, ...]
    ties: tuple[Tie, ...]
    unfilled: int
    assumptions: tuple[LegalRef, ...]
    rule: DistrictRule
    ties_policy: str

    @property
    def complete(self) -> bool:
        return self.unfilled == 0


def decide_district(
    votes: ContestVotes, rule: DistrictRule, *, ties: TiePolicy, label: str = "district"
) -> DistrictResult:
    """Decide one candidate contest."""
    candidates = votes.parties
    if len(candidates) < 1:
        raise InputError("a district contest needs at least one candidate", field="name")
    seats = rule.seats
    if seats > len(candidates):
        raise InputError(
            f"cannot give {seats} seats to {len(candidates)} candidates", field="seats"
        )
    base_votes = votes.valid if rule.majority_base is ThresholdBase.VALID else votes.ballots
    if rule.majority_base is ThresholdBase.PARTIES:
        base_votes = votes.party_votes

    def pct(n: int) -> Fraction:
        return Fraction(100 * n, base_votes) if base_votes else Fraction(0)

    lines = [CandidateLine(c.name, c.votes, pct(c.votes)) for c in candidates]
    lines += [
        CandidateLine(c.name, c.votes, pct(c.votes), True)
        for c in votes.choices
        if c.kind is ChoiceKind.AGAINST_ALL
    ]
    lines.sort(key=lambda line: line.votes, reverse=True)
    method_ref = rule.ref("method")
    count_refs = tuple(r for r in (method_ref, rule.ref("against_all")) if r)
    steps: list[Step] = [
        DistrictCountStep(rule.majority_base, base_votes, tuple(lines), count_refs)
    ]
    tie_list: list[Tie] = []
    result = {c.name: 0 for c in candidates}

    def finish(decision: DistrictDecisionStep, unfilled: int) -> DistrictResult:
        steps.append(decision)
        for name in decision.elected:
            result[name] = 1
        return DistrictResult(
            seats,
            result,
            decision.outcome,
            decision.elected,
            decision.runoff,
            tuple(steps),
            tuple(tie_list),
            unfilled,
            used_assumptions(steps, tie_list),
            rule,
            str(ties),
        )

    def refs(*keys: str) -> tuple[LegalRef, ...]:
        return tuple(r for r in (rule.ref(k) for k in keys) if r)

    top_votes = max(c.votes for c in candidates)
    if votes.against_all > top_votes and rule.if_against_all_leads is AgainstAllLeads.FAILED:
        reason = f"'against all' ({votes.against_all}) has more votes than every candidate"
        decision = DistrictDecisionStep(
            Outcome.FAILED, (), (), reason, None, refs("if_against_all_leads", "against_all")
        )
        return finish(decision, seats)

    ranking = [(c.name, c.votes) for c in candidates]
    if rule.method is DistrictMethod.ABSOLUTE_MAJORITY and 2 * top_votes <= base_votes:
        runoff, tie = select_top(
            ranking,
            2,
            context=f"{label}: run-off places",
            policy=ties,
            reference=rule.ref("ties"),
        )
        if tie is not None:
            tie_list.append(tie)
        reason = f"no candidate has more than half of {base_votes} votes; a run-off is needed"
        decision = DistrictDecisionStep(
            Outcome.RUNOFF,
            (),
            tuple(runoff),
            reason,
            0 if tie is not None else None,
            refs("method", "majority_base"),
        )
        return finish(decision, seats)

    elected, tie = select_top(
        ranking, seats, context=f"{label}: election", policy=ties, reference=rule.ref("ties")
    )
    if tie is not None:
        tie_list.append(tie)
    tie_index = 0 if tie is not None else None
    if len(elected) < seats:
        reason = "candidates tied for election; the tie is unresolved"
        decision = DistrictDecisionStep(
            Outcome.UNDECIDED, tuple(elected), (), reason, tie_index, refs("ties")
        )
        return finish(decision, seats - len(elected))
    reason = (
        "most votes" if rule.method is DistrictMethod.PLURALITY else "more than half of the votes"
    )
    decision_refs = refs("method")
    if votes.against_all > top_votes:
        reason += "; 'against all' leads but is never elected"
        decision_refs += refs("if_against_all_leads")
    decision = DistrictDecisionStep(
        Outcome.ELECTED, tuple(elected), (), reason, tie_index, decision_refs
    )
    return finish(decision, 0)
