"""Approval up the commission tree, certification, and the status of results.

A commission signs its summary protocol of a contest when every protocol of the contest at
its own stations is approved and every child commission with stations in the contest has
signed (:mod:`saylau.core.approval`); the CEC certifies a contest once the summary of the
contest's commission is signed, and the certification, with the votes per choice, is a
``results-certified`` event of the ledger. A correction or recount below reopens every
summary above the station (:func:`reopen_above`), and with it the certification.

The status of a result (:func:`result_status`) is read from the stored facts, whichever way
the protocols came (typed twice through the service, or stored as files by ``saylau
generate``, ``saylau import`` or the demo's night): a station is counted when its stored
protocol is accepted, and the contest is certified when the ledger's last certification of
it records the numbers that the stored protocols give (as ``saylau certify`` and the portal
read it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.core.approval import ResultStatus, Summary, SummaryStage, certify, reopen, sign
from saylau.core.approval import result_status as status_of
from saylau.core.election import Election
from saylau.core.entry import COUNTED, Stage
from saylau.core.ledger.events import Kind, decode_line
from saylau.core.roles import Permission, allowed
from saylau.services.accounts import Principal
from saylau.services.certify import certified_results, unresolved_message
from saylau.services.context import election, read, write
from saylau.services.errors import PermissionDeniedError, VersionConflictError
from saylau.services.ledger import LedgerAppender
from saylau.services.night import ACCEPTED
from saylau.services.results import contest_results
from saylau.store.db import Store
from saylau.store.entries import (
    StoredSummary,
    entry_stages,
    load_summaries,
    save_summary,
)
from saylau.store.errors import ConflictError, NotFound
from saylau.store.models import LedgerEventRecord, ProtocolRecord


def _summary(stored: StoredSummary | None, commission: str, contest: str) -> Summary:
    if stored is None:
        return Summary(commission, contest)
    return Summary(
        commission,
        contest,
        SummaryStage(stored.stage),
        stored.version,
        stored.signed_by,
        stored.certified_by,
    )


def _stored(summary: Summary) -> StoredSummary:
    return StoredSummary(
        summary.commission,
        summary.contest,
        str(summary.stage),
        summary.version,
        summary.signed_by,
        summary.certified_by,
    )


def summary_view(summary: Summary) -> dict[str, Any]:
    return {
        "commission": summary.commission,
        "contest": summary.contest,
        "stage": str(summary.stage),
        "version": summary.version,
        "signed_by": summary.signed_by,
        "certified_by": summary.certified_by,
    }


def _contest_stations(chosen: Election, contest: str, commission: str) -> tuple[str, ...]:
    voting = set(chosen.contest_stations(contest))
    return tuple(s for s in chosen.subtree_stations(commission) if s in voting)


def _stages(session: Session, chosen: Election, contest: str) -> dict[str, Stage]:
    stored = entry_stages(session, chosen.id, contest)
    return {
        station: Stage(stored[station, contest][0]) if (station, contest) in stored else Stage.EMPTY
        for station in chosen.contest_stations(contest)
    }


def reopen_above(
    session: Session,
    chosen: Election,
    appender: LedgerAppender,
    *,
    user: str,
    station: str,
    contest: str,
) -> None:
    """Reopen every signed or certified summary of ``contest`` above ``station``."""
    path = chosen.path(chosen.stations[station].commission)
    for commission, stored in load_summaries(session, chosen.id, contest, path).items():
        summary = _summary(stored, commission, contest)
        opened = reopen(summary)
        if opened != summary:
            if not save_summary(session, chosen.id, _stored(opened), summary.version):
                raise VersionConflictError(
                    f"the summary of {commission} changed meanwhile",
                    current=summary_view(summary),
                )
            appender.action(
                user,
                "summary-reopened",
                commission,
                {"contest": contest, "station": station, "was": str(summary.stage)},
            )


def _check_contest(chosen: Election, contest: str, commission: str) -> None:
    if contest not in chosen.contests:
        raise NotFound(f"election {chosen.id} has no contest {contest!r}")
    if commission not in chosen.commissions:
        raise NotFound(f"election {chosen.id} has no commission {commission!r}")
    if not _contest_stations(chosen, contest, commission):
        raise NotFound(f"no station under {commission} votes in contest {contest}")


def summary_of(
    store: Store, principal: Principal, election_id: str, commission: str, contest: str
) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        chosen = election(session, election_id)
        _check_contest(chosen, contest, commission)
        if not allowed(principal.assignments, chosen, Permission.READ_STATUS, commission):
            raise PermissionDeniedError(f"{principal.user} may not read {commission}")
        stored = load_summaries(session, election_id, contest, [commission]).get(commission)
        return summary_view(_summary(stored, commission, contest))

    return read(store, work)


def sign_summary(
    store: Store,
    principal: Principal,
    election_id: str,
    commission: str,
    contest: str,
    *,
    expected_version: int,
) -> dict[str, Any]:
    """``commission`` signs its summary protocol of ``contest``."""

    def work(session: Session) -> dict[str, Any]:
        chosen = election(session, election_id)
        _check_contest(chosen, contest, commission)
        if not allowed(principal.assignments, chosen, Permission.SIGN, commission):
            raise PermissionDeniedError(f"{principal.user} may not sign for {commission}")
        stages = _stages(session, chosen, contest)
        stations = {s: stages[s] for s in chosen.stations_by_commission[commission] if s in stages}
        children = [c for c in chosen.children[commission] if _contest_stations(chosen, contest, c)]
        summaries = load_summaries(session, election_id, contest, [commission, *children])
        kids = {
            c: SummaryStage(summaries[c].stage) if c in summaries else SummaryStage.OPEN
            for c in children
        }
        summary = _summary(summaries.get(commission), commission, contest)
        if summary.version != expected_version:
            raise VersionConflictError(
                f"the summary of {commission} is at version {summary.version}",
                current=summary_view(summary),
            )
        signed = sign(summary, principal.user, stations=stations, children=kids)
        if not save_summary(session, election_id, _stored(signed), expected_version):
            raise VersionConflictError(
                f"the summary of {commission} changed meanwhile", current=summary_view(summary)
            )
        appender = LedgerAppender.open(session, chosen)
        appender.action(
            principal.user,
            "summary-signed",
            commission,
            {"contest": contest},
            commission=commission,
        )
        appender.flush()
        return summary_view(signed)

    return write(store, work)


def certify_contest(
    store: Store, principal: Principal, election_id: str, contest: str, *, expected_version: int
) -> dict[str, Any]:
    """The CEC certifies the results of ``contest``."""

    def work(session: Session) -> dict[str, Any]:
        chosen = election(session, election_id)
        if contest not in chosen.contests:
            raise NotFound(f"election {chosen.id} has no contest {contest!r}")
        root = chosen.path(chosen.contests[contest].commission)[0]
        if not allowed(principal.assignments, chosen, Permission.CERTIFY, root):
            raise PermissionDeniedError(f"{principal.user} may not certify results")
        commission = chosen.contests[contest].commission
        stored = load_summaries(session, election_id, contest, [commission]).get(commission)
        summary = _summary(stored, commission, contest)
        if summary.version != expected_version:
            raise VersionConflictError(
                f"the summary of {commission} is at version {summary.version}",
                current=summary_view(summary),
            )
        certified = certify(summary, principal.user)
        if not save_summary(session, election_id, _stored(certified), expected_version):
            raise VersionConflictError(
                f"the summary of {commission} changed meanwhile", current=summary_view(summary)
            )
        # The numbers that saylau verify recomputes from the ledger (the stored protocols
        # tallied up the tree, the seats allocated), read outside this transaction: the
        # writers' queue is held, so nothing changes them meanwhile.
        (result,) = contest_results(store, chosen, [contest])
        refusal = unresolved_message([result])
        if refusal is not None:
            raise ConflictError(refusal)
        results = certified_results(result)
        appender = LedgerAppender.open(session, chosen)
        appender.certify(contest, results)
        appender.flush()
        return summary_view(certified)

    return write(store, work)


def _status(stages: Iterable[Stage], certified: bool) -> dict[str, Any]:
    listed = list(stages)
    counted = sum(1 for stage in listed if stage in COUNTED)
    return {
        "status": str(status_of(listed, certified=certified)),
        "protocols": len(listed),
        "counted": counted,
    }


def _accepted_stations(session: Session, election_id: str, contest: str) -> set[str]:
    """The stations whose stored protocol of ``contest`` is accepted (typed twice through
    the service or stored as a file)."""
    query = select(ProtocolRecord.station_id).where(
        ProtocolRecord.election_id == election_id,
        ProtocolRecord.contest_id == contest,
        ProtocolRecord.status == ACCEPTED,
    )
    return set(session.scalars(query))


_CHANGES = (Kind.PROTOCOL_ENTERED, Kind.PROTOCOL_ACCEPTED, Kind.PROTOCOL_CORRECTED)
"""The ledger events that can change a contest's numbers."""


def _last(session: Session, contest: str, kinds: Iterable[Kind]) -> int | None:
    query = select(func.max(LedgerEventRecord.sequence)).where(
        LedgerEventRecord.contest == contest,
        LedgerEventRecord.kind.in_([k.value for k in kinds]),
    )
    found = session.scalar(query)
    return None if found is None else int(found)


def ledger_certified(store: Store, session: Session, chosen: Election, contest: str) -> bool:
    """Whether the ledger certifies ``contest`` as it is stored now: its last
    ``results-certified`` event comes after every protocol event of the contest, or records
    the very numbers that the stored protocols give (a correction that changed none of
    them, which ``saylau certify`` does not certify again)."""
    certified = _last(session, contest, [Kind.RESULTS_CERTIFIED])
    if certified is None:
        return False
    changed = _last(session, contest, _CHANGES)
    if changed is None or changed < certified:
        return True
    line = session.scalar(
        select(LedgerEventRecord.line).where(LedgerEventRecord.sequence == certified)
    )
    recorded = decode_line(bytes(line or b""), checked=False).payload.get("results")
    (result,) = contest_results(store, chosen, [contest])
    return recorded == certified_results(result)


def result_status(
    store: Store, election_id: str, contest: str, commission: str | None = None
) -> dict[str, Any]:
    """The status of a contest's result under ``commission`` (the contest's own by
    default), from the stored protocols and the ledger (see the module's description):
    public."""

    def work(session: Session) -> dict[str, Any]:
        chosen = election(session, election_id)
        if contest not in chosen.contests:
            raise NotFound(f"election {chosen.id} has no contest {contest!r}")
        place = commission or chosen.contests[contest].commission
        _check_contest(chosen, contest, place)
        accepted = _accepted_stations(session, election_id, contest)
        subtree = _contest_stations(chosen, contest, place)
        stages = [Stage.ACCEPTED if s in accepted else Stage.EMPTY for s in subtree]
        complete = all(stage is Stage.ACCEPTED for stage in stages)
        certified = complete and ledger_certified(store, session, chosen, contest)
        return {"contest": contest, "commission": place, **_status(stages, certified)}

    return read(store, work)


def protocol_statuses(
    store: Store,
    principal: Principal,
    election_id: str,
    contest: str,
    commission: str,
) -> list[dict[str, Any]]:
    """Stage and version of every protocol of ``contest`` under ``commission``."""

    def work(session: Session) -> list[dict[str, Any]]:
        chosen = election(session, election_id)
        _check_contest(chosen, contest, commission)
        if not allowed(principal.assignments, chosen, Permission.READ_STATUS, commission):
            raise PermissionDeniedError(f"{principal.user} may not read {commission}")
        stored = entry_stages(session, election_id, contest)
        return [
            {
                "station": s,
                "contest": contest,
                "stage": stored.get((s, contest), (str(Stage.EMPTY), 0))[0],
                "version": stored.get((s, contest), (str(Stage.EMPTY), 0))[1],
            }
            for s in _contest_stations(chosen, contest, commission)
        ]

    return read(store, work)


__all__ = [
    "ResultStatus",
    "certify_contest",
    "protocol_statuses",
    "reopen_above",
    "result_status",
    "sign_summary",
    "summary_of",
]
