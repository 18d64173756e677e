"""Verification on several processes gives exactly the report of one process."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from ledger_helpers import KEYS, LINES, VOTES, at, ledger_lines, republish, write_lines

from saylau.ledger import LedgerWriter, verify_bundle
from saylau.ledger.checks import chunks


@pytest.fixture
def bigger(writer: LedgerWriter, publish_to: Callable[..., Path]) -> Path:
    for number in range(60):
        station = ("S1", "S2", "S3")[number % 3]
        writer.enter_protocol(
            station, f"c{number}", LINES, {**VOTES, "auyl": number}, time=at(59), key=KEYS[station]
        )
    return publish_to(writer.events, "big")


def _same(bundle: Path) -> None:
    one = verify_bundle(bundle, workers=1, chunk_bytes=700)
    two = verify_bundle(bundle, workers=2, chunk_bytes=700)
    assert one == two
    assert one == verify_bundle(bundle, workers=1)


def test_identical_reports(bigger: Path) -> None:
    _same(bigger)
    assert verify_bundle(bigger, workers=2, chunk_bytes=700).ok
    lines = ledger_lines(bigger)
    lines[30] = lines[30].replace(b'"amanat":400', b'"amanat":4000')
    lines[40], lines[41] = lines[41], lines[40]
    lines[50] = lines[50][:-2]
    write_lines(bigger, lines)
    _same(bigger)
    republish(bigger, lines)
    report = verify_bundle(bigger, workers=2, chunk_bytes=700)
    assert {"event-hash", "signature", "sequence", "line-form"} <= report.codes
    _same(bigger)


def test_chunks_cover_whole_lines() -> None:
    data = b"".join(b"x" * (n % 7) + b"\n" for n in range(50))
    spans = chunks(data, 20)
    assert spans[0][:2] == (0, 0)
    assert spans[-1][2] == len(data)
    for (_, _, end), (following, begin, _) in itertools.pairwise(spans):
        assert end == begin
        assert data[end - 1 : end] == b"\n"
        assert following == data.count(b"\n", 0, begin)
    assert sum(data.count(b"\n", a, b) for _, a, b in spans) == 50
    assert chunks(b"", 10) == []
    assert chunks(b"no newline", 3) == [(0, 0, 10)]
