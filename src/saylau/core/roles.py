"""Roles and what each may do, inside the commissions a person is assigned to; pure.

A person holds roles in commissions of one election: a role in a commission covers that
commission and everything under it (its subtree: lower commissions and their stations; a
station's precinct commission has the station's id). The public needs no role.

==============  ===========================================================================
role            may
==============  ===========================================================================
cec-admin       everything in its subtree (at the CEC: the whole election), manage accounts,
                certify results
coordinator     read statuses and entries, resolve differences, correct and recount accepted
                protocols, release claims, approve protocols, sign summaries
chair           read statuses and entries of its station, type entries, release claims
typist          read statuses, claim and type entries (never another typist's values)
observer        read statuses of every protocol in its subtree and everything published
==============  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from saylau.core.election import Election


class Role(StrEnum):
    ADMIN = "cec-admin"
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    TYPIST = "typist"
    OBSERVER = "observer"


class Permission(StrEnum):
    READ_PUBLISHED = "read-published"
    READ_STATUS = "read-status"
    READ_ENTRY = "read-entry"
    TYPE_ENTRY = "type-entry"
    RELEASE_ANY = "release-any"
    RESOLVE = "resolve"
    CORRECT = "correct"
    APPROVE = "approve"
    SIGN = "sign"
    CERTIFY = "certify"
    MANAGE_USERS = "manage-users"


_READ = {Permission.READ_PUBLISHED, Permission.READ_STATUS}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COORDINATOR: frozenset(
        _READ
        | {
            Permission.READ_ENTRY,
            Permission.RELEASE_ANY,
            Permission.RESOLVE,
            Permission.CORRECT,
            Permission.APPROVE,
            Permission.SIGN,
        }
    ),
    Role.CHAIR: frozenset(
        _READ | {Permission.READ_ENTRY, Permission.TYPE_ENTRY, Permission.RELEASE_ANY}
    ),
    Role.TYPIST: frozenset(_READ | {Permission.TYPE_ENTRY}),
    Role.OBSERVER: frozenset(_READ),
}
"""What each role may do inside its subtree."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """``user`` holds ``role`` in ``commission`` (or station) of ``election``."""

    user: str
    election: str
    commission: str
    role: Role


def ancestors(election: Election, place: str) -> tuple[str, ...]:
    """``place`` (a commission or station) and every commission above it, bottom up."""
    station = election.stations.get(place)
    if station is not None:
        return (place, *reversed(election.path(station.commission)))
    if place in election.commissions:
        return tuple(reversed(election.path(place)))
    return ()


def allowed(
    assignments: Iterable[Assignment], election: Election, permission: Permission, place: str
) -> bool:
    """Whether any of ``assignments`` grants ``permission`` at ``place`` (a commission or
    station of ``election``): the assignment's commission is ``place`` or above it."""
    if permission is Permission.READ_PUBLISHED:
        return True
    above = set(ancestors(election, place))
    return any(
        a.election == election.id and a.commission in above and permission in GRANTS[a.role]
        for a in assignments
    )


def is_place(election: Election, place: str) -> bool:
    """Whether ``place`` is a commission or a station of ``election``."""
    return place in election.commissions or place in election.stations
