"""The people of the demo's night (:class:`People`): two typists, a coordinator of the
territorial commissions typed twice and a CEC administrator, created and given their roles
through :mod:`saylau.services.accounts`, as ``saylau user add`` and ``saylau user grant``
do, then signed in; and the check that a store holds no earlier night
(:func:`require_new_store`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from saylau.core.election import Election
from saylau.core.roles import Assignment, Role
from saylau.services import accounts
from saylau.services.accounts import Principal
from saylau.services.demo_plan import ADMIN, COORDINATOR, TYPISTS
from saylau.store.accounts import find_user
from saylau.store.db import Store
from saylau.store.errors import ConflictError
from saylau.store.models import ProtocolRecord


@dataclass(frozen=True)
class People:
    """The night's signed-in principals."""

    typists: dict[str, Principal]
    coordinator: Principal
    admin: Principal


def require_new_store(store: Store, election: Election) -> None:
    """:class:`ConflictError` if ``store`` holds protocols of ``election`` or the night's
    people already (a night is played once per store)."""
    query = select(ProtocolRecord.station_id).where(ProtocolRecord.election_id == election.id)
    with store.session() as session:
        protocols = session.scalar(query.limit(1)) is not None
        people = [u for u in (*TYPISTS, COORDINATOR, ADMIN) if find_user(session, u)]
    if protocols or people:
        held = "protocols" if protocols else "the user " + people[0]
        raise ConflictError(
            f"the store holds {held} of an earlier night of {election.id}: "
            "the demo needs a new database (without --database it makes a temporary one)"
        )


def create_people(
    store: Store, election: Election, entered: Collection[str], password: str
) -> People:
    """Create the night's people with ``password`` and grant their roles (typists and a
    coordinator in each territorial commission of the stations ``entered`` twice, an
    administrator at the CEC); returns them signed in."""
    root = next(c.id for c in election.commissions.values() if c.parent is None)
    places = sorted({election.stations[s].commission for s in entered})
    roles: list[tuple[str, str, Role, list[str]]] = [
        (TYPISTS[0], "Typist One", Role.TYPIST, places),
        (TYPISTS[1], "Typist Two", Role.TYPIST, places),
        (COORDINATOR, "Coordinator", Role.COORDINATOR, places),
        (ADMIN, "CEC administrator", Role.ADMIN, [root]),
    ]
    signed: dict[str, Principal] = {}
    for login, name, role, where in roles:
        accounts.create_user(store, login, name, password)
        for place in where:
            assignment = Assignment(login, election.id, place, role)
            accounts.change_role(store, assignment, grant=True)
        issued = accounts.sign_in(store, login, password, "127.0.0.1", kind="token")
        signed[login] = accounts.authenticate(store, issued.secret)
    return People(
        typists={t: signed[t] for t in TYPISTS},
        coordinator=signed[COORDINATOR],
        admin=signed[ADMIN],
    )
