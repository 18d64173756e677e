"""Advisory flags on a commission's incoming protocols (read-only).

For the people who approve protocols: each counted protocol under the commission with the
leads of :func:`saylau.services.flags.incoming_flags`. A flag never blocks or changes the
acceptance or approval of a protocol; nothing here writes anything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from saylau.api.access import rule
from saylau.api.auth import PrincipalDep, StoreDep
from saylau.core.roles import Permission
from saylau.services.flags import incoming_flags

router = APIRouter(prefix="/api/elections/{election}/contests/{contest}", tags=["flags"])


class FlagOut(BaseModel):
    kind: str
    measured: str
    null: str
    surprise: str
    score: float | None
    p_value: float | None
    significant: bool


class FlaggedProtocolOut(BaseModel):
    station: str
    commission: str
    stage: str
    version: int
    counted: bool
    flags: list[FlagOut]


class FlagsOut(BaseModel):
    election: str
    contest: str
    commission: str
    advisory: str
    compared_with: int
    protocols: list[FlaggedProtocolOut]


FlaggedOnly = Annotated[bool, Query(description="Only the protocols with a flag.")]


@router.get(
    "/flags/{commission}",
    response_model=FlagsOut,
    openapi_extra=rule(Permission.READ_STATUS, "commission"),
)
def flags(
    *,
    election: str,
    contest: str,
    commission: str,
    principal: PrincipalDep,
    store: StoreDep,
    flagged: FlaggedOnly = False,
) -> dict[str, Any]:
    """The contest's protocols that have arrived under a commission, each with its stage
    and, once counted, its advisory flags (leads for review, never proof; they never block
    or change acceptance). ``compared_with``: the counted protocols of the contest that each
    one is compared with."""
    return incoming_flags(store, principal, election, contest, commission, flagged_only=flagged)
