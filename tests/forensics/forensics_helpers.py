"""Station data for the forensics tests: clean binomial stations made here, the generated
2023 night of saylau.elections, and the manipulations injected into them."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np

from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line
from saylau.elections.generate import GeneratedNight, generate_protocols
from saylau.elections.kz2023 import build_definition
from saylau.forensics import StationData

CONTEST = "mazhilis-list"


def expit(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


def binomial_stations(count: int, seed: int, *, per_group: int = 40) -> StationData:
    """Clean stations: each commission has its own turnout and leader's share, each station
    varies around them (normal on the logit scale), and every count is binomial."""
    rng = np.random.default_rng(seed)
    groups = np.arange(count) // per_group
    g = int(groups.max()) + 1
    voters = rng.integers(150, 3000, count)
    turnout = expit(rng.normal(0.2, 0.4, g)[groups] + rng.normal(0.0, 0.25, count))
    share = expit(rng.normal(0.3, 0.5, g)[groups] + rng.normal(0.0, 0.3, count))
    ballots = rng.binomial(voters, turnout)
    leader = rng.binomial(ballots, share)
    second = rng.binomial(ballots - leader, 0.6)
    votes = np.stack([leader, second, ballots - leader - second], axis=1)
    return StationData(
        station_ids=tuple(f"s{i:06d}" for i in range(count)),
        group_ids=tuple(f"c{j:04d}" for j in range(g)),
        group=groups.astype(np.int64),
        voters=voters.astype(np.int64),
        ballots=ballots.astype(np.int64),
        found=ballots.astype(np.int64),
        votes=votes.astype(np.int64),
        choice_ids=("leader", "second", "third"),
    )


@cache
def kz_election() -> Election:
    return parse_election(build_definition(), "kz-2023")


@cache
def kz_night(seed: int) -> GeneratedNight:
    return generate_protocols(kz_election(), seed=seed)


def night_stations(seed: int) -> StationData:
    """The party-list protocols of a clean generated 2023 night, with their arrival times."""
    election = kz_election()
    night = kz_night(seed)
    protocols = [p for p in night.protocols if p.contest == CONTEST]
    choices = [c.id for c in election.contests[CONTEST].choices]
    groups = [election.stations[p.station].commission for p in protocols]
    group_ids = tuple(dict.fromkeys(groups))
    where = {gid: i for i, gid in enumerate(group_ids)}
    return StationData(
        station_ids=tuple(p.station for p in protocols),
        group_ids=group_ids,
        group=np.array([where[gid] for gid in groups], dtype=np.int64),
        voters=np.array([p.lines[Line.VOTERS] for p in protocols], dtype=np.int64),
        ballots=np.array([p.issued_total or 0 for p in protocols], dtype=np.int64),
        found=np.array([p.lines[Line.FOUND] for p in protocols], dtype=np.int64),
        votes=np.array([[p.votes[c] for c in choices] for p in protocols], dtype=np.int64),
        choice_ids=tuple(choices),
        arrival=np.array([float(night.minutes[p.station]) for p in protocols]),
    )


def stuff(data: StationData, count: int, seed: int) -> tuple[StationData, set[str]]:
    """Ballots for the leader added at ``count`` stations until turnout is 95 to 99 %."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(data), count, replace=False)
    target = (rng.uniform(0.95, 0.99, count) * data.voters[picked]).astype(np.int64)
    extra = np.maximum(target - data.ballots[picked], 0)
    ballots, found, votes = data.ballots.copy(), data.found.copy(), data.votes.copy()
    ballots[picked] += extra
    found[picked] += extra
    votes[picked, data.leader] += extra
    stuffed = dataclasses.replace(data, ballots=ballots, found=found, votes=votes)
    return stuffed, {data.station_ids[i] for i in picked}


def round_turnouts(data: StationData, count: int, seed: int) -> tuple[StationData, set[str]]:
    """At ``count`` stations the turnout is moved to the nearest whole percent (the ballots
    added or taken go to or from the leader)."""
    rng = np.random.default_rng(seed)
    eligible = np.flatnonzero(data.voters >= 300)
    picked = rng.choice(eligible, count, replace=False)
    percent = np.rint(100 * data.ballots[picked] / data.voters[picked])
    target = np.rint(percent * data.voters[picked] / 100).astype(np.int64)
    delta = target - data.ballots[picked]
    delta = np.maximum(delta, -data.votes[picked, data.leader])
    ballots, found, votes = data.ballots.copy(), data.found.copy(), data.votes.copy()
    ballots[picked] += delta
    found[picked] += delta
    votes[picked, data.leader] += delta
    rounded = dataclasses.replace(data, ballots=ballots, found=found, votes=votes)
    return rounded, {data.station_ids[i] for i in picked}
