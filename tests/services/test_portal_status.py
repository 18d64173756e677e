"""The status banner of the whole count: certified only when every contest is."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from saylau.services.portal import CERTIFIED, count_status
from saylau.services.results import COMPLETE, PARTIAL


def results(*statuses: str) -> dict[str, Any]:
    return {f"c{i}": SimpleNamespace(status=status) for i, status in enumerate(statuses)}


def test_certified_only_when_every_contest_is() -> None:
    counted = results(COMPLETE, COMPLETE)
    assert count_status(counted, {"c0", "c1"}) == CERTIFIED
    assert count_status(counted, {"c0"}) == COMPLETE
    assert count_status(counted, set()) == COMPLETE


def test_partial_while_a_contest_is_being_counted() -> None:
    assert count_status(results(COMPLETE, PARTIAL), {"c0"}) == PARTIAL
