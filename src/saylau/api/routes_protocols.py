"""Double entry of a protocol: the form, checks, and the actions of the state machine.

Every action names the ``version`` it was made against (409 with the current values if it
is not the current one) and may carry an ``Idempotency-Key`` header: a retried request with
the same key is answered as the first was and changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from saylau.api.access import rule
from saylau.api.auth import PrincipalDep, StoreDep
from saylau.api.form import protocol_form, with_messages
from saylau.api.schemas import (
    CorrectIn,
    EntryIn,
    EntryOut,
    FindingOut,
    FormOut,
    RecountIn,
    ResolveIn,
    Values,
    Versioned,
)
from saylau.core.entry import Action, Approve, Claim, Correct, Recount, Release, Resolve, Submit
from saylau.core.protocol import Protocol
from saylau.core.roles import Permission
from saylau.services.accounts import Principal
from saylau.services.entry import (
    ProtocolRef,
    act_async,
    build_protocol,
    check_values,
    election_for,
    known_election_for,
    protocol_entry,
)
from saylau.store.db import Store

router = APIRouter(prefix="/api/elections/{election}/protocols/{station}/{contest}", tags=["entry"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Retries are answered once."),
]
Language = Annotated[str, Query(pattern="^(kk|ru|en)$")]


async def _answer(
    store: Store,
    principal: Principal,
    ref: ProtocolRef,
    action: Action,
    *,
    body: Versioned,
    key: str | None,
) -> dict[str, Any]:
    """Run the action in the process's group commit; the event loop serves other requests
    while it waits (the actions' routes are coroutines: no thread per request)."""
    request = {"action": type(action).__name__, **body.model_dump(mode="json")}
    answer = await act_async(
        store,
        principal,
        ref,
        action,
        expected_version=body.version,
        idempotency_key=key,
        request=request,
    )
    result = dict(answer.body)
    if result.get("findings") is not None:
        result["findings"] = with_messages(result["findings"], "en")
    return result


async def _protocol(
    store: Store, principal: Principal, ref: ProtocolRef, body: EntryIn, permission: Permission
) -> Protocol:
    chosen = known_election_for(store, principal, ref, permission)
    if chosen is None:  # read once per process, in a thread
        chosen = await asyncio.to_thread(election_for, store, principal, ref, permission)
    return build_protocol(chosen, ref.station, ref.contest, body.lines, body.votes)


BODIES: dict[str, type[Versioned]] = {
    "claim": Versioned,
    "release": Versioned,
    "approve": Versioned,
    "entries": EntryIn,
    "resolve": ResolveIn,
    "correct": CorrectIn,
    "recount": RecountIn,
}
"""The actions (the last part of their path) and the model of their bodies."""

_BY_USER: dict[str, Callable[[str], Action]] = {
    "claim": Claim,
    "release": Release,
    "approve": Approve,
}


async def run(
    store: Store,
    principal: Principal,
    ref: ProtocolRef,
    name: str,
    body: Versioned,
    *,
    key: str | None,
) -> dict[str, Any]:
    """The action ``name`` (a key of :data:`BODIES`) with its parsed ``body``: what the
    route answers (also for :mod:`saylau.api.fast_actions`)."""
    user = principal.user
    action: Action
    if isinstance(body, CorrectIn) and name == "correct":
        protocol = await _protocol(store, principal, ref, body, Permission.CORRECT)
        action = Correct(user, protocol, body.reason, body.decision, body.acknowledged)
    elif isinstance(body, EntryIn) and name == "entries":
        protocol = await _protocol(store, principal, ref, body, Permission.TYPE_ENTRY)
        action = Submit(user, protocol, body.acknowledged)
    elif isinstance(body, ResolveIn) and name == "resolve":
        action = Resolve(user, body.resolution)
    elif isinstance(body, RecountIn) and name == "recount":
        action = Recount(user, body.reason, body.decision)
    else:
        action = _BY_USER[name](user)
    return await _answer(store, principal, ref, action, body=body, key=key)


@router.get("", response_model=EntryOut, openapi_extra=rule(Permission.READ_STATUS, "station"))
def get_entry(
    *, election: str, station: str, contest: str, principal: PrincipalDep, store: StoreDep
) -> dict[str, Any]:
    """The protocol's stage and version (and the typed values for coordinators)."""
    return protocol_entry(store, principal, ProtocolRef(election, station, contest))


@router.get("/form", response_model=FormOut, openapi_extra=rule(Permission.TYPE_ENTRY, "station"))
def get_form(
    *,
    election: str,
    station: str,
    contest: str,
    principal: PrincipalDep,
    store: StoreDep,
    language: Language = "en",
) -> dict[str, Any]:
    """The protocol form, as on paper, in kk, ru or en."""
    ref = ProtocolRef(election, station, contest)
    chosen = election_for(store, principal, ref, Permission.TYPE_ENTRY)
    return protocol_form(chosen, station, contest, language)


@router.post(
    "/check",
    response_model=list[FindingOut],
    openapi_extra=rule(Permission.TYPE_ENTRY, "station"),
)
def check(
    *,
    election: str,
    station: str,
    contest: str,
    body: Values,
    principal: PrincipalDep,
    store: StoreDep,
    language: Language = "en",
) -> list[dict[str, Any]]:
    """The findings of the controls for typed values; nothing is stored."""
    ref = ProtocolRef(election, station, contest)
    findings = check_values(store, principal, ref, body.lines, body.votes)
    return with_messages(findings, language)


def _versioned_action(name: str, permission: Permission, description: str) -> None:
    """A route ``POST /{name}`` whose body is only the version."""

    async def endpoint(
        *,
        election: str,
        station: str,
        contest: str,
        body: Versioned,
        principal: PrincipalDep,
        store: StoreDep,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        ref = ProtocolRef(election, station, contest)
        return await run(store, principal, ref, name, body, key=idempotency_key)

    router.add_api_route(
        f"/{name}",
        endpoint,
        methods=["POST"],
        name=name,
        description=description,
        response_model=EntryOut,
        openapi_extra=rule(permission, "station"),
    )


_versioned_action(
    "claim", Permission.TYPE_ENTRY, "Claim the next entry (first or second) of the protocol."
)
_versioned_action(
    "release",
    Permission.TYPE_ENTRY,
    "Give up a claim (a coordinator or chair may release anyone's).",
)


@router.post(
    "/entries", response_model=EntryOut, openapi_extra=rule(Permission.TYPE_ENTRY, "station")
)
async def submit(
    *,
    election: str,
    station: str,
    contest: str,
    body: EntryIn,
    principal: PrincipalDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Submit the claimed entry; the second is compared with the first."""
    ref = ProtocolRef(election, station, contest)
    return await run(store, principal, ref, "entries", body, key=idempotency_key)


@router.post("/resolve", response_model=EntryOut, openapi_extra=rule(Permission.RESOLVE, "station"))
async def resolve(
    *,
    election: str,
    station: str,
    contest: str,
    body: ResolveIn,
    principal: PrincipalDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Resolve differing entries: keep the first, keep the second, or send back."""
    ref = ProtocolRef(election, station, contest)
    return await run(store, principal, ref, "resolve", body, key=idempotency_key)


@router.post("/correct", response_model=EntryOut, openapi_extra=rule(Permission.CORRECT, "station"))
async def correct(
    *,
    election: str,
    station: str,
    contest: str,
    body: CorrectIn,
    principal: PrincipalDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Correct an accepted protocol: a reason and the decision's reference are required."""
    ref = ProtocolRef(election, station, contest)
    return await run(store, principal, ref, "correct", body, key=idempotency_key)


@router.post("/recount", response_model=EntryOut, openapi_extra=rule(Permission.CORRECT, "station"))
async def recount(
    *,
    election: str,
    station: str,
    contest: str,
    body: RecountIn,
    principal: PrincipalDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Send an accepted protocol back to double entry after a recount decision."""
    ref = ProtocolRef(election, station, contest)
    return await run(store, principal, ref, "recount", body, key=idempotency_key)


_versioned_action(
    "approve",
    Permission.APPROVE,
    "The commission above the station approves the accepted protocol.",
)
