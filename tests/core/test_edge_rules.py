"""Edge rules of party-list contests under the shipped Kazakh rulesets: too few parties over the
threshold, none over it, and the 2021 rules (98 seats, 7 % of the ballots)."""

from __future__ import annotations

from fractions import Fraction
from typing import TypeVar

import pytest

from saylau.core.allocation import ListResult, allocate_list
from saylau.core.allocation.steps import (
    AdmissionStep,
    NoAllocationStep,
    QuotaStep,
    QuotientsStep,
    ThresholdStep,
)
from saylau.core.rules import ListRule, NonePass, ThresholdBase
from saylau.core.ties import TiePolicy
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.rulesets import load_ruleset

REGISTRATION = TiePolicy.parse("registration")
NONE = TiePolicy.parse("none")
T = TypeVar("T")


def list_rule(ruleset: str, contest: str = "mazhilis-list") -> ListRule:
    rule = load_ruleset(ruleset).contest(contest).rule
    assert isinstance(rule, ListRule)
    return rule


def step_of(result: ListResult, kind: type[T]) -> T:
    found = [s for s in result.steps if isinstance(s, kind)]
    assert len(found) == 1, kind
    return found[0]


def votes_of(*parties: tuple[str, int], against: int = 0, invalid: int = 0) -> ContestVotes:
    choices = [Choice(name, n) for name, n in parties]
    if against:
        choices.append(Choice("against all", against, ChoiceKind.AGAINST_ALL))
    if invalid:
        choices.append(Choice("invalid", invalid, ChoiceKind.INVALID))
    return ContestVotes.of(choices)


def test_kz_2023_only_one_party_passes_the_runner_up_is_admitted_at_seven_tenths() -> None:
    votes = votes_of(("A", 900), ("B", 40), ("C", 30), ("D", 30))
    result = allocate_list(votes, list_rule("kz-2023"), ties=REGISTRATION)
    admission = step_of(result, AdmissionStep)
    assert admission.rule == "min_parties"
    assert admission.admitted == ("B",)
    assert admission.coefficient == Fraction(7, 10)
    # Quota of the admitted votes 940 / 69; B's quotient is 7/10 * 40 / quota = 2.055...
    assert step_of(result, QuotaStep).value == Fraction(940, 69)
    lines = {line.name: line for line in step_of(result, QuotientsStep).lines}
    assert lines["A"].coefficient == 1
    assert lines["B"].coefficient == Fraction(7, 10)
    assert lines["B"].quotient == Fraction(7, 10) * 40 * 69 / 940
    # Whole seats 66 + 2; the last seat to A (remainder 3/47 > 13/235).
    assert dict(result.seats) == {"A": 67, "B": 2, "C": 0, "D": 0}
    assert result.complete
    used = {ref.rule for ref in result.assumptions}
    assert "min_parties" in used
    assert "below_threshold_coefficient" in used


def test_kz_2023_two_parties_passing_need_no_admission() -> None:
    votes = votes_of(("A", 900), ("B", 60), ("C", 40))
    result = allocate_list(votes, list_rule("kz-2023"), ties=REGISTRATION)
    assert not [s for s in result.steps if isinstance(s, AdmissionStep)]
    assert result.seats["C"] == 0
    assert result.assumptions == ()


def test_kz_2023_runner_up_tie_follows_registration() -> None:
    votes = votes_of(("A", 900), ("C", 40), ("B", 40), ("D", 20))
    result = allocate_list(votes, list_rule("kz-2023"), ties=REGISTRATION)
    assert step_of(result, AdmissionStep).admitted == ("C",)
    (tie,) = result.ties
    assert tie.contenders == ("C", "B")
    assert "ties" in {ref.rule for ref in result.assumptions}


@pytest.mark.parametrize(
    ("rule", "votes"),
    [
        (list_rule("kz-2023"), votes_of(("A", 900), ("B", 40), ("C", 40), ("D", 20))),
        (
            ListRule(
                threshold_percent=Fraction(10),
                threshold_base=ThresholdBase.BALLOTS,
                min_parties=2,
                if_none_pass=NonePass.ADMIT_MIN_PARTIES,
                seats=10,
            ),
            votes_of(("A", 9), ("B", 8), ("C", 8), invalid=75),
        ),
    ],
    ids=["runner-up", "if-none-pass"],
)
def test_unresolved_admission_tie_allocates_nothing(rule: ListRule, votes: ContestVotes) -> None:
    # Regression: the tie admitted nobody and A took every seat with unfilled == 0. Which party
    # is admitted changes every party's quota, so no seat can be given until it is decided.
    result = allocate_list(votes, rule, ties=NONE)
    (tie,) = result.ties
    assert not tie.resolved
    assert tie.contenders == ("B", "C")
    assert result.unfilled == result.seats_total
    assert all(n == 0 for n in result.seats.values())
    assert step_of(result, NoAllocationStep).seats == result.seats_total
    decided = allocate_list(votes, rule, ties=REGISTRATION)
    assert decided.complete
    assert decided.seats["B"] > 0
    assert decided.seats["C"] == 0


def test_kz_2023_none_passes_and_the_seats_stay_unfilled() -> None:
    votes = votes_of(("A", 40), ("B", 30), ("C", 20), against=910)
    rule = list_rule("kz-2023")
    assert rule.if_none_pass is NonePass.UNRESOLVED
    result = allocate_list(votes, rule, ties=REGISTRATION)
    assert result.unfilled == result.seats_total == 69
    assert all(n == 0 for n in result.seats.values())
    assert not result.complete
    assert step_of(result, NoAllocationStep).seats == 69
    assert "if_none_pass" in {ref.rule for ref in result.assumptions}


def test_none_passes_with_admit_all() -> None:
    rule = ListRule(threshold_percent=Fraction(80), if_none_pass=NonePass.ADMIT_ALL, seats=4)
    result = allocate_list(votes_of(("A", 30), ("B", 10), ("C", 0)), rule, ties=REGISTRATION)
    assert step_of(result, AdmissionStep).admitted == ("A", "B")
    assert dict(result.seats) == {"A": 3, "B": 1, "C": 0}


def test_kz_2021_ruleset() -> None:
    rule = list_rule("kz-2021")
    assert rule.seats == 98
    assert rule.threshold_percent == 7
    assert rule.threshold_base is ThresholdBase.BALLOTS
    assert rule.min_parties == 2
    assert rule.below_threshold_coefficient == Fraction(7, 10)


def test_kz_2021_threshold_is_taken_of_the_ballots() -> None:
    # C has 7.41 % of the valid votes but 6.64 % of the ballots: excluded in 2021.
    votes = votes_of(("A", 5000), ("B", 3000), ("C", 640), invalid=1000)
    result = allocate_list(votes, list_rule("kz-2021"), ties=REGISTRATION)
    threshold = step_of(result, ThresholdStep)
    assert threshold.base_votes == 9640
    assert threshold.required == Fraction(9640 * 7, 100)
    assert [line.passed for line in threshold.lines] == [True, True, False]
    # Quota 8000 / 98: A 61.25, B 36.75 -> 61 + 36, the last seat to B.
    assert dict(result.seats) == {"A": 61, "B": 37, "C": 0}
    assert result.seats_total == 98
    assert result.assumptions == ()


def test_kz_2021_exactly_seven_per_cent_of_the_ballots_passes() -> None:
    votes = votes_of(("A", 5000), ("B", 3300), ("C", 700), invalid=1000)
    result = allocate_list(votes, list_rule("kz-2021"), ties=REGISTRATION)
    threshold = step_of(result, ThresholdStep)
    assert threshold.required == 700
    assert [line.passed for line in threshold.lines] == [True, True, True]
    assert result.seats["C"] > 0


def test_one_vote_under_the_threshold_fails() -> None:
    votes = votes_of(("A", 5000), ("B", 3301), ("C", 699), invalid=1000)
    result = allocate_list(votes, list_rule("kz-2021"), ties=REGISTRATION)
    assert [line.passed for line in step_of(result, ThresholdStep).lines] == [True, True, False]
    assert result.seats["C"] == 0


def test_the_same_votes_under_kz_2023_admit_c() -> None:
    votes = votes_of(("A", 5000), ("B", 3000), ("C", 640), invalid=1000)
    result = allocate_list(votes, list_rule("kz-2023"), 98, ties=REGISTRATION)
    assert result.seats["C"] > 0


def test_kz_2021_only_one_party_passes() -> None:
    votes = votes_of(("A", 900), ("B", 60), ("C", 40))
    result = allocate_list(votes, list_rule("kz-2021"), ties=REGISTRATION)
    admission = step_of(result, AdmissionStep)
    assert admission.admitted == ("B",)
    assert admission.coefficient == Fraction(7, 10)
    assert sum(result.seats.values()) == 98
    assert result.seats["C"] == 0
    assert [ref.rule for ref in result.assumptions] == ["below_threshold_coefficient"]
