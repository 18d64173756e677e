"""Tally laws: the sum over any subtree equals the sum of its stations; progress adds up."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line
from saylau.tally import ContestTally, TreeIndex, tally_contest
from saylau.tally.tree import group_sum


def run(
    election: Election, counted: list[str], votes: np.ndarray, invalid: np.ndarray
) -> ContestTally:
    tree = TreeIndex.of(election)
    choices = [c.id for c in election.contests["c"].choices]
    return tally_contest(
        tree, "c", choices, tree.stations(counted), votes, lines={Line.INVALID: invalid}
    )


@st.composite
def elections(draw: st.DrawFn) -> tuple[Election, list[str], np.ndarray, np.ndarray]:
    """A random tree of up to 4 levels, stations under any commission, one contest over a
    random subset of subtrees and stations, and random protocols of a random subset."""
    commissions = [{"id": "root", "level": "cec", "name": "Root"}]
    depth = {"root": 0}
    levels = ["cec", "region", "territory", "district"]
    for index in range(draw(st.integers(0, 12))):
        parent = draw(st.sampled_from([c for c in commissions if depth[c["id"]] < 3]))
        depth[f"c{index}"] = depth[parent["id"]] + 1
        level = levels[depth[f"c{index}"]]
        commissions.append(
            {"id": f"c{index}", "level": level, "name": f"C{index}", "parent": parent["id"]}
        )
    stations = [
        {
            "id": f"s{index}",
            "commission": draw(st.sampled_from(commissions))["id"],
            "voters": draw(st.integers(0, 3000)),
        }
        for index in range(draw(st.integers(1, 40)))
    ]
    choices = draw(st.integers(1, 6))
    area = draw(st.lists(st.sampled_from([c["id"] for c in commissions]), max_size=3))
    extra = draw(st.lists(st.sampled_from([s["id"] for s in stations]), max_size=5))
    if not area and not extra:
        area = ["root"]
    document = {
        "format": "saylau-election/1",
        "id": "random",
        "date": "2026-01-01",
        "title": "Random",
        "ruleset": "kz-2023",
        "commissions": commissions,
        "stations": stations,
        "contests": [
            {
                "id": "c",
                "rule": "mazhilis-list",
                "title": "Contest",
                "commission": "root",
                "seats": 5,
                "area": area,
                "stations": extra,
                "choices": [{"id": f"p{i}", "name": f"P{i}"} for i in range(choices)],
            }
        ],
    }
    election = parse_election(document, "random")
    members = list(election.contest_stations("c"))
    counted = draw(st.lists(st.sampled_from(members), unique=True)) if members else []
    votes = np.array(
        [[draw(st.integers(0, 10_000)) for _ in range(choices)] for _ in counted],
        dtype=np.int64,
    ).reshape(len(counted), choices)
    invalid = np.array([draw(st.integers(0, 50)) for _ in counted], dtype=np.int64)
    return election, counted, votes, invalid


@settings(max_examples=150, deadline=None)
@given(elections())
def test_every_subtree_sums_its_stations(
    case: tuple[Election, list[str], np.ndarray, np.ndarray],
) -> None:
    election, counted, votes, invalid = case
    tally = run(election, counted, votes, invalid)
    row_of = {sid: i for i, sid in enumerate(counted)}
    members = set(election.contest_stations("c"))
    for commission_id in election.commissions:
        under = election.subtree_stations(commission_id)
        mine = [row_of[sid] for sid in under if sid in row_of]
        expected_votes = votes[mine].sum(axis=0) if mine else np.zeros(votes.shape[1])
        assert list(tally.votes[tally.row(commission_id)]) == list(expected_votes)
        assert tally.line_at(commission_id, Line.INVALID) == int(invalid[mine].sum())
        assert tally.stations_counted[tally.row(commission_id)] == len(mine)
        expected_here = [sid for sid in under if sid in members]
        assert tally.stations_expected[tally.row(commission_id)] == len(expected_here)
        assert tally.voters_expected[tally.row(commission_id)] == sum(
            election.stations[sid].voters for sid in expected_here
        )
        assert tally.voters_counted[tally.row(commission_id)] == sum(
            election.stations[sid].voters for sid in under if sid in row_of
        )


@settings(max_examples=50, deadline=None)
@given(elections())
def test_root_equals_the_flat_sum(case: tuple[Election, list[str], np.ndarray, np.ndarray]) -> None:
    election, counted, votes, invalid = case
    tally = run(election, counted, votes, invalid)
    contest_votes = tally.contest_votes()
    assert [c.votes for c in contest_votes.parties] == list(votes.sum(axis=0))
    assert contest_votes.invalid == int(invalid.sum())


def test_group_sum_is_exact_beyond_float_precision() -> None:
    big = 2**52 + 1
    keys = np.array([1, 0, 1, 0], dtype=np.int64)
    column = np.array([big, 1, big, 2], dtype=np.int64)
    unsorted = group_sum(keys, [column], 2)
    assert unsorted[:, 0].tolist() == [3, 2 * big]
    order = np.argsort(keys, kind="stable")
    assert group_sum(keys[order], [column[order]], 2)[:, 0].tolist() == [3, 2 * big]
