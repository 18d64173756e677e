"""Generate the count protocols of a whole election night, reproducibly from a seed.

:func:`generate_protocols` makes one :class:`~saylau.core.protocol.Protocol` per station and
contest the station votes in, consistent under :func:`saylau.core.controls.check_protocol`.
Turnout, invalid ballots and the parties' shares vary by group (region), by town or country
and by station; totals named in the :class:`~saylau.elections.profile.NightProfile` are met
exactly (for kz-2023 the official national party-list votes, so the tally reproduces the
official seats). :class:`ErrorOptions` adds arithmetic mistakes, missing stations and late
corrections for demonstrations and tests. See docs/generate.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from saylau.core.election import ContestDef, Election
from saylau.core.protocol import Line, Protocol
from saylau.elections import kz2023, kz2023_night
from saylau.elections.errors_injection import inject_errors, reporting_minutes
from saylau.elections.fitting import (
    BoolArray,
    FloatArray,
    IntArray,
    apportion,
    exact_table,
    round_rows,
)
from saylau.elections.profile import AGAINST_ALL, NightProfile, neutral_profile

COUNT_LINES = (
    Line.VOTERS,
    Line.RECEIVED,
    Line.ISSUED,
    Line.ISSUED_OUTSIDE,
    Line.CANCELLED,
    Line.FOUND,
    Line.INVALID,
    Line.VALID,
)
TURNOUT_BOUNDS = (0.11, 0.93)  # inside the control warnings (10 % and 95 %)
INVALID_CAP = 20  # invalid ballots at most 1/20 of those found (the 5 % warning)


@dataclass(frozen=True)
class ErrorOptions:
    """Mistakes to add to a clean night: protocols with a broken control relation, stations
    whose protocols never arrive, and protocols sent first wrong and then corrected."""

    arithmetic_errors: int = 0
    missing_stations: int = 0
    late_corrections: int = 0

    def __post_init__(self) -> None:
        for name in ("arithmetic_errors", "missing_stations", "late_corrections"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, found {value!r}")


@dataclass(frozen=True)
class GeneratedNight:
    """``protocols``: what arrives (without the missing stations, with the arithmetic errors,
    late-corrected protocols in their first version left out); ``corrections``: (first,
    corrected) pairs; ``missing``: station ids; ``order``: the stations that report, in the
    order their protocols arrive; ``minutes``: when, in minutes after 20:00 in the capital."""

    protocols: list[Protocol]
    corrections: list[tuple[Protocol, Protocol]]
    missing: list[str]
    order: list[str]
    minutes: dict[str, int]

    def final(self) -> list[Protocol]:
        """Every protocol in its last version: ``protocols`` plus the corrected ones."""
        return [*self.protocols, *(corrected for _, corrected in self.corrections)]


@dataclass(frozen=True)
class _Stations:
    ids: list[str]
    index: dict[str, int]
    voters: IntArray
    group: IntArray
    groups: list[str]
    urban: BoolArray
    abroad: BoolArray


@dataclass(frozen=True)
class _Ballots:
    received: IntArray
    issued_at: IntArray
    outside: IntArray
    cancelled: IntArray
    found: IntArray
    invalid_rate: FloatArray


@dataclass(frozen=True)
class _Night:
    """What every contest of the night draws on."""

    stations: _Stations
    ballots: _Ballots
    leaning: FloatArray
    line_index: dict[str, int]
    profile: NightProfile
    rng: np.random.Generator


def profile_for(election: Election, seed: int) -> NightProfile:
    """The kz-2023 profile for the kz-2023 election, the neutral profile for any other."""
    if election.id == kz2023.ELECTION_ID:
        return kz2023_night.night_profile(election, seed)
    return neutral_profile(election)


def generate_protocols(
    election: Election,
    *,
    seed: int,
    errors: ErrorOptions = ErrorOptions(),
    profile: NightProfile | None = None,
) -> GeneratedNight:
    """All protocols of the night: one per station and contest it votes in. The same
    election, seed, errors and profile give the same night; the error options do not change
    the clean protocols."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, found {seed!r}")
    if errors.missing_stations > len(election.stations):
        raise ValueError(
            f"cannot leave out {errors.missing_stations} of {len(election.stations)} stations"
        )
    shape = profile if profile is not None else profile_for(election, seed)
    rng = np.random.default_rng(seed)
    stations = _stations(election, shape)
    ballots = _ballots(stations, shape, rng)
    lines = [*election.parties, AGAINST_ALL]
    night = _Night(
        stations=stations,
        ballots=ballots,
        leaning=_leaning(stations, shape, lines, rng),
        line_index={line: i for i, line in enumerate(lines)},
        profile=shape,
        rng=rng,
    )
    per_station: list[list[Protocol]] = [[] for _ in stations.ids]
    for contest in election.contests.values():
        members = np.array(
            [stations.index[sid] for sid in election.contest_stations(contest.id)], np.int64
        )
        protocols = _contest_protocols(contest, members, night)
        for position, protocol in zip(members.tolist(), protocols, strict=True):
            per_station[position].append(protocol)
    clean = [protocol for own in per_station for protocol in own]
    protocols, corrections, missing = inject_errors(
        clean,
        stations.ids,
        arithmetic=errors.arithmetic_errors,
        missing=errors.missing_stations,
        corrections=errors.late_corrections,
        seed=seed,
    )
    contests_at = np.array([len(own) for own in per_station], np.int64)
    close = np.array([shape.close_minutes.get(g, 0) for g in stations.groups], np.int64)
    work = (ballots.issued_at + ballots.outside) * contests_at
    minutes = reporting_minutes(work, close[stations.group], stations.urban, stations.abroad, seed)
    gone = set(missing)
    reporting = [i for i in range(len(stations.ids)) if stations.ids[i] not in gone]
    reporting.sort(key=lambda i: (int(minutes[i]), i))
    return GeneratedNight(
        protocols=protocols,
        corrections=corrections,
        missing=missing,
        order=[stations.ids[i] for i in reporting],
        minutes={stations.ids[i]: int(minutes[i]) for i in reporting},
    )


def _stations(election: Election, profile: NightProfile) -> _Stations:
    ids = list(election.stations)
    groups = list(dict.fromkeys(profile.group[sid] for sid in ids))
    group_index = {g: i for i, g in enumerate(groups)}
    return _Stations(
        ids=ids,
        index={sid: i for i, sid in enumerate(ids)},
        voters=np.array([election.stations[s].voters for s in ids], np.int64),
        group=np.array([group_index[profile.group[s]] for s in ids], np.int64),
        groups=groups,
        urban=np.array([s in profile.urban for s in ids], np.bool_),
        abroad=np.array([election.stations[s].abroad for s in ids], np.bool_),
    )


def _ballots(st: _Stations, profile: NightProfile, rng: np.random.Generator) -> _Ballots:
    voters = st.voters
    count = voters.shape[0]
    lower = np.ceil(voters * TURNOUT_BOUNDS[0]).astype(np.int64)
    upper = np.floor(voters * TURNOUT_BOUNDS[1]).astype(np.int64)
    size = len(st.groups)
    group_voters = np.bincount(st.group, weights=voters, minlength=size)
    group_lower = np.bincount(st.group, weights=lower, minlength=size).astype(np.int64)
    group_upper = np.bincount(st.group, weights=upper, minlength=size).astype(np.int64)
    wanted = np.array([profile.turnout.get(g, 0.55) for g in st.groups], np.float64) * group_voters
    fixed = np.array([g in profile.issued_fixed for g in st.groups], np.bool_)
    targets = np.rint(wanted).astype(np.int64)
    for i, name in enumerate(st.groups):
        if fixed[i]:
            targets[i] = profile.issued_fixed[name]
    free = ~fixed
    rest = int(targets[free].sum()) if profile.issued_total is None else profile.issued_total
    if profile.issued_total is not None:
        rest -= int(targets[fixed].sum())
    targets[free] = apportion(rest, wanted[free], group_lower[free], group_upper[free])
    factor = np.where(st.urban, 0.93, 1.08) * (np.maximum(voters, 1) / 1000.0) ** -0.06
    factor *= rng.lognormal(0.0, 0.12, count)
    issued = np.zeros(count, np.int64)
    for g in range(size):
        members = np.flatnonzero(st.group == g)
        issued[members] = apportion(
            int(targets[g]), voters[members] * factor[members], lower[members], upper[members]
        )
    outside_rate = np.where(st.abroad, 0.0, np.where(st.urban, 0.006, 0.025))
    outside = rng.binomial(issued, outside_rate).astype(np.int64)
    received = voters + np.floor(voters * rng.uniform(0.0, 0.004, count)).astype(np.int64)
    lose = (rng.random(count) < 0.03) & ~fixed[st.group]
    lost = np.where(lose, np.minimum(rng.integers(1, 3, count), issued // 100), 0)
    rate = np.clip(rng.lognormal(np.log(0.022), 0.45, count), 0.003, 0.048)
    return _Ballots(
        received=received,
        issued_at=issued - outside,
        outside=outside,
        cancelled=received - issued,
        found=issued - lost,
        invalid_rate=rate,
    )


def _leaning(
    st: _Stations, profile: NightProfile, lines: list[str], rng: np.random.Generator
) -> FloatArray:
    """Each station's expected share of every list line (party or 'against all'), unscaled."""
    shares = np.array([profile.shares.get(line, 0.01) for line in lines], np.float64)
    by_group = np.array(
        [[profile.lean.get(g, {}).get(line, 1.0) for line in lines] for g in st.groups],
        np.float64,
    ).reshape(len(st.groups), len(lines))
    town = np.array([profile.urban_lean.get(line, 1.0) for line in lines], np.float64)
    country = np.array([profile.rural_lean.get(line, 1.0) for line in lines], np.float64)
    kind = np.where(st.urban[:, None], town[None, :], country[None, :])
    noise = rng.lognormal(0.0, 0.3, (len(st.ids), len(lines)))
    result: FloatArray = shares[None, :] * by_group[st.group] * kind * noise
    return result


def _weights(contest: ContestDef, members: IntArray, party_list: bool, night: _Night) -> FloatArray:
    """Expected votes of each line of the ballot at each station (any scale): a party list
    takes its party's leaning; a nominee its party's leaning times a personal factor; a
    self-nominated candidate a personal factor alone."""
    rng = night.rng
    line_index = night.line_index
    rows = night.leaning[members]
    count = members.shape[0]
    columns: list[FloatArray] = []
    for choice in contest.choices:
        if party_list:
            base = rows[:, line_index[str(choice.party)]] * rng.lognormal(0.0, 0.12)
            columns.append(base * rng.lognormal(0.0, 0.08, count))
        elif choice.party is not None:
            base = rows[:, line_index[choice.party]] * 0.9 * rng.lognormal(0.0, 0.35)
            columns.append(base * rng.lognormal(0.0, 0.15, count))
        else:
            base = np.full(count, 0.15 * rng.lognormal(0.0, 0.8))
            columns.append(base * rng.lognormal(0.0, 0.15, count))
    if contest.against_all:
        columns.append(rows[:, line_index[AGAINST_ALL]] * rng.lognormal(0.0, 0.15, count))
    return np.column_stack(columns)


def _contest_protocols(contest: ContestDef, members: IntArray, night: _Night) -> list[Protocol]:
    """The protocols of one contest, in the order of ``members`` (station positions)."""
    st, ballots, profile, rng = night.stations, night.ballots, night.profile, night.rng
    party_list = all(choice.id == choice.party for choice in contest.choices)
    columns = [choice.id for choice in contest.choices]
    if contest.against_all:
        columns.append(AGAINST_ALL)
    weights = _weights(contest, members, party_list, night)
    found = ballots.found[members]
    cap = found // INVALID_CAP
    rate = ballots.invalid_rate[members] * (1.0 if party_list else 1.15)
    spec = profile.exact.get(contest.id)
    if spec is not None and set(spec.columns) - set(columns):
        raise ValueError(f"{contest.id}: exact totals for lines not on the ballot")
    if spec is not None and set(spec.columns) == set(columns):
        invalid_total = int(found.sum()) - sum(spec.columns.values())
        invalid = apportion(invalid_total, found * rate, np.zeros_like(cap), cap)
    else:
        invalid = np.minimum(rng.binomial(found, rate), cap).astype(np.int64)
    valid = found - invalid
    if spec is not None:
        votes = exact_table(
            weights, valid, _column_targets(contest, spec.columns, columns, weights, valid)
        )
    else:
        votes = round_rows(weights, valid)
    if not party_list:
        _settle_winner(votes, [c.id for c in contest.choices], profile.winners.get(contest.id))
    count_lines = np.column_stack(
        [
            st.voters[members],
            ballots.received[members],
            ballots.issued_at[members],
            ballots.outside[members],
            ballots.cancelled[members],
            found,
            invalid,
            valid,
        ]
    ).tolist()
    choice_ids = [choice.id for choice in contest.choices]
    protocols: list[Protocol] = []
    for sid, numbers, row in zip(
        (st.ids[i] for i in members.tolist()), count_lines, votes.tolist(), strict=True
    ):
        lines = dict(zip(COUNT_LINES, numbers, strict=True))
        if contest.against_all:
            lines[Line.AGAINST_ALL] = row[-1]
        protocols.append(Protocol(sid, contest.id, lines, dict(zip(choice_ids, row, strict=False))))
    return protocols


def _column_targets(
    contest: ContestDef,
    given: Mapping[str, int],
    columns: list[str],
    weights: FloatArray,
    valid: IntArray,
) -> IntArray:
    """The exact column sums: the given ones, and the rest of the valid ballots shared by the
    other lines in proportion to their expected votes."""
    targets = np.array([given.get(c, 0) for c in columns], np.int64)
    open_columns = np.array([c not in given for c in columns], np.bool_)
    rest = int(valid.sum()) - int(targets.sum())
    if rest < 0 or (rest > 0 and not open_columns.any()):
        raise ValueError(f"{contest.id}: the exact totals do not fit the valid ballots ({rest})")
    if open_columns.any():
        sums = weights.sum(axis=1)
        expected = (weights / np.where(sums > 0, sums, 1.0)[:, None] * valid[:, None]).sum(axis=0)
        targets[open_columns] = apportion(rest, expected[open_columns])
    return targets


def _settle_winner(votes: IntArray, candidates: list[str], winner: str | None) -> None:
    """Make ``winner`` (if given) the candidate with the most votes by exchanging its column
    with the leader's, then break an equal first place by one vote, so the result is decided."""
    count = len(candidates)
    totals = votes[:, :count].sum(axis=0)
    if winner is not None:
        wanted = candidates.index(winner)
        leader = int(np.argmax(totals))
        if leader != wanted:
            votes[:, [leader, wanted]] = votes[:, [wanted, leader]]
            totals = votes[:, :count].sum(axis=0)
    first = candidates.index(winner) if winner is not None else int(np.argmax(totals))
    while count > 1:
        others = np.where(np.arange(count) == first, -1, totals)
        second = int(np.argmax(others))
        donors = np.flatnonzero(votes[:, second] > 0)
        if totals[first] > totals[second] or donors.size == 0:
            break
        votes[donors[0], second] -= 1
        votes[donors[0], first] += 1
        totals = votes[:, :count].sum(axis=0)
