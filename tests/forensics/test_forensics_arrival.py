"""The reporting-order flag on a night whose protocols arrive at real, distinct times, as the
service writes them (each ``protocol-entered`` event at the time of its entry): 120 stations
report between 20:00 and 22:00, one of them only at 05:00 the next morning. The screening of
the store, the advisory check of one protocol and the portal's screening all flag that one
station, and only it; a night whose events all carry one time (as ``saylau generate`` stores
them) flags none."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from saylau.core.controls import ControlSettings
from saylau.core.election import Election, parse_election
from saylau.core.ledger.events import utc_time
from saylau.elections.generate import generate_protocols
from saylau.forensics import check_protocol, reference
from saylau.forensics.flags import ORDER
from saylau.services.forensics import contest_forensics, load_station_data, portal_forensics
from saylau.services.ledger import record_protocols
from saylau.services.night import protocol_row
from saylau.services.portal import portal_data
from saylau.store import Store
from saylau.store.protocols import upsert_protocols
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store
from small_elections import cec, commission, polling_station
from small_elections import definition as small_definition

CONTEST = "list"
TERRITORIES = ("t1", "t2", "t3")
LATE = "t2-17"
START = datetime(2024, 3, 17, 15, 0, tzinfo=UTC)  # 20:00 in Almaty


def definition() -> dict[str, Any]:
    return small_definition(
        "arrival-2024",
        title="Arrival test",
        commissions=[cec(), *(commission(t, "territory", t, "cec") for t in TERRITORIES)],
        stations=(
            polling_station(f"{t}-{n:02d}", t, 900 + 7 * n) for t in TERRITORIES for n in range(40)
        ),
    )


def arrival(station: str) -> datetime:
    """Every three minutes from 20:00 within each commission; the late one at 05:00."""
    if station == LATE:
        return START + timedelta(hours=9)
    return START + timedelta(minutes=3 * int(station.rsplit("-", 1)[1]))


def stored(distinct_times: bool) -> Iterator[tuple[Store, Election]]:
    election = parse_election(definition(), "test")
    settings = ControlSettings()
    rows = [
        protocol_row(p, election, settings, "entry")
        for p in generate_protocols(election, seed=3).protocols
    ]
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(definition()))
            upsert_protocols(session, election.id, rows)
            if distinct_times:  # one entry after the other, each at its own time
                for row in sorted(rows, key=lambda r: arrival(r.station)):
                    record_protocols(session, election, [row], time=utc_time(arrival(row.station)))
            else:
                record_protocols(session, election, rows, time=utc_time(START))
        yield store, election


@pytest.fixture(scope="module")
def timed() -> Iterator[tuple[Store, Election]]:
    yield from stored(distinct_times=True)


def test_the_store_screening_flags_the_late_station(timed: tuple[Store, Election]) -> None:
    store, election = timed
    data = load_station_data(store, election, election.contests[CONTEST], "cec")
    assert len(set(data.arrival.tolist())) == 41  # 40 times, the late one apart
    assert data.arrival[data.station_ids.index(LATE)] == 9 * 60
    page = contest_forensics(store, replicates=50)
    order = [f for f in page.report.flags if f.kind == ORDER]
    assert [f.station for f in order] == [LATE]
    flag = order[0]
    assert flag.measured == "arrived at minute 540"
    assert "median minute 62" in flag.null  # (60 + 63) / 2, the late one among them
    assert flag.score is not None
    assert flag.score > 5
    assert not flag.significant  # a lead, never a significant finding
    assert flag.numbers["rank"] == 1


def test_the_advisory_check_flags_the_late_protocol(timed: tuple[Store, Election]) -> None:
    store, election = timed
    data = load_station_data(store, election, election.contests[CONTEST], "cec")
    ref = reference(data)

    def kinds(station: str) -> set[str]:
        i = data.station_ids.index(station)
        flags = check_protocol(
            station,
            data.group_ids[data.group[i]],
            ref,
            voters=int(data.voters[i]),
            ballots=int(data.ballots[i]),
            found=int(data.found[i]),
            leader_votes=int(data.votes[i, data.leader]),
            arrival=float(data.arrival[i]),
        )
        return {f.kind for f in flags}

    assert ORDER in kinds(LATE)
    assert all(ORDER not in kinds(s) for s in data.station_ids if s != LATE)


def test_the_portal_screening_uses_the_time_each_protocol_was_stored(
    timed: tuple[Store, Election],
) -> None:
    store, _ = timed
    data = portal_data(store)
    # The service stores a protocol and its protocol-entered event in one transaction, so
    # a protocol's time in its first version is the time of that event.
    protocols = {
        station: tuple(dataclasses.replace(p, updated=arrival(station)) for p in found)
        for station, found in data.protocols.items()
    }
    page = portal_forensics(dataclasses.replace(data, protocols=protocols), CONTEST, replicates=50)
    assert [f.station for f in page.report.flags if f.kind == ORDER] == [LATE]
    # The same from the ledger's times, given explicitly.
    arrivals = {station: arrival(station) for station in data.protocols}
    again = portal_forensics(data, CONTEST, arrivals=arrivals, replicates=50)
    assert [f.station for f in again.report.flags if f.kind == ORDER] == [LATE]


def test_one_time_for_every_event_flags_no_arrival() -> None:
    for store, election in stored(distinct_times=False):
        data = load_station_data(store, election, election.contests[CONTEST], "cec")
        assert np.all(data.arrival == 0.0)
        page = contest_forensics(store, replicates=50)
        assert not [f for f in page.report.flags if f.kind == ORDER]
