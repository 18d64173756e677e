"""The service's status of a result (``GET .../contests/{c}/status``) follows the stored
protocols and the ledger, also when the protocols arrived as files (``saylau generate``,
``saylau import``, the demo's waves) and the contest was certified by ``saylau certify``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from portal_election import DEFINITION, store_protocol

from saylau.core.election import Election, parse_election
from saylau.services.approval import result_status
from saylau.services.certify import certify
from saylau.services.portal import NATIONAL_LIST
from saylau.store import Store
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store


@pytest.fixture
def stored() -> Iterator[tuple[Store, Election]]:
    election = parse_election(DEFINITION, "test")
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, election, json.dumps(DEFINITION))
        yield store, election


def _status(store: Store, election: Election) -> tuple[str, int, int]:
    found = result_status(store, election.id, NATIONAL_LIST)
    return found["status"], found["counted"], found["protocols"]


def test_protocols_arrived_as_files_and_certified_on_the_count(
    stored: tuple[Store, Election],
) -> None:
    store, election = stored
    assert _status(store, election) == ("unofficial-partial", 0, 2)
    store_protocol(store, election, "s1")
    assert _status(store, election) == ("unofficial-partial", 1, 2)
    store_protocol(store, election, "s2")
    assert _status(store, election) == ("unofficial-complete", 2, 2)
    assert [c.new for c in certify(store, election, [NATIONAL_LIST])] == [True]
    assert _status(store, election) == ("certified", 2, 2)


def test_a_correction_after_certification_reopens_it_until_certified_again(
    stored: tuple[Store, Election],
) -> None:
    store, election = stored
    store_protocol(store, election, "s1")
    store_protocol(store, election, "s2")
    certify(store, election, [NATIONAL_LIST])
    store_protocol(store, election, "s1", (310, 190), corrected=True)
    assert _status(store, election) == ("unofficial-complete", 2, 2)
    certify(store, election, [NATIONAL_LIST])
    assert _status(store, election) == ("certified", 2, 2)
    # Corrected back and forth to the certified numbers: the certification stands (what
    # ``saylau certify`` would record again is recorded already).
    store_protocol(store, election, "s1", (300, 200), corrected=True)
    store_protocol(store, election, "s1", (310, 190), corrected=True)
    assert _status(store, election) == ("certified", 2, 2)
    assert [c.new for c in certify(store, election, [NATIONAL_LIST])] == [False]
