"""Candidate contests: plurality, 'against all', absolute majority, ties."""

from __future__ import annotations

import pytest

from saylau.core.allocation.steps import DistrictCountStep, DistrictDecisionStep
from saylau.core.districts import Outcome, decide_district
from saylau.core.errors import InputError
from saylau.core.rules import AgainstAllLeads, DistrictMethod, DistrictRule, ThresholdBase
from saylau.core.ties import TiePolicy, lot_ticket
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.rulesets import load_ruleset

REGISTRATION = TiePolicy.parse("registration")
NONE = TiePolicy.parse("none")
PLURALITY = DistrictRule()
MAJORITY = DistrictRule(method=DistrictMethod.ABSOLUTE_MAJORITY)


def kz_district() -> DistrictRule:
    rule = load_ruleset("kz-2023").contest("mazhilis-district").rule
    assert isinstance(rule, DistrictRule)
    return rule


def district(*candidates: tuple[str, int], against: int = 0, invalid: int = 0) -> ContestVotes:
    choices = [Choice(name, n) for name, n in candidates]
    if against:
        choices.append(Choice("against all", against, ChoiceKind.AGAINST_ALL))
    if invalid:
        choices.append(Choice("invalid", invalid, ChoiceKind.INVALID))
    return ContestVotes.of(choices)


def test_plurality_elects_the_candidate_with_most_votes() -> None:
    votes = district(("Abay", 300), ("Bota", 500), ("Dana", 100), against=50)
    result = decide_district(votes, kz_district(), ties=NONE, label="district 1")
    assert result.outcome == Outcome.ELECTED
    assert result.elected == ("Bota",)
    assert dict(result.seats) == {"Abay": 0, "Bota": 1, "Dana": 0}
    assert result.unfilled == 0
    assert result.complete
    assert result.ties == ()
    assert result.assumptions == ()
    count = result.steps[0]
    assert isinstance(count, DistrictCountStep)
    assert count.base_votes == 950
    assert [line.name for line in count.lines] == ["Bota", "Abay", "Dana", "against all"]
    assert [line.is_against_all for line in count.lines] == [False, False, False, True]


def test_plurality_needs_no_majority() -> None:
    result = decide_district(district(("A", 34), ("B", 33), ("C", 33)), PLURALITY, ties=NONE)
    assert result.elected == ("A",)


def test_against_all_leading_elects_the_top_candidate_under_kz_2023() -> None:
    votes = district(("A", 300), ("B", 200), against=600)
    result = decide_district(votes, kz_district(), ties=NONE)
    assert result.outcome == Outcome.ELECTED
    assert result.elected == ("A",)
    assert "against all" not in result.seats


def test_against_all_leading_reports_the_assumption_used() -> None:
    # kz-2023 has no rule for this case: electing the top candidate is an assumption.
    votes = district(("A", 300), ("B", 200), against=600)
    result = decide_district(votes, kz_district(), ties=NONE)
    assert [ref.rule for ref in result.assumptions] == ["if_against_all_leads"]
    decision = result.steps[-1]
    assert isinstance(decision, DistrictDecisionStep)
    assert "against all" in decision.reason


def test_against_all_leading_fails_the_contest_when_the_rule_says_so() -> None:
    rule = DistrictRule(if_against_all_leads=AgainstAllLeads.FAILED)
    result = decide_district(district(("A", 300), ("B", 200), against=600), rule, ties=NONE)
    assert result.outcome == Outcome.FAILED
    assert result.elected == ()
    assert dict(result.seats) == {"A": 0, "B": 0}
    assert result.unfilled == 1
    assert not result.complete


def test_against_all_equal_to_the_top_candidate_does_not_fail_the_contest() -> None:
    rule = DistrictRule(if_against_all_leads=AgainstAllLeads.FAILED)
    result = decide_district(district(("A", 300), ("B", 200), against=300), rule, ties=NONE)
    assert result.outcome == Outcome.ELECTED
    assert result.elected == ("A",)


def test_absolute_majority_elects_with_more_than_half() -> None:
    result = decide_district(district(("A", 51), ("B", 49)), MAJORITY, ties=NONE)
    assert result.outcome == Outcome.ELECTED
    assert result.elected == ("A",)
    assert result.unfilled == 0


@pytest.mark.parametrize(
    ("votes", "rule"),
    [
        (district(("A", 50), ("B", 30), ("C", 20)), MAJORITY),
        (district(("A", 40), ("B", 35), ("C", 25)), MAJORITY),
        (district(("A", 55), ("B", 40), against=15), MAJORITY),
        (
            district(("A", 55), ("B", 45), invalid=20),
            DistrictRule(
                method=DistrictMethod.ABSOLUTE_MAJORITY, majority_base=ThresholdBase.BALLOTS
            ),
        ),
    ],
)
def test_absolute_majority_not_reached_calls_a_runoff(
    votes: ContestVotes, rule: DistrictRule
) -> None:
    result = decide_district(votes, rule, ties=NONE)
    assert result.outcome == Outcome.RUNOFF
    assert result.elected == ()
    assert result.runoff == ("A", "B")
    assert result.unfilled == 1
    assert all(n == 0 for n in result.seats.values())


def test_invalid_ballots_do_not_count_against_a_majority_of_valid_votes() -> None:
    result = decide_district(district(("A", 55), ("B", 45), invalid=20), MAJORITY, ties=NONE)
    assert result.elected == ("A",)


def test_tie_for_the_seat_under_registration() -> None:
    votes = district(("B", 100), ("A", 100), ("C", 10))
    result = decide_district(votes, PLURALITY, ties=REGISTRATION, label="d1")
    assert result.elected == ("B",)
    assert result.outcome == Outcome.ELECTED
    (tie,) = result.ties
    assert tie.contenders == ("B", "A")
    assert tie.winners == ("B",)
    decision = result.steps[-1]
    assert isinstance(decision, DistrictDecisionStep)
    assert decision.tie == 0


def test_tie_for_the_seat_under_a_lot() -> None:
    votes = district(("B", 100), ("A", 100), ("C", 10))
    result = decide_district(votes, PLURALITY, ties=TiePolicy.parse("lot:d-seed"), label="d1")
    (tie,) = result.ties
    assert tie.context == "d1: election"
    tickets = {name: lot_ticket("d-seed", "d1: election", name) for name in ("B", "A")}
    assert result.elected == (min(tickets, key=tickets.__getitem__),)
    assert {t.name: t.ticket for t in tie.tickets} == tickets
    assert result.complete


def test_tie_for_the_seat_under_none_stays_undecided() -> None:
    votes = district(("A", 100), ("B", 100), ("C", 10))
    result = decide_district(votes, kz_district(), ties=NONE)
    assert result.outcome == Outcome.UNDECIDED
    assert result.elected == ()
    assert all(n == 0 for n in result.seats.values())
    assert result.unfilled == 1
    (tie,) = result.ties
    assert not tie.resolved
    assert tie.contenders == ("A", "B")
    # kz-2023 has no rule for this tie: the result says so.
    assert "ties" in {ref.rule for ref in result.assumptions}


def test_tie_for_the_second_runoff_place_under_none() -> None:
    votes = district(("A", 40), ("B", 30), ("C", 30))
    result = decide_district(votes, MAJORITY, ties=NONE)
    assert result.outcome == Outcome.RUNOFF
    assert result.runoff == ("A",)
    (tie,) = result.ties
    assert tie.contenders == ("B", "C")
    assert tie.places == 1
    assert not tie.resolved


def test_tie_for_the_second_runoff_place_under_registration() -> None:
    votes = district(("A", 40), ("C", 30), ("B", 30))
    result = decide_district(votes, MAJORITY, ties=REGISTRATION)
    assert result.runoff == ("A", "C")


def test_a_district_needs_a_candidate() -> None:
    with pytest.raises(InputError, match="at least one candidate"):
        decide_district(
            ContestVotes.of([Choice("against all", 5, ChoiceKind.AGAINST_ALL)]),
            PLURALITY,
            ties=NONE,
        )


def test_more_seats_than_candidates_is_refused() -> None:
    with pytest.raises(InputError, match="cannot give 2 seats to 1 candidates"):
        decide_district(district(("A", 5)), DistrictRule(seats=2), ties=NONE)
