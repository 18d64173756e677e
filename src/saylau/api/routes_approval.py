"""Approval up the tree, certification, and the status of results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from saylau.api.access import PUBLIC, rule
from saylau.api.auth import PrincipalDep, StoreDep
from saylau.api.schemas import ResultStatusOut, StatusRow, SummaryOut, Versioned
from saylau.core.roles import Permission
from saylau.services.approval import (
    certify_contest,
    protocol_statuses,
    result_status,
    sign_summary,
    summary_of,
)

router = APIRouter(prefix="/api/elections/{election}/contests/{contest}", tags=["approval"])

Commission = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/protocols/{commission}",
    response_model=list[StatusRow],
    openapi_extra=rule(Permission.READ_STATUS, "commission"),
)
def statuses(
    *, election: str, contest: str, commission: str, principal: PrincipalDep, store: StoreDep
) -> list[dict[str, Any]]:
    """Stage and version of every protocol of the contest under a commission."""
    return protocol_statuses(store, principal, election, contest, commission)


@router.get(
    "/summaries/{commission}",
    response_model=SummaryOut,
    openapi_extra=rule(Permission.READ_STATUS, "commission"),
)
def summary(
    *, election: str, contest: str, commission: str, principal: PrincipalDep, store: StoreDep
) -> dict[str, Any]:
    """A commission's summary protocol of the contest: open, signed or certified."""
    return summary_of(store, principal, election, commission, contest)


@router.post(
    "/summaries/{commission}/sign",
    response_model=SummaryOut,
    openapi_extra=rule(Permission.SIGN, "commission"),
)
def sign(
    *,
    election: str,
    contest: str,
    commission: str,
    body: Versioned,
    principal: PrincipalDep,
    store: StoreDep,
) -> dict[str, Any]:
    """The commission signs its summary protocol (its protocols approved, the commissions
    below signed)."""
    return sign_summary(
        store, principal, election, commission, contest, expected_version=body.version
    )


@router.post("/certify", response_model=SummaryOut, openapi_extra=rule(Permission.CERTIFY, "root"))
def certify(
    *, election: str, contest: str, body: Versioned, principal: PrincipalDep, store: StoreDep
) -> dict[str, Any]:
    """The CEC certifies the contest's results."""
    return certify_contest(store, principal, election, contest, expected_version=body.version)


@router.get("/status", response_model=ResultStatusOut, openapi_extra=rule(PUBLIC))
def status(
    *, election: str, contest: str, store: StoreDep, commission: Commission = None
) -> dict[str, Any]:
    """The status of the contest's result (NIST SP 1500-100): unofficial-partial,
    unofficial-complete or certified."""
    return result_status(store, election, contest, commission)
