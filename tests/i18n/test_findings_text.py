"""Every control finding reads as a sentence in kk, ru and en with its numbers and lines."""

from __future__ import annotations

import pytest

from saylau.core.controls import CODES, check_protocol
from saylau.core.protocol import Line, Protocol
from saylau.i18n.findings import MESSAGES, describe_finding

BAD = Protocol(
    station="s1",
    contest="c",
    lines={
        Line.VOTERS: 500,
        Line.RECEIVED: 600,
        Line.ISSUED: 590,
        Line.ISSUED_OUTSIDE: 20,
        Line.CANCELLED: 10,
        Line.FOUND: 612,
        Line.INVALID: 40,
        Line.VALID: 560,
        Line.AGAINST_ALL: 10,
    },
    votes={"a": 300, "b": 240},
)


def test_every_code_has_all_three_languages() -> None:
    assert set(MESSAGES) == set(CODES)
    for texts in MESSAGES.values():
        assert set(texts) == {"kk", "ru", "en"}


def test_the_example_protocol_names_its_numbers() -> None:
    findings = {f.key: f for f in check_protocol(BAD)}
    assert set(findings) == {
        "received-balance",
        "found-over-issued",
        "valid-invalid-found",
        "votes-valid",
        "issued-over-list",
        "invalid-share",
    }
    assert describe_finding(findings["found-over-issued"]) == (
        "E02: Ballots found in the boxes (612) exceed ballots issued (610): recount the boxes "
        "or correct line 6."
    )
    assert describe_finding(findings["received-balance"], "ru").startswith(
        "E01: Число полученных бюллетеней (600) должно равняться сумме выданных (610) и "
        "погашенных (10) = 620"
    )
    assert "(612)" in describe_finding(findings["found-over-issued"], "kk")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_no_placeholder_is_left(language: str) -> None:
    for finding in check_protocol(BAD):
        text = describe_finding(finding, language)
        assert "{" not in text
        assert text.startswith(finding.code)
