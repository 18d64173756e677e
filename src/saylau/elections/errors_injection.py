"""Mistakes added to a generated night, and when each station's protocols arrive.

Each uses its own random stream derived from the seed, so asking for mistakes never changes
the clean protocols, and the same seed gives the same mistakes.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from saylau.core.protocol import Line, Protocol
from saylau.elections.fitting import BoolArray, IntArray

ERRORS_STREAM = 7
ORDER_STREAM = 11


def inject_errors(
    clean: list[Protocol],
    station_ids: list[str],
    *,
    arithmetic: int,
    missing: int,
    corrections: int,
    seed: int,
) -> tuple[list[Protocol], list[tuple[Protocol, Protocol]], list[str]]:
    """(protocols, corrections, missing stations): ``missing`` stations lose all their
    protocols; ``arithmetic`` other protocols get one broken control relation; ``corrections``
    other protocols come first with two vote counts entered in each other's rows (the controls
    still pass) and then as they should be."""
    rng = np.random.default_rng([seed, ERRORS_STREAM])
    if missing > len(station_ids):
        raise ValueError(f"cannot leave out {missing} of {len(station_ids)} stations")
    chosen = np.sort(rng.choice(len(station_ids), size=missing, replace=False))
    gone = {station_ids[i] for i in chosen.tolist()}
    kept = [i for i, p in enumerate(clean) if p.station not in gone]
    if arithmetic + corrections > len(kept):
        raise ValueError(
            f"cannot change {arithmetic + corrections} of the {len(kept)} protocols left"
        )
    shuffled = rng.permutation(len(kept)).tolist()
    broken = {kept[i]: _broken(clean[kept[i]], rng) for i in shuffled[:arithmetic]}
    first_versions: dict[int, Protocol] = {}
    for i in shuffled[arithmetic:]:
        if len(first_versions) == corrections:
            break
        wrong = _swapped(clean[kept[i]], rng)
        if wrong is not None:
            first_versions[kept[i]] = wrong
    if len(first_versions) < corrections:
        raise ValueError(f"found only {len(first_versions)} protocols that can be corrected")
    protocols = [broken.get(i, clean[i]) for i in kept if i not in first_versions]
    pairs = [(first_versions[i], clean[i]) for i in sorted(first_versions)]
    return protocols, pairs, [station_ids[i] for i in chosen.tolist()]


def _shifted(value: int, delta: int, rng: np.random.Generator) -> int:
    if value >= delta and rng.random() < 0.5:
        return value - delta
    return value + delta


def _broken(protocol: Protocol, rng: np.random.Generator) -> Protocol:
    """The protocol with one line off: ballots found (breaks valid + invalid = found), one
    choice's votes (breaks votes = valid ballots) or ballots cancelled (breaks received =
    issued + cancelled)."""
    lines = dict(protocol.lines)
    votes = dict(protocol.votes)
    found = lines.get(Line.FOUND, 0)
    delta = int(rng.integers(1, max(2, found // 50 + 1)))
    kind = int(rng.integers(3))
    if kind == 1 and votes:
        choice = list(votes)[int(rng.integers(len(votes)))]
        votes[choice] = _shifted(votes[choice], delta, rng)
    elif kind == 2 and Line.CANCELLED in lines:
        lines[Line.CANCELLED] = _shifted(lines[Line.CANCELLED], delta, rng)
    else:
        lines[Line.FOUND] = _shifted(found, delta, rng)
    return Protocol(protocol.station, protocol.contest, lines, votes)


def _swapped(protocol: Protocol, rng: np.random.Generator) -> Protocol | None:
    """The protocol with the votes of two neighbouring lines exchanged, or None if no two
    neighbours differ."""
    ids = list(protocol.votes)
    pairs = [(a, b) for a, b in pairwise(ids) if protocol.votes[a] != protocol.votes[b]]
    if not pairs:
        return None
    a, b = pairs[int(rng.integers(len(pairs)))]
    votes = dict(protocol.votes)
    votes[a], votes[b] = votes[b], votes[a]
    return Protocol(protocol.station, protocol.contest, dict(protocol.lines), votes)


def reporting_minutes(
    work: IntArray, close: IntArray, urban: BoolArray, abroad: BoolArray, seed: int
) -> IntArray:
    """When each station's protocols arrive, in minutes after 20:00 in the capital: the
    polls' closing time, then a count that takes longer the more ballots there are, and a
    longer way to the territorial commission in towns. Stations abroad close at 20:00 of
    their own time zone, spread over the world: those east of Kazakhstan report before 20:00
    in the capital (negative minutes)."""
    rng = np.random.default_rng([seed, ORDER_STREAM])
    count = work.shape[0]
    home = close + 20 + work * 0.012 * rng.lognormal(0.0, 0.3, count) + np.where(urban, 40, 0)
    away = rng.integers(-240, 720, count) + 45 + work * 0.02
    minutes = np.where(abroad, away, home)
    result: IntArray = np.rint(minutes).astype(np.int64)
    return result
