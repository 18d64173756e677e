"""The small elections of the tests, built from a few parts: the definition document
(commissions, stations, parties, contests) and the lines of a consistent count protocol.

Every test folder imports this module (``from small_elections import ...``): the
``conftest.py`` next to it puts this folder on the import path. Each builder returns a new
document, so a test may change what it gets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from saylau.core.protocol import Line

FORMAT = "saylau-election/1"
DATE = "2024-03-17"
RULESET = "kz-2023"
TEST_TITLE = {"kk": "Сынақ сайлауы", "ru": "Тестовые выборы", "en": "Test election"}
PARTY_LISTS = "Party lists"
PARTY_LISTS_TITLE = {"kk": "Партиялық тізімдер", "ru": "Партийные списки", "en": PARTY_LISTS}

PARTIES = {
    "amanat": ("Amanat", "#1f77b4"),
    "aq-jol": ("Aq Jol", "#ff7f0e"),
    "auyl": ("Auyl", "#2ca02c"),
    "respublica": ("Respublica", "#2ca02c"),
}
"""Party id -> name and colour."""

TWO_PARTIES = ("amanat", "aq-jol")


def commission(
    commission_id: str, level: str, name: object, parent: str | None = None
) -> dict[str, Any]:
    """A commission of ``level`` (cec, region, territory, district) under ``parent``."""
    found: dict[str, Any] = {"id": commission_id, "level": level}
    if parent is not None:
        found["parent"] = parent
    found["name"] = name
    return found


def cec(name: object = "CEC", commission_id: str = "cec") -> dict[str, Any]:
    return commission(commission_id, "cec", name)


def region(commission_id: str, name: object, parent: str = "cec") -> dict[str, Any]:
    return commission(commission_id, "region", name, parent)


def territory(commission_id: str, name: object, parent: str) -> dict[str, Any]:
    return commission(commission_id, "territory", name, parent)


def polling_station(
    station_id: str, commission_id: str, voters: int = 1000, **more: Any
) -> dict[str, Any]:
    """A polling station under ``commission_id`` (``more``: ``number``, ``abroad``...)."""
    return {"id": station_id, "commission": commission_id, "voters": voters, **more}


def parties(ids: Iterable[str] = TWO_PARTIES) -> list[dict[str, Any]]:
    return [{"id": p, "name": PARTIES[p][0], "color": PARTIES[p][1]} for p in ids]


def party_list(
    contest_id: str = "list",
    choices: Iterable[str] = TWO_PARTIES,
    *,
    title: object = PARTY_LISTS,
    seats: int = 10,
    commission_id: str = "cec",
) -> dict[str, Any]:
    """A party-list contest (``mazhilis-list``) of the whole election, one choice per party."""
    return {
        "id": contest_id,
        "rule": "mazhilis-list",
        "title": title,
        "commission": commission_id,
        "seats": seats,
        "area": [commission_id],
        "choices": [{"id": party, "party": party} for party in choices],
    }


def district(
    contest_id: str,
    commission_id: str,
    candidates: Sequence[tuple[str, str] | tuple[str, str, str]],
    *,
    title: object,
    rule: str = "mazhilis-district",
) -> dict[str, Any]:
    """A single-seat district of the stations under ``commission_id``; ``candidates``: id,
    name and, for a party's candidate, the party."""
    return {
        "id": contest_id,
        "rule": rule,
        "title": title,
        "commission": commission_id,
        "seats": 1,
        "area": [commission_id],
        "choices": [
            {"id": c[0], "name": c[1], **({"party": c[2]} if len(c) > 2 else {})}
            for c in candidates
        ],
    }


def north_district(*more: tuple[str, str]) -> dict[str, Any]:
    """The district ``north-1`` of the region ``north``: Candidate One (Amanat), Candidate
    Two, then ``more``."""
    candidates = [("c1", "Candidate One", "amanat"), ("c2", "Candidate Two"), *more]
    return district("north-1", "north", candidates, title="North district 1")


def definition(
    election_id: str,
    *,
    commissions: Sequence[dict[str, Any]],
    stations: Iterable[dict[str, Any]],
    contests: Sequence[dict[str, Any]] | None = None,
    party_ids: Iterable[str] = TWO_PARTIES,
    title: object = "Test election",
    date: str = DATE,
) -> dict[str, Any]:
    """An election definition document (``saylau-election/1``, ruleset kz-2023); the
    contests are one party list of ``party_ids`` unless given."""
    chosen = tuple(party_ids)
    return {
        "format": FORMAT,
        "id": election_id,
        "date": date,
        "title": title,
        "ruleset": RULESET,
        "commissions": list(commissions),
        "stations": list(stations),
        "parties": parties(chosen),
        "contests": list(contests) if contests is not None else [party_list(choices=chosen)],
    }


def protocol_lines(
    *,
    valid: int,
    issued: int,
    voters: int = 1000,
    against_all: int | None = None,
    issued_outside: int | None = None,
) -> dict[str, int]:
    """The lines of a consistent count protocol by their keys: every ballot received is
    issued or cancelled, every ballot issued is found, valid or invalid. Against all and the
    ballots issued outside the station are left out when not given."""
    lines = {"voters": voters, "ballots_received": voters, "ballots_issued": issued}
    if issued_outside is not None:
        lines["ballots_issued_outside"] = issued_outside
    lines |= {
        "ballots_cancelled": voters - issued,
        "ballots_found": issued,
        "ballots_invalid": issued - valid,
        "ballots_valid": valid,
    }
    if against_all is not None:
        lines["against_all"] = against_all
    return lines


def protocol_line_values(**lines: Any) -> dict[Line, int]:
    """:func:`protocol_lines` keyed by :class:`~saylau.core.protocol.Line`, as the store
    and the core take them."""
    return {Line(key): value for key, value in protocol_lines(**lines).items()}
