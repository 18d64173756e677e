"""``saylau seats``: one contest's votes to seats, with the explanation."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from saylau.cli.exit_codes import UsageError
from saylau.core.allocation import ListResult, allocate_list
from saylau.core.districts import DistrictResult, decide_district
from saylau.core.errors import InputError
from saylau.core.rules import (
    DistrictRule,
    ListRule,
    Method,
    Quota,
    RemainderRule,
    ThresholdBase,
    TieRule,
)
from saylau.core.ties import TiePolicy
from saylau.core.votes import ContestVotes
from saylau.ingest.votes_csv import read_votes
from saylau.rulesets import load_ruleset


def parse_percent(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"option --threshold: expected a percentage, found {text!r}") from None
    if not 0 <= value <= 100:
        raise UsageError(f"option --threshold: expected 0 to 100, found {text!r}")
    return value


def compute(
    votes_file: Path,
    *,
    seats: int | None,
    method: Method | None,
    quota: Quota | None,
    remainders: RemainderRule | None,
    threshold: str | None,
    threshold_base: ThresholdBase | None,
    ties: str | None,
    ruleset: str | None,
    contest: str | None,
) -> tuple[ListResult | DistrictResult, str, ContestVotes]:
    """Run one contest as the command line describes it; returns the result, a title and the
    votes read."""
    votes = read_votes(votes_file)
    policy = TiePolicy.parse(ties) if ties is not None else None
    if ruleset is not None or contest is not None:
        if ruleset is None or contest is None:
            raise UsageError("options --ruleset and --contest go together")
        clashing = [
            name
            for name, value in (
                ("--method", method),
                ("--quota", quota),
                ("--remainders", remainders),
                ("--threshold", threshold),
                ("--threshold-base", threshold_base),
            )
            if value is not None
        ]
        if clashing:
            raise UsageError(
                f"option {clashing[0]} cannot be combined with --ruleset: the ruleset fixes it"
            )
        rules = load_ruleset(ruleset)
        chosen = rules.contest(contest)
        rule = chosen.rule
        if policy is None:
            if rule.ties is TieRule.LOT:
                raise UsageError(
                    f"contest {contest} breaks ties by lot: give the published seed "
                    "with --ties lot:SEED"
                )
            policy = TiePolicy(rule.ties)
        title = f"{rules.id} / {contest}: {chosen.title}"
        label = f"{rules.id}/{contest}"
        if isinstance(rule, DistrictRule):
            if seats is not None and seats != rule.seats:
                raise InputError(
                    f"the district contest has {rule.seats} seat(s) by its rule", field="seats"
                )
            return decide_district(votes, rule, ties=policy, label=label), title, votes
        return allocate_list(votes, rule, seats, ties=policy, label=label), title, votes
    if seats is None:
        raise UsageError("option --seats is required without --ruleset")
    rule = ListRule(
        method=method or Method.LARGEST_REMAINDER,
        quota=quota or Quota.HARE,
        remainders=remainders or RemainderRule.LARGEST_REMAINDER,
        threshold_percent=parse_percent(threshold) if threshold is not None else Fraction(0),
        threshold_base=threshold_base or ThresholdBase.VALID,
        seats=seats,
    )
    policy = policy or TiePolicy(TieRule.NONE)
    title = f"{votes_file.name}: {seats} seats, {rule.method.value}"
    if rule.method is Method.LARGEST_REMAINDER:
        title += f" ({rule.quota.value} quota)"
    return allocate_list(votes, rule, ties=policy, label=votes_file.name), title, votes
