"""A small generated election for the forensics pages: 4 territorial commissions of 100
polling stations, one party-list contest, a seeded night of protocols (the neutral profile of
saylau.elections), stored as ``saylau generate`` stores one; with ballots stuffed for the
leader at a few stations, or turnouts rounded to a whole percent, as in tests/forensics."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np

from saylau.core.controls import ControlSettings
from saylau.core.election import Election, parse_election
from saylau.core.protocol import Line, Protocol
from saylau.elections.generate import generate_protocols
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.services.portal import PortalData, portal_data
from saylau.store import Store
from saylau.store.protocols import upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import TEST_TITLE, cec, party_list, polling_station, region, territory
from small_elections import definition as small_definition

ELECTION_ID = "forensics-test"
CONTEST = "mazhilis-list"
TERRITORIES = {"north": ("north-a", "north-b"), "south": ("south-a", "south-b")}
PER_TERRITORY = 100
PARTY_IDS = ("amanat", "aq-jol", "respublica")

Manipulation = Callable[[list[Protocol]], tuple[list[Protocol], set[str]]]


def definition() -> dict[str, Any]:
    commissions: list[dict[str, Any]] = [cec()]
    stations = []
    for name, territories in TERRITORIES.items():
        commissions.append(region(name, name.title()))
        for place in territories:
            commissions.append(territory(place, place, name))
            stations.extend(
                polling_station(f"{place}-{i:03d}", place, 800 + 13 * i, number=str(i))
                for i in range(1, PER_TERRITORY + 1)
            )
    return small_definition(
        ELECTION_ID,
        title=TEST_TITLE,
        commissions=commissions,
        stations=stations,
        party_ids=PARTY_IDS,
        contests=[
            party_list(
                CONTEST,
                PARTY_IDS,
                title={"kk": "Партиялық тізімдер", "ru": "Партийные списки", "en": "Lists"},
            )
        ],
    )


def election() -> Election:
    return parse_election(definition(), "test")


def _leader(protocols: list[Protocol]) -> str:
    totals: dict[str, int] = {}
    for p in protocols:
        for choice, votes in p.votes.items():
            totals[choice] = totals.get(choice, 0) + votes
    return max(totals, key=lambda c: totals[c])


def _add_ballots(protocol: Protocol, extra: int, leader: str) -> Protocol:
    """``extra`` ballots issued, found and counted for the leader (or taken away, when
    negative), every control relation kept."""
    lines = dict(protocol.lines)
    cancelled = lines[Line.CANCELLED] - extra
    if cancelled < 0:
        lines[Line.RECEIVED] -= cancelled
        cancelled = 0
    lines[Line.CANCELLED] = cancelled
    for line in (Line.ISSUED, Line.FOUND, Line.VALID):
        lines[line] += extra
    votes = dict(protocol.votes)
    votes[leader] += extra
    return replace(protocol, lines=lines, votes=votes)


def stuff(count: int, seed: int) -> Manipulation:
    """Ballots for the leader added at ``count`` stations until turnout is 95 to 99 %."""

    def apply(protocols: list[Protocol]) -> tuple[list[Protocol], set[str]]:
        rng = np.random.default_rng(seed)
        leader = _leader(protocols)
        picked = set(rng.choice(len(protocols), count, replace=False).tolist())
        changed = list(protocols)
        for i in sorted(picked):
            p = protocols[i]
            target = int(rng.uniform(0.95, 0.99) * p.lines[Line.VOTERS])
            changed[i] = _add_ballots(p, max(target - (p.issued_total or 0), 0), leader)
        return changed, {protocols[i].station for i in picked}

    return apply


def round_turnouts(count: int, seed: int) -> Manipulation:
    """At ``count`` stations the turnout moved to the nearest whole percent."""

    def apply(protocols: list[Protocol]) -> tuple[list[Protocol], set[str]]:
        rng = np.random.default_rng(seed)
        leader = _leader(protocols)
        picked = set(rng.choice(len(protocols), count, replace=False).tolist())
        changed = list(protocols)
        for i in sorted(picked):
            p = protocols[i]
            voters, issued = p.lines[Line.VOTERS], p.issued_total or 0
            target = round(round(100 * issued / voters) * voters / 100)
            changed[i] = _add_ballots(p, max(target - issued, -p.votes[leader]), leader)
        return changed, {protocols[i].station for i in picked}

    return apply


@contextmanager
def stored_night(
    seed: int, manipulation: Manipulation | None = None
) -> Iterator[tuple[Store, set[str]]]:
    """A store holding the election and its night (manipulated, if asked), with the
    stations manipulated."""
    chosen = election()
    protocols = list(generate_protocols(chosen, seed=seed).protocols)
    touched: set[str] = set()
    if manipulation is not None:
        protocols, touched = manipulation(protocols)
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, chosen, json.dumps(definition()))
            settings = ControlSettings()
            rows = [protocol_row(p, chosen, settings, "test night") for p in protocols]
            upsert_protocols(session, chosen.id, rows)
            record_protocols(session, chosen, rows)
        yield store, touched


def night_data(seed: int, manipulation: Manipulation | None = None) -> tuple[PortalData, set[str]]:
    with stored_night(seed, manipulation) as (store, touched):
        return portal_data(store), touched
