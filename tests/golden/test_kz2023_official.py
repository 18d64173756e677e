"""Official results of the Kazakhstan elections of 19 March 2023, reproduced by ruleset kz-2023.

Sources:

- Mazhilis, party lists, final result of the Central Election Commission (CEC) of 27 March 2023:
  https://www.election.gov.kz/eng/news/releases/index.php?ID=8937
  https://astanatimes.com/2023/03/six-parties-elected-to-parliament-according-to-final-results-of-central-election-commission/
- Distribution of the 69 list mandates (40/8/6/6/5/4):
  https://vlast.kz/novosti/54446-cik-raspredelil-deputatskie-mandaty-mezdu-partiami.html
- Kostanay regional maslikhat, party lists, 16 mandates (9/3/2/1/1):
  https://kostanaytany.kz/sajlaw-qorytyndylary-twraly/
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from saylau.core.allocation import allocate_list
from saylau.core.allocation.steps import QuotaStep, ThresholdStep
from saylau.core.errors import InputError
from saylau.core.rules import ListRule, Quota
from saylau.core.ties import TiePolicy
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.rulesets import load_ruleset

CEC_RELEASE_URL = "https://www.election.gov.kz/eng/news/releases/index.php?ID=8937"
ASTANA_TIMES_URL = (
    "https://astanatimes.com/2023/03/six-parties-elected-to-parliament-according-to-final-"
    "results-of-central-election-commission/"
)
VLAST_MANDATES_URL = (
    "https://vlast.kz/novosti/54446-cik-raspredelil-deputatskie-mandaty-mezdu-partiami.html"
)
KOSTANAY_URL = "https://kostanaytany.kz/sajlaw-qorytyndylary-twraly/"

AMANAT = "AMANAT"
AUYL = "Auyl"
RESPUBLICA = "Respublica"
AK_ZHOL = "Ak Zhol"
QHP = "People's Party of Kazakhstan"
JSDP = "Nationwide Social Democratic Party"
BAYTAQ = "Baytaq"

# Party lines in the order of the CEC release; 'against all' is counted in the valid ballots.
MAZHILIS_2023 = (
    (AMANAT, 3_431_510),
    (AUYL, 693_938),
    (RESPUBLICA, 547_154),
    (AK_ZHOL, 535_139),
    (QHP, 432_920),
    (JSDP, 331_058),
    (BAYTAQ, 146_431),
)
MAZHILIS_2023_AGAINST_ALL = 248_291
MAZHILIS_2023_SEATS = {
    AMANAT: 40,
    AUYL: 8,
    RESPUBLICA: 6,
    AK_ZHOL: 6,
    QHP: 5,
    JSDP: 4,
    BAYTAQ: 0,
}
MAZHILIS_2023_PERCENT = {
    AMANAT: "53.90",
    AUYL: "10.90",
    RESPUBLICA: "8.59",
    AK_ZHOL: "8.41",
    QHP: "6.80",
    JSDP: "5.20",
    BAYTAQ: "2.30",
}

KOSTANAY_2023 = (
    (AMANAT, 195_232),
    (AK_ZHOL, 66_220),
    (AUYL, 44_220),
    (QHP, 22_325),
    (RESPUBLICA, 22_115),
)
KOSTANAY_2023_SEATS = {AMANAT: 9, AK_ZHOL: 3, AUYL: 2, QHP: 1, RESPUBLICA: 1}

REGISTRATION = TiePolicy.parse("registration")


def mazhilis_votes() -> ContestVotes:
    return ContestVotes.of(
        [
            *(Choice(name, votes) for name, votes in MAZHILIS_2023),
            Choice("against all", MAZHILIS_2023_AGAINST_ALL, ChoiceKind.AGAINST_ALL),
        ]
    )


def list_rule(contest: str) -> ListRule:
    rule = load_ruleset("kz-2023").contest(contest).rule
    assert isinstance(rule, ListRule)
    return rule


def threshold_step(steps: tuple[object, ...]) -> ThresholdStep:
    found = [s for s in steps if isinstance(s, ThresholdStep)]
    assert len(found) == 1
    return found[0]


def test_mazhilis_2023_list_mandates_match_the_cec() -> None:
    result = allocate_list(
        mazhilis_votes(), list_rule("mazhilis-list"), ties=REGISTRATION, label="mazhilis-list"
    )
    assert dict(result.seats) == MAZHILIS_2023_SEATS
    assert result.seats_total == 69
    assert result.unfilled == 0
    assert result.complete
    assert result.ties == ()
    assert result.assumptions == ()


def test_mazhilis_2023_valid_ballots_are_parties_plus_against_all() -> None:
    votes = mazhilis_votes()
    assert votes.valid == 6_366_441
    assert votes.party_votes == 6_118_150


def test_mazhilis_2023_baytaq_is_excluded_by_the_threshold() -> None:
    result = allocate_list(mazhilis_votes(), list_rule("mazhilis-list"), ties=REGISTRATION)
    step = threshold_step(result.steps)
    assert step.percent == 5
    assert step.base_votes == 6_366_441
    assert step.required == Fraction(6_366_441 * 5, 100)
    passed = {line.name: line.passed for line in step.lines}
    assert passed == {name: name != BAYTAQ for name, _ in MAZHILIS_2023}


def test_mazhilis_2023_quota_is_admitted_votes_over_69() -> None:
    result = allocate_list(mazhilis_votes(), list_rule("mazhilis-list"), ties=REGISTRATION)
    quotas = [s for s in result.steps if isinstance(s, QuotaStep)]
    assert len(quotas) == 1
    assert quotas[0].quota is Quota.HARE
    assert quotas[0].votes == 5_971_719
    assert quotas[0].seats == 69
    assert quotas[0].value == Fraction(5_971_719, 69)


@pytest.mark.parametrize(("name", "published"), sorted(MAZHILIS_2023_PERCENT.items()))
def test_mazhilis_2023_shares_match_the_published_percentages(name: str, published: str) -> None:
    result = allocate_list(mazhilis_votes(), list_rule("mazhilis-list"), ties=REGISTRATION)
    line = next(line for line in threshold_step(result.steps).lines if line.name == name)
    assert round(line.percent, 2) == Fraction(published)


def test_mazhilis_2023_does_not_depend_on_the_order_of_the_lines() -> None:
    choices = list(mazhilis_votes().choices)
    result = allocate_list(
        ContestVotes.of(reversed(choices)), list_rule("mazhilis-list"), ties=REGISTRATION
    )
    assert dict(result.seats) == MAZHILIS_2023_SEATS


def test_kostanay_regional_maslikhat_2023_list_mandates() -> None:
    votes = ContestVotes.of(Choice(name, n) for name, n in KOSTANAY_2023)
    result = allocate_list(
        votes,
        list_rule("regional-maslikhat-list"),
        seats=16,
        ties=REGISTRATION,
        label="kostanay-regional-maslikhat-list",
    )
    assert dict(result.seats) == KOSTANAY_2023_SEATS
    assert result.seats_total == 16
    assert result.unfilled == 0
    assert result.ties == ()


def test_regional_maslikhat_list_has_no_house_size_of_its_own() -> None:
    votes = ContestVotes.of(Choice(name, n) for name, n in KOSTANAY_2023)
    with pytest.raises(InputError, match="number of seats is not given"):
        allocate_list(votes, list_rule("regional-maslikhat-list"), ties=REGISTRATION)
