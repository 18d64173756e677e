"""The controls of an imported file's rows, on two processes for a large file: the second
half of the rows in a forked process while this one controls the first (a row's findings
depend on the row alone, so they are the same either way)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from saylau.core.controls import ControlSettings, Finding, check_protocol
from saylau.core.protocol import Line, Protocol
from saylau.ingest.wide_csv import WideTable

PARALLEL_FROM = 20_000
"""Rows from which the controls run on two processes (the second half in a forked one)."""


@dataclass(frozen=True)
class Controls:
    """What the controls of the rows need, as a forked process inherits it."""

    table: WideTable
    settings: ControlSettings
    contest_id: str
    choice_ids: list[str]
    line_keys: list[Line]
    line_rows: list[tuple[int, ...]]
    votes: list[list[int]]
    bad: list[bool]

    def findings(self, start: int, end: int) -> dict[int, tuple[Finding, ...]]:
        """The findings of the rows from ``start`` to ``end`` that have any (bad rows and
        rows of unknown stations are controlled too: the caller skips them)."""
        found: dict[int, tuple[Finding, ...]] = {}
        stations, contest_id, choice_ids = self.table.station_ids, self.contest_id, self.choice_ids
        for index in range(start, end):
            if self.bad[index]:
                continue
            lines = dict(zip(self.line_keys, self.line_rows[index], strict=True))
            votes = dict(zip(choice_ids, self.votes[index], strict=True))
            result = check_protocol(
                Protocol(stations[index], contest_id, lines, votes), self.settings
            )
            if result:
                found[index] = result
        return found


_INHERITED: list[Controls] = []
"""The controls handed to a forked process (set just before it starts)."""


def _inherited_findings(start: int, end: int) -> dict[int, tuple[Finding, ...]]:
    return _INHERITED[0].findings(start, end)


def findings_of_all(controls: Controls) -> dict[int, tuple[Finding, ...]]:
    """Every row's findings: on large files, the second half in a forked process while this
    one controls the first (the findings are the same either way: they depend on the row
    alone)."""
    count = len(controls.bad)
    methods = multiprocessing.get_all_start_methods()
    alone = threading.active_count() == 1  # a fork copies only this thread: none else runs
    if count < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or "fork" not in methods or not alone:
        return controls.findings(0, count)
    middle = count // 2
    _INHERITED[:] = [controls]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            second = pool.submit(_inherited_findings, middle, count)
            found = controls.findings(0, middle)
            found.update(second.result())
    finally:
        _INHERITED.clear()
    return found
