"""Allocate 10,000 contests: the list and district contests of a national election, x3.

One 'election' = the Mazhilis list (69 seats, 7 parties + 'against all'), 20 regional maslikhat
lists (334 seats), and single-member districts (29 Mazhilis + 3,081 maslikhat). Three of them
are 63 list contests; district contests fill the batch up to 10,000. Votes are random with a
fixed seed. saylau (exact fractions, full explanation, kz-2023 rules) is timed next to the
``apportionment`` package (its exact and float modes) on the same inputs, in the same run.

    .venv/bin/python benchmarks/allocate_batch.py
"""

from __future__ import annotations

import platform
import random
import time
from collections.abc import Callable

from apportionment import methods as apportionment  # type: ignore[import-untyped]

from saylau.core.allocation import allocate_list
from saylau.core.districts import decide_district
from saylau.core.rules import DistrictRule, ListRule
from saylau.core.ties import TiePolicy
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.rulesets import load_ruleset

CONTESTS = 10_000
REGIONAL_SEATS = [16, 16, 18, 20, 16, 18, 16, 16, 18, 16, 18, 16, 16, 14, 16, 16, 18, 20, 14, 16]


def build(seed: int = 2023) -> list[tuple[ContestVotes, int, bool]]:
    rng = random.Random(seed)
    batch: list[tuple[ContestVotes, int, bool]] = []

    def list_contest(seats: int, voters: int) -> None:
        weights = [rng.paretovariate(1.2) for _ in range(7)]
        total = sum(weights)
        choices = [Choice(f"P{i}", int(voters * w / total)) for i, w in enumerate(weights)]
        choices.append(Choice("against all", voters // 30, ChoiceKind.AGAINST_ALL))
        batch.append((ContestVotes.of(choices), seats, True))

    for _ in range(3):
        list_contest(69, 6_400_000)
        for seats in REGIONAL_SEATS:
            list_contest(seats, 320_000)
    while len(batch) < CONTESTS:
        candidates = rng.randint(2, 6)
        choices = [Choice(f"C{i}", rng.randint(50, 4000)) for i in range(candidates)]
        choices.append(Choice("against all", rng.randint(0, 300), ChoiceKind.AGAINST_ALL))
        batch.append((ContestVotes.of(choices), 1, False))
    return batch


def timed(label: str, run: Callable[[], int], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        seats = run()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best:8.3f} s  ({seats} seats)")
    return best


def main() -> None:
    ruleset = load_ruleset("kz-2023")
    list_rule = ruleset.contest("regional-maslikhat-list").rule
    district_rule = ruleset.contest("local-maslikhat-district").rule
    assert isinstance(list_rule, ListRule)
    assert isinstance(district_rule, DistrictRule)
    policy = TiePolicy.parse("registration")
    batch = build()
    lists = sum(1 for _, _, is_list in batch if is_list)
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{len(batch)} contests: {lists} party lists, {len(batch) - lists} districts\n")

    def saylau_run() -> int:
        total = 0
        for votes, seats, is_list in batch:
            if is_list:
                total += sum(allocate_list(votes, list_rule, seats, ties=policy).seats.values())
            else:
                total += sum(decide_district(votes, district_rule, ties=policy).seats.values())
        return total

    plain = [
        ([c.votes for c in votes.parties], votes.valid, seats, is_list)
        for votes, seats, is_list in batch
    ]

    def package_run(fractions: bool) -> Callable[[], int]:
        def run() -> int:
            total = 0
            for party_votes, valid, seats, is_list in plain:
                if is_list:
                    # The package's threshold is a share of the votes it is given: drop the
                    # parties under 5 % of valid ballots first, as the ruleset does.
                    kept = [v if 20 * v >= valid else 0 for v in party_votes]
                    won = apportionment.compute(
                        "largest_remainder", kept, seats, fractions=fractions
                    )
                else:
                    won = apportionment.compute("dhondt", party_votes, 1, fractions=fractions)
                total += int(sum(won))
            return total

        return run

    ours = timed("saylau (exact, steps recorded, kz-2023 rules)", saylau_run)
    exact = timed("apportionment package, fractions=True", package_run(True))
    floats = timed("apportionment package, floats", package_run(False))
    print(f"\nratio saylau / apportionment exact:  {ours / exact:5.2f}")
    print(f"ratio saylau / apportionment floats: {ours / floats:5.2f}")


if __name__ == "__main__":
    main()
