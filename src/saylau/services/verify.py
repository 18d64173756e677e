"""Verifying a published bundle and recomputing the list results from its ledger alone.

:func:`verify_published` runs :func:`saylau.ledger.verify_bundle`, then tallies the accepted
(or approved) protocols of the replayed state for every list contest of the definition the
ledger carries, and allocates the seats with the election's ruleset: the numbers anyone can
get from the bundle without the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from saylau.core.allocation import ListResult, allocate_list
from saylau.core.election import parse_election
from saylau.core.ledger.state import ACCEPTED, APPROVED, LedgerState
from saylau.core.protocol import Line
from saylau.core.rules import DistrictRule
from saylau.core.ties import TiePolicy
from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.ledger import VerifyReport, verify_bundle
from saylau.rulesets import load_ruleset


@dataclass(frozen=True)
class ReplayedList:
    """A list contest recomputed from the ledger: votes per choice, protocols counted,
    and the seats (``None`` while no vote is counted)."""

    contest: str
    votes: dict[str, int]
    against_all: int
    protocols: int
    allocation: ListResult | None


@dataclass(frozen=True)
class Verification:
    report: VerifyReport
    lists: tuple[ReplayedList, ...]


def replayed_lists(state: LedgerState) -> tuple[ReplayedList, ...]:
    """The list contests tallied from the replayed protocols and allocated."""
    if state.election is None:
        return ()
    election = parse_election(dict(state.election.definition), "the ledger's definition")
    ruleset = load_ruleset(election.ruleset)
    counted: dict[str, list[dict[str, int]]] = {}
    lines_of: dict[str, list[dict[str, int]]] = {}
    for (_, contest_id), record in state.protocols.items():
        if record.status in (ACCEPTED, APPROVED):
            counted.setdefault(contest_id, []).append(dict(record.votes))
            lines_of.setdefault(contest_id, []).append(dict(record.lines))
    found = []
    for contest in election.contests.values():
        rule = ruleset.contest(contest.rule).rule
        if isinstance(rule, DistrictRule):
            continue
        votes = {choice.id: 0 for choice in contest.choices}
        for protocol in counted.get(contest.id, []):
            for choice, n in protocol.items():
                votes[choice] = votes.get(choice, 0) + n
        protocol_lines = lines_of.get(contest.id, [])
        against = sum(p.get(Line.AGAINST_ALL.value, 0) for p in protocol_lines)
        invalid = sum(p.get(Line.INVALID.value, 0) for p in protocol_lines)
        choices = [Choice(cid, n) for cid, n in votes.items()]
        if contest.against_all:
            choices.append(Choice("against all", against, ChoiceKind.AGAINST_ALL))
        choices.append(Choice("invalid", invalid, ChoiceKind.INVALID))
        allocation = None
        if sum(votes.values()) > 0:
            allocation = allocate_list(
                ContestVotes.of(choices),
                rule,
                contest.seats,
                ties=TiePolicy(rule.ties),
                label=f"{election.id}/{contest.id}",
            )
        found.append(ReplayedList(contest.id, votes, against, len(protocol_lines), allocation))
    return tuple(found)


def verify_published(directory: Path, previous: Path | None = None) -> Verification:
    """Verify a bundle; when it verifies, recompute its list results from the ledger."""
    report = verify_bundle(directory, previous)
    lists = replayed_lists(report.state) if report.ok and report.state is not None else ()
    return Verification(report, lists)
