"""Approval up the tree and the status of a result (NIST SP 1500-100)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.core.approval import (
    ApprovalError,
    ResultStatus,
    Summary,
    SummaryStage,
    certify,
    reopen,
    result_status,
    sign,
)
from saylau.core.entry import COUNTED, Stage


@given(st.lists(st.sampled_from(tuple(Stage))), st.booleans())
def test_status_is_complete_only_when_every_protocol_counts(
    stages: list[Stage], certified: bool
) -> None:
    status = result_status(stages, certified=certified)
    if any(stage not in COUNTED for stage in stages):
        assert status is ResultStatus.UNOFFICIAL_PARTIAL
    elif certified:
        assert status is ResultStatus.CERTIFIED
    else:
        assert status is ResultStatus.UNOFFICIAL_COMPLETE


def test_sign_needs_every_station_approved_and_every_child_signed() -> None:
    summary = Summary("north", "list")
    with pytest.raises(ApprovalError) as raised:
        sign(
            summary,
            "coordinator",
            stations={"001": Stage.APPROVED, "002": Stage.ACCEPTED},
            children={"north-a": SummaryStage.OPEN},
        )
    assert raised.value.details == {"stations": ["002"], "commissions": ["north-a"]}
    signed = sign(
        summary,
        "coordinator",
        stations={"001": Stage.APPROVED},
        children={"north-a": SummaryStage.SIGNED},
    )
    assert signed.stage is SummaryStage.SIGNED
    assert signed.version == 1
    with pytest.raises(ApprovalError):
        sign(signed, "coordinator", stations={}, children={})


def test_certify_after_signing_and_reopen() -> None:
    summary = Summary("cec", "list")
    with pytest.raises(ApprovalError):
        certify(summary, "admin")
    certified = certify(sign(summary, "admin", stations={}, children={}), "admin")
    assert certified.stage is SummaryStage.CERTIFIED
    reopened = reopen(certified)
    assert reopened.stage is SummaryStage.OPEN
    assert reopened.signed_by is None
    assert reopen(reopened) == reopened
