"""What a generated election night should look like: turnout, leanings, exact totals, winners.

:func:`saylau.elections.generate.generate_protocols` takes a :class:`NightProfile`; the kz-2023
one (:func:`saylau.elections.kz2023_night.night_profile`) holds the official figures, any
other election gets :func:`neutral_profile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from saylau.core.election import Election

AGAINST_ALL = "against_all"


@dataclass(frozen=True)
class ExactTotals:
    """Totals one contest must reach exactly: votes per choice id (and ``against_all``).

    If every line of the ballot is given, the valid ballots are their sum and the invalid
    ballots make up the rest of the ballots found. If some lines are missing, the valid
    ballots are as generated and the missing lines share what the given ones leave."""

    columns: Mapping[str, int]


@dataclass(frozen=True)
class NightProfile:
    """The shape of a generated night.

    ``group`` puts each station in a group (a region, or abroad) that has its own turnout,
    closing time and leaning; ``lean`` multiplies the national ``shares`` of each list line
    (party id or ``against_all``) per group, ``urban_lean`` and ``rural_lean`` per kind of
    station. ``issued_total`` fixes the national ballots issued; ``issued_fixed`` fixes them
    per group (no ballot goes missing there). ``exact`` fixes contest totals; ``winners``
    names the choice that must win a candidate contest. ``close_minutes`` is when the polls
    of a group close, in minutes after 20:00 in the capital."""

    group: Mapping[str, str]
    urban: frozenset[str]
    turnout: Mapping[str, float]
    shares: Mapping[str, float]
    issued_total: int | None = None
    issued_fixed: Mapping[str, int] = field(default_factory=dict)
    lean: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    urban_lean: Mapping[str, float] = field(default_factory=dict)
    rural_lean: Mapping[str, float] = field(default_factory=dict)
    exact: Mapping[str, ExactTotals] = field(default_factory=dict)
    winners: Mapping[str, str] = field(default_factory=dict)
    close_minutes: Mapping[str, int] = field(default_factory=dict)


def station_groups(election: Election) -> dict[str, str]:
    """Each station's group: ``abroad`` for stations abroad, otherwise the commission right
    under the root (the region)."""
    first: dict[str, str] = {}
    groups: dict[str, str] = {}
    for station in election.stations.values():
        if station.abroad:
            groups[station.id] = "abroad"
            continue
        commission = station.commission
        if commission not in first:
            chain = election.path(commission)
            first[commission] = chain[1] if len(chain) > 1 else chain[0]
        groups[station.id] = first[commission]
    return groups


def neutral_profile(election: Election) -> NightProfile:
    """Turnout 55 % everywhere, parties alike, 3 % 'against all', nothing exact."""
    parties = list(election.parties)
    shares = {pid: 0.97 / len(parties) for pid in parties} if parties else {}
    shares[AGAINST_ALL] = 0.03
    groups = station_groups(election)
    return NightProfile(
        group=groups,
        urban=frozenset(),
        turnout=dict.fromkeys(set(groups.values()), 0.55),
        shares=shares,
    )
