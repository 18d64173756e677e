"""Request and response bodies of the API (Pydantic models).

Counts are whole numbers from 0 to :data:`MAX_COUNT` (JSON booleans and strings are not
counts); unknown fields are refused, so a misspelt line is an error, not a silent zero.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from saylau.core.entry import Resolution
from saylau.core.roles import Role

MAX_COUNT = 999_999_999

Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=1000)]
Version = Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(Body):
    login: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class SessionOut(BaseModel):
    user: str
    csrf_token: str
    expires_at: datetime


class TokenRequest(Body):
    label: Annotated[str, StringConstraints(max_length=100)] = ""


class TokenOut(BaseModel):
    token: str
    user: str
    expires_at: datetime


class AssignmentOut(BaseModel):
    election: str
    commission: str
    role: Role


class Me(BaseModel):
    user: str
    name: str
    assignments: list[AssignmentOut]


class NewUser(Body):
    login: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Name
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class UserOut(BaseModel):
    login: str
    name: str
    active: bool


class RoleChange(Body):
    election: Name
    commission: Name
    role: Role


class Changed(BaseModel):
    changed: bool


class Versioned(Body):
    version: Version


class Values(Body):
    lines: dict[str, Count]
    votes: dict[str, Count]


class EntryIn(Versioned):
    lines: dict[str, Count]
    votes: dict[str, Count]
    acknowledged: dict[str, Text] = Field(default_factory=dict)


class ResolveIn(Versioned):
    resolution: Resolution


class CorrectIn(EntryIn):
    reason: Text
    decision: Text


class RecountIn(Versioned):
    reason: Text
    decision: Text


class FindingOut(BaseModel):
    code: str
    key: str
    severity: str
    lines: list[str]
    values: dict[str, int]
    message: str | None = None


class EntryOut(BaseModel):
    """The state of a protocol's double entry; the typed values only for those who may
    read entries."""

    model_config = ConfigDict(extra="allow")

    station: str
    contest: str
    stage: str
    version: int
    content_version: int
    claimant: str | None
    findings: list[FindingOut] | None = None


class StatusRow(BaseModel):
    station: str
    contest: str
    stage: str
    version: int


class SummaryOut(BaseModel):
    commission: str
    contest: str
    stage: str
    version: int
    signed_by: str | None
    certified_by: str | None


class ResultStatusOut(BaseModel):
    contest: str
    commission: str
    status: str
    protocols: int
    counted: int


class FormLine(BaseModel):
    number: int
    key: str
    title: str


class FormOut(BaseModel):
    """The protocol form: lines in the order and wording of the paper form."""

    election: str
    station: str
    contest: str
    language: str
    title: str
    lines: list[FormLine]
    choices: list[FormLine]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    error: ErrorBody
