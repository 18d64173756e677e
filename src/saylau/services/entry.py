"""Double entry of protocols through the service: each action in one transaction.

An action names the version of the protocol's entry it was made against. In one
transaction the service checks the person's role at the station, applies the action to the
state machine (:mod:`saylau.core.entry`), writes the new state with a conditional update
(only one writer wins each version; the others get :class:`VersionConflictError` with the
current values), records the action in the ledger and, when the protocol is accepted,
corrected or approved, the protocol's own events and the stored protocol that the tallies
read. A correction or recount reopens the summaries above the station
(:func:`saylau.services.approval.reopen_above`).

With an idempotency key the answer is stored in the same transaction: a retried request with
the same key gets the first answer and changes nothing.

On PostgreSQL the actions of concurrent requests are committed in groups
(:mod:`saylau.services.group_commit`). A process keeps the entry it last committed of each
protocol, so the next action on it (usually the same typist's submission after the claim)
need not read it again; the conditional update still checks the version in the store.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from saylau.core.controls import ControlSettings, check_protocol
from saylau.core.election import Election
from saylau.core.entry import (
    COUNTED,
    Action,
    Claim,
    Correct,
    ProtocolEntry,
    Recount,
    Release,
    Resolve,
    Stage,
    Submit,
    action_name,
    apply,
)
from saylau.core.entry_data import entry_state_data, entry_state_from_data, finding_data
from saylau.core.protocol import Line, Protocol
from saylau.core.roles import Permission, allowed
from saylau.services.accounts import Principal
from saylau.services.approval import reopen_above
from saylau.services.context import election, known_election, read, require_station
from saylau.services.errors import (
    IdempotencyKeyError,
    InvalidRequestError,
    PermissionDeniedError,
    VersionConflictError,
)
from saylau.services.group_commit import Reads, grouped_write, grouped_write_async
from saylau.services.ledger import LedgerAppender
from saylau.store.db import Store
from saylau.store.entries import (
    StoredEntry,
    StoredResponse,
    find_response,
    insert_entry,
    load_entry,
    save_response,
    serialize_writers,
    update_entry,
    write_protocol,
)
from saylau.store.protocols import ProtocolRow

SETTINGS = ControlSettings()
ACCEPTED = "accepted"
RECOUNT = "recount"


@dataclass(frozen=True, slots=True)
class ProtocolRef:
    """Which protocol: a station's count of one contest of an election."""

    election: str
    station: str
    contest: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What the service answers: an HTTP-like status and the body as plain data."""

    status: int
    body: dict[str, Any]


def build_protocol(
    chosen: Election, station: str, contest: str, lines: Mapping[str, int], votes: Mapping[str, int]
) -> Protocol:
    """A protocol from typed values; every line of the form and every choice of the contest
    must be given, as whole numbers of at least 0."""
    known = {line.value: line for line in Line}
    for name in lines:
        if name not in known:
            raise InvalidRequestError(
                f"unknown protocol line {name!r}",
                field=f"lines.{name}",
                expected="one of " + ", ".join(known),
            )
    choices = [choice.id for choice in chosen.contests[contest].choices]
    for name in votes:
        if name not in choices:
            raise InvalidRequestError(
                f"contest {contest} has no choice {name!r}",
                field=f"votes.{name}",
                expected="one of " + ", ".join(choices),
            )
    for path, values, names in (("lines", lines, list(known)), ("votes", votes, choices)):
        for name in names:
            value = values.get(name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidRequestError(
                    f"{path}.{name} is missing or not a whole number",
                    field=f"{path}.{name}",
                    expected="a whole number of at least 0",
                )
    typed = {known[name]: int(value) for name, value in lines.items()}
    return Protocol(station, contest, typed, {c: int(votes[c]) for c in choices})


def check_values(
    store: Store,
    principal: Principal,
    ref: ProtocolRef,
    lines: Mapping[str, int],
    votes: Mapping[str, int],
) -> list[dict[str, Any]]:
    """The findings of the controls for typed values, without storing anything."""
    election_id, station, contest = ref.election, ref.station, ref.contest

    def work(session: Session) -> list[dict[str, Any]]:
        chosen = election(session, election_id)
        require_station(chosen, station, contest)
        _require(principal, chosen, Permission.TYPE_ENTRY, station)
        protocol = build_protocol(chosen, station, contest, lines, votes)
        return [finding_data(f) for f in check_protocol(protocol, SETTINGS)]

    return read(store, work)


def _require(principal: Principal, chosen: Election, permission: Permission, place: str) -> None:
    if not allowed(principal.assignments, chosen, permission, place):
        raise PermissionDeniedError(f"{principal.user} may not {permission} at {place}")


def _current(session: Session, election_id: str, station: str, contest: str) -> ProtocolEntry:
    stored = load_entry(session, election_id, station, contest)
    if stored is None:
        return ProtocolEntry(station, contest)
    return entry_state_from_data(station, contest, stored.state)


def entry_view(state: ProtocolEntry, *, full: bool) -> dict[str, Any]:
    """The state as shown: the typed values only to those who may read entries (a typist
    never sees another typist's values)."""
    view: dict[str, Any] = {
        "station": state.station,
        "contest": state.contest,
        "stage": str(state.stage),
        "version": state.version,
        "content_version": state.content_version,
        "claimant": state.claimant,
    }
    if full:
        view.update(entry_state_data(state))
    return view


def protocol_entry(store: Store, principal: Principal, ref: ProtocolRef) -> dict[str, Any]:
    election_id, station, contest = ref.election, ref.station, ref.contest

    def work(session: Session) -> dict[str, Any]:
        chosen = election(session, election_id)
        require_station(chosen, station, contest)
        _require(principal, chosen, Permission.READ_STATUS, station)
        full = allowed(principal.assignments, chosen, Permission.READ_ENTRY, station)
        return entry_view(_current(session, election_id, station, contest), full=full)

    return read(store, work)


KNOWN_ENTRIES = 100_000
_known_entries: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[str, str, str], ProtocolEntry]]
_known_entries = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def _known_entry(
    store: Store, election_id: str, station: str, contest: str, version: int
) -> ProtocolEntry | None:
    """The entry this process last committed of a protocol, if it is at ``version``.

    Every version of an entry has one state, so the state committed at ``version`` is the
    one stored while the stored version is still ``version``; the conditional update of
    the action checks that it is (another process may have moved on: then the action is a
    version conflict, answered with the values read from the store)."""
    with _known_lock:
        known = _known_entries.get(store.engine)
        found = None if known is None else known.get((election_id, station, contest))
    return found if found is not None and found.version == version else None


def _remember_entry(store: Store, election_id: str, entry: ProtocolEntry) -> None:
    with _known_lock:
        known = _known_entries.get(store.engine)
        if known is None:
            known = _known_entries[store.engine] = OrderedDict()
        key = (election_id, entry.station, entry.contest)
        known[key] = entry
        known.move_to_end(key)
        while len(known) > KNOWN_ENTRIES:
            known.popitem(last=False)


def _permission(action: Action) -> Permission:
    if isinstance(action, Claim | Submit | Release):
        return Permission.TYPE_ENTRY
    if isinstance(action, Resolve):
        return Permission.RESOLVE
    if isinstance(action, Correct | Recount):
        return Permission.CORRECT
    return Permission.APPROVE


def _request_sha256(election_id: str, station: str, contest: str, request: object) -> str:
    text = json.dumps([election_id, station, contest, request], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _row(state: ProtocolEntry, chosen: Election, status: str) -> ProtocolRow:
    accepted = state.accepted
    assert accepted is not None
    contest = chosen.contests[state.contest]
    return ProtocolRow(
        station=state.station,
        contest=state.contest,
        lines=dict(accepted.protocol.lines),
        votes=[accepted.protocol.votes[c.id] for c in contest.choices],
        status=status,
        findings=[finding_data(f) for f in accepted.findings],
        source=f"entry by {accepted.typist} ({state.accepted_by})",
    )


def _record(
    session: Session,
    chosen: Election,
    principal: Principal,
    *,
    before: ProtocolEntry,
    after: ProtocolEntry,
    action: Action,
) -> None:
    """The ledger events and the stored protocol that follow from one action."""
    station, contest = after.station, after.contest
    parent = chosen.stations[station].commission
    appender = LedgerAppender.open(session, chosen)
    details: dict[str, Any] = {"contest": contest, "stage": str(after.stage)}
    details["version"] = after.version
    appender.action(principal.user, f"entry-{action_name(action)}", station, details)
    newly_accepted = after.stage is Stage.ACCEPTED and (
        before.stage is not Stage.ACCEPTED or after.content_version != before.content_version
    )
    if newly_accepted:
        row = _row(after, chosen, ACCEPTED)
        amendment = after.amendment
        appender.protocol(
            row,
            reason=amendment.reason if amendment else None,
            decision=amendment.decision if amendment else None,
        )
        write_protocol(session, chosen.id, row, after.content_version)
    if after.stage is Stage.APPROVED and before.stage is not Stage.APPROVED:
        appender.approve(parent, station, contest)
    if isinstance(action, Recount):
        write_protocol(session, chosen.id, _row(after, chosen, RECOUNT), after.content_version)
    if isinstance(action, Correct | Recount) and before.stage in COUNTED:
        reopen_above(
            session, chosen, appender, user=principal.user, station=station, contest=contest
        )
    appender.flush(defer=True)  # sent with the next statement or the commit


def act(
    store: Store,
    principal: Principal,
    ref: ProtocolRef,
    action: Action,
    *,
    expected_version: int,
    idempotency_key: str | None = None,
    request: object = None,
) -> Answer:
    """Apply ``action`` to the entry of a protocol made against ``expected_version``."""
    work, written = _action(
        store,
        principal,
        ref,
        action,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        request=request,
    )
    answer = grouped_write(store, work, _reads(store, ref, action))
    if written:  # committed: the next action on this protocol need not read it again
        _remember_entry(store, ref.election, written[-1])
    return answer


async def act_async(
    store: Store,
    principal: Principal,
    ref: ProtocolRef,
    action: Action,
    *,
    expected_version: int,
    idempotency_key: str | None = None,
    request: object = None,
) -> Answer:
    """:func:`act` for a coroutine: the event loop serves other requests meanwhile."""
    work, written = _action(
        store,
        principal,
        ref,
        action,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        request=request,
    )
    answer = await grouped_write_async(store, work, _reads(store, ref, action))
    if written:
        _remember_entry(store, ref.election, written[-1])
    return answer


def _reads(store: Store, ref: ProtocolRef, action: Action) -> Reads:
    """What an action may read of the ledger, read with its group's: the protocol's history
    and its commissions' keys, for an action that may record protocol events."""
    chosen = known_election(store, ref.election)
    if isinstance(action, Claim | Release) or chosen is None or ref.station not in chosen.stations:
        return ((), ())
    parent = chosen.stations[ref.station].commission
    return ((ref.station, ref.contest),), (ref.station, parent)


def _action(
    store: Store,
    principal: Principal,
    ref: ProtocolRef,
    action: Action,
    *,
    expected_version: int,
    idempotency_key: str | None,
    request: object,
) -> tuple[Callable[[Session], Answer], list[ProtocolEntry]]:
    """The transaction's work of :func:`act`, and the list it puts the committed entry in."""
    election_id, station, contest = ref.election, ref.station, ref.contest
    request_sha = _request_sha256(election_id, station, contest, request)

    def replay(session: Session) -> Answer | None:
        """The answer given before to this key, if any."""
        if idempotency_key is None:
            return None
        earlier = find_response(session, principal.user, idempotency_key)
        if earlier is None:
            return None
        if earlier.request_sha256 != request_sha:
            raise IdempotencyKeyError(
                f"idempotency key {idempotency_key!r} was used for another request"
            )
        return Answer(earlier.status, dict(earlier.body))

    def conflict(session: Session, message: str, current: ProtocolEntry, full: bool) -> Answer:
        # A retry racing its own first attempt finds the first answer once that commits.
        answer = replay(session)
        if answer is not None:
            return answer
        raise VersionConflictError(message, current=entry_view(current, full=full))

    def work(session: Session) -> Answer:
        written.clear()  # what a rolled-back attempt wrote was not written
        answer = replay(session)
        if answer is not None:
            return answer
        chosen = election(session, election_id)
        require_station(chosen, station, contest)
        _require(principal, chosen, _permission(action), station)
        full = allowed(principal.assignments, chosen, Permission.READ_ENTRY, station)
        known = _known_entry(store, election_id, station, contest, expected_version)
        exists = known is not None
        if known is None and expected_version == 0 and isinstance(action, Claim | Submit):
            # A first claim or submission: the insert below finds out whether there is an
            # entry already.
            known = ProtocolEntry(station, contest)
        elif known is None:
            stored = load_entry(session, election_id, station, contest)
            exists = stored is not None
            known = (
                ProtocolEntry(station, contest)
                if stored is None
                else entry_state_from_data(station, contest, stored.state)
            )
        before = known
        if before.version != expected_version:
            message = f"protocol {station}/{contest} is at version {before.version}"
            return conflict(session, f"{message}, not {expected_version}", before, full)
        checked = action
        if isinstance(action, Release):
            coordinator = allowed(principal.assignments, chosen, Permission.RELEASE_ANY, station)
            checked = Release(action.user, coordinator)
        after = apply(before, checked, SETTINGS)
        row = StoredEntry(
            station, contest, str(after.stage), after.version, entry_state_data(after)
        )
        written_now = (
            insert_entry(session, election_id, row)
            if not exists
            else update_entry(session, election_id, row, expected_version)
        )
        if not written_now:
            now = _current(session, election_id, station, contest)
            message = f"protocol {station}/{contest} was changed by someone else"
            return conflict(session, message, now, full)
        # The row is locked by the update: now queue for the ledger.
        serialize_writers(session)
        _record(session, chosen, principal, before=before, after=after, action=checked)
        body = entry_view(after, full=full)
        if isinstance(action, Submit | Correct):
            entry = after.second or after.first if isinstance(action, Submit) else after.accepted
            if entry is not None and entry.typist == principal.user:
                body["findings"] = [finding_data(f) for f in entry.findings]
        if idempotency_key is not None:
            save_response(
                session, principal.user, idempotency_key, StoredResponse(request_sha, 200, body)
            )
        written.append(after)
        return Answer(200, body)

    written: list[ProtocolEntry] = []
    return work, written


def election_for(
    store: Store, principal: Principal, ref: ProtocolRef, permission: Permission
) -> Election:
    """The election of ``ref`` if ``principal`` holds ``permission`` at its station."""

    def work(session: Session) -> Election:
        chosen = election(session, ref.election)
        require_station(chosen, ref.station, ref.contest)
        _require(principal, chosen, permission, ref.station)
        return chosen

    return read(store, work)


def known_election_for(
    store: Store, principal: Principal, ref: ProtocolRef, permission: Permission
) -> Election | None:
    """:func:`election_for` without the store, if this process has the election parsed
    (``None``: call :func:`election_for`)."""
    chosen = known_election(store, ref.election)
    if chosen is not None:
        require_station(chosen, ref.station, ref.contest)
        _require(principal, chosen, permission, ref.station)
    return chosen
