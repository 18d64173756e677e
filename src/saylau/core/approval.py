"""Approval up the commission tree and the status of a result, pure.

A commission approves the accepted protocols of its own stations, then signs its summary
protocol of a contest once every station directly under it is approved and every child
commission that has stations in the contest has signed. The CEC certifies a contest once the
summary of the contest's commission is signed.

The status of a result follows NIST SP 1500-100 (the Election Results Reporting common data
format): ``unofficial-partial`` while some protocols are not counted, ``unofficial-complete``
when all are, ``certified`` after certification. A correction or recount after acceptance
reopens every summary above the station and the certification (:func:`reopen`).

=========  ==========================================================  ======================
stage      next                                                        who
=========  ==========================================================  ======================
open       sign (all its stations approved, its children signed)       the commission
signed     certify (only the contest's commission; by the CEC)         the CEC
any        reopen (a protocol below was corrected or sent to recount)  follows the correction
=========  ==========================================================  ======================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from saylau.core.entry import COUNTED, EntryError, Stage


class ResultStatus(StrEnum):
    UNOFFICIAL_PARTIAL = "unofficial-partial"
    UNOFFICIAL_COMPLETE = "unofficial-complete"
    CERTIFIED = "certified"


class SummaryStage(StrEnum):
    OPEN = "open"
    SIGNED = "signed"
    CERTIFIED = "certified"


class ApprovalError(EntryError):
    """A summary cannot be signed or certified yet; ``details`` lists what is missing."""

    code = "not-ready"


@dataclass(frozen=True, slots=True)
class Summary:
    """A commission's summary protocol of one contest."""

    commission: str
    contest: str
    stage: SummaryStage = SummaryStage.OPEN
    version: int = 0
    signed_by: str | None = None
    certified_by: str | None = None


def result_status(stages: Iterable[Stage], *, certified: bool) -> ResultStatus:
    """The status of a result over the protocols in ``stages``: certified only if
    ``certified`` and every protocol is counted."""
    complete = all(stage in COUNTED for stage in stages)
    if not complete:
        return ResultStatus.UNOFFICIAL_PARTIAL
    return ResultStatus.CERTIFIED if certified else ResultStatus.UNOFFICIAL_COMPLETE


def _missing(
    stations: Mapping[str, Stage], children: Mapping[str, SummaryStage]
) -> dict[str, list[str]]:
    waiting = sorted(s for s, stage in stations.items() if stage is not Stage.APPROVED)
    unsigned = sorted(c for c, stage in children.items() if stage is SummaryStage.OPEN)
    return {"stations": waiting, "commissions": unsigned}


def sign(
    summary: Summary,
    user: str,
    *,
    stations: Mapping[str, Stage],
    children: Mapping[str, SummaryStage],
) -> Summary:
    """Sign ``summary``: ``stations`` are the stages of the protocols of the contest at the
    stations directly under the commission, ``children`` the summaries of its child
    commissions that have stations in the contest."""
    if summary.stage is not SummaryStage.OPEN:
        raise ApprovalError(
            f"the summary of {summary.commission} for {summary.contest} is already {summary.stage}",
            details={"stage": str(summary.stage)},
        )
    missing = _missing(stations, children)
    if missing["stations"] or missing["commissions"]:
        raise ApprovalError(
            f"{summary.commission} cannot sign its summary of {summary.contest} yet: "
            f"{len(missing['stations'])} protocols not approved, "
            f"{len(missing['commissions'])} commissions below not signed",
            details=missing,
        )
    return replace(summary, stage=SummaryStage.SIGNED, version=summary.version + 1, signed_by=user)


def certify(summary: Summary, user: str) -> Summary:
    """Certify the signed summary of the contest's own commission."""
    if summary.stage is not SummaryStage.SIGNED:
        raise ApprovalError(
            f"the summary of {summary.commission} for {summary.contest} is {summary.stage}; "
            "it must be signed before the result is certified",
            details={"stage": str(summary.stage)},
        )
    return replace(
        summary, stage=SummaryStage.CERTIFIED, version=summary.version + 1, certified_by=user
    )


def reopen(summary: Summary) -> Summary:
    """The summary after a correction or recount below it (unchanged if already open)."""
    if summary.stage is SummaryStage.OPEN:
        return summary
    return replace(
        summary,
        stage=SummaryStage.OPEN,
        version=summary.version + 1,
        signed_by=None,
        certified_by=None,
    )
