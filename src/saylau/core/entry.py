"""Double entry of a count protocol: an explicit state machine, pure.

A paper protocol is typed twice, by two different typists. Each entry is checked by the
control relations (:mod:`saylau.core.controls`) as it is submitted: every warning must be
acknowledged with a reason or the entry is refused; errors are kept with the entry and block
its acceptance.

=================  ==========================================================  ==============
stage              what happens next                                           who
=================  ==========================================================  ==============
empty              claim the first entry                                       a typist
first-claimed      submit the first entry, or release the claim                the claimant
first-entered      claim the second entry (not the first entry's typist)       another typist
second-claimed     submit the second entry: compared with the first            the claimant
entries-different  keep first, keep second (if it has no errors), send back    a coordinator
entries-blocked    the entries agree but have errors: send back                a coordinator
accepted           approve; correct (reason, decision); recount (reason,       a coordinator
                   decision): back to empty, the next acceptance corrects
approved           correct or recount, as for accepted                         a coordinator
=================  ==========================================================  ==============

Two matching entries without errors are accepted at once. A claim may be released by its
holder or by a coordinator (``Release(..., coordinator=True)``). Who may act as typist or
coordinator is decided by the caller (the services check roles); this module checks the
rules of the protocol itself. Each successful action returns a new :class:`ProtocolEntry`
whose ``version`` is one more; a refused action raises an :class:`EntryError` and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from saylau.core.controls import ControlSettings, Finding, Severity, check_protocol
from saylau.core.entry_errors import (
    AcknowledgementError,
    BlockingError,
    ClaimError,
    EntryError,
    NoChangeError,
    NotAllowedError,
    ReasonError,
    SameTypistError,
)
from saylau.core.protocol import Protocol

__all__ = [
    "COUNTED",
    "AcknowledgementError",
    "Action",
    "Amendment",
    "Approve",
    "BlockingError",
    "Claim",
    "ClaimError",
    "Correct",
    "Entry",
    "EntryError",
    "NoChangeError",
    "NotAllowedError",
    "ProtocolEntry",
    "ReasonError",
    "Recount",
    "Release",
    "Resolution",
    "Resolve",
    "SameTypistError",
    "Stage",
    "Submit",
    "action_name",
    "apply",
    "check_entry",
]


class Stage(StrEnum):
    EMPTY = "empty"
    FIRST_CLAIMED = "first-claimed"
    FIRST_ENTERED = "first-entered"
    SECOND_CLAIMED = "second-claimed"
    DIFFERENT = "entries-different"
    BLOCKED = "entries-blocked"
    ACCEPTED = "accepted"
    APPROVED = "approved"


COUNTED: frozenset[Stage] = frozenset({Stage.ACCEPTED, Stage.APPROVED})
"""Stages in which the protocol's content counts in the results."""


class Resolution(StrEnum):
    KEEP_FIRST = "keep-first"
    KEEP_SECOND = "keep-second"
    SEND_BACK = "send-back"


@dataclass(frozen=True, slots=True)
class Entry:
    """One typist's entry of the protocol, with the controls' findings and the reasons given
    for its warnings (``acknowledged``: warning code -> reason)."""

    typist: str
    protocol: Protocol
    findings: tuple[Finding, ...]
    acknowledged: Mapping[str, str] = field(default_factory=dict)

    @property
    def blocking(self) -> tuple[str, ...]:
        """Codes of the errors found."""
        return tuple(f.code for f in self.findings if f.severity is Severity.ERROR)


@dataclass(frozen=True, slots=True)
class Amendment:
    """Why an accepted protocol was changed or reopened: a reason and the reference of the
    commission's decision."""

    by: str
    reason: str
    decision: str


@dataclass(frozen=True, slots=True)
class ProtocolEntry:
    """The entry state of one protocol (a station's count for one contest).

    ``accepted`` is the current accepted content (kept through a recount until the new count
    is accepted), ``content_version`` counts the accepted contents (1 for the first),
    ``amendment`` the reason of the last correction or of a pending recount, ``accepted_by``
    how the content was accepted (``double-entry``, ``keep-first``, ``keep-second``,
    ``correction``)."""

    station: str
    contest: str
    stage: Stage = Stage.EMPTY
    version: int = 0
    claimant: str | None = None
    first: Entry | None = None
    second: Entry | None = None
    accepted: Entry | None = None
    accepted_by: str | None = None
    content_version: int = 0
    amendment: Amendment | None = None
    approved_by: str | None = None

    @property
    def counted(self) -> bool:
        return self.stage in COUNTED


@dataclass(frozen=True, slots=True)
class Claim:
    user: str


@dataclass(frozen=True, slots=True)
class Release:
    user: str
    coordinator: bool = False


@dataclass(frozen=True, slots=True)
class Submit:
    """Submit the entry claimed by ``user``; an unclaimed entry (no entry yet, or the first
    one typed by someone else) is claimed by the submission itself."""

    user: str
    protocol: Protocol
    acknowledged: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resolve:
    user: str
    resolution: Resolution


@dataclass(frozen=True, slots=True)
class Correct:
    user: str
    protocol: Protocol
    reason: str
    decision: str
    acknowledged: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recount:
    user: str
    reason: str
    decision: str


@dataclass(frozen=True, slots=True)
class Approve:
    user: str


Action = Claim | Release | Submit | Resolve | Correct | Recount | Approve


def action_name(action: Action) -> str:
    return type(action).__name__.lower()


def _not_allowed(state: ProtocolEntry, action: Action) -> NotAllowedError:
    name = action_name(action)
    return NotAllowedError(
        f"cannot {name} protocol {state.station}/{state.contest} in stage {state.stage}",
        details={"action": name, "stage": str(state.stage)},
    )


def check_entry(
    typist: str,
    protocol: Protocol,
    acknowledged: Mapping[str, str],
    settings: ControlSettings,
) -> Entry:
    """The entry with its findings; :class:`AcknowledgementError` unless every warning
    has a reason, and only warnings found are acknowledged."""
    findings = check_protocol(protocol, settings)
    warnings = {f.code for f in findings if f.severity is Severity.WARNING}
    missing = sorted(code for code in warnings if not acknowledged.get(code, "").strip())
    if missing:
        raise AcknowledgementError(
            f"warnings {', '.join(missing)} need an acknowledgement with a reason",
            field=f"acknowledged.{missing[0]}",
            details={"codes": missing, "findings": [_finding_data(f) for f in findings]},
        )
    extra = sorted(set(acknowledged) - warnings)
    if extra:
        raise AcknowledgementError(
            f"acknowledged {', '.join(extra)}, which the controls did not find; expected only "
            f"the warnings found ({', '.join(sorted(warnings)) or 'none'})",
            field=f"acknowledged.{extra[0]}",
            details={"codes": extra},
        )
    reasons = {code: acknowledged[code].strip() for code in sorted(warnings)}
    return Entry(typist, protocol, findings, reasons)


def _finding_data(finding: Finding) -> dict[str, object]:
    return {
        "code": finding.code,
        "key": finding.key,
        "severity": str(finding.severity),
        "lines": list(finding.lines),
        "values": dict(finding.values),
    }


def _require_reason(reason: str, decision: str) -> tuple[str, str]:
    if not reason.strip():
        raise ReasonError("a reason is required", field="reason")
    if not decision.strip():
        raise ReasonError(
            "the reference of the commission's decision is required", field="decision"
        )
    return reason.strip(), decision.strip()


def _same_protocol(state: ProtocolEntry, protocol: Protocol) -> None:
    for name, value in (("station", protocol.station), ("contest", protocol.contest)):
        expected = getattr(state, name)
        if value != expected:
            raise EntryError(
                f"the protocol is for {name} {value!r}, expected {expected!r}",
                field=f"protocol.{name}",
            )


def _accept(state: ProtocolEntry, entry: Entry, how: str, version: int) -> ProtocolEntry:
    """Accept ``entry``: a new content version unless a recount found the same content."""
    if entry.blocking:
        raise BlockingError(
            f"errors {', '.join(entry.blocking)} block acceptance",
            details={"codes": list(entry.blocking)},
        )
    same = state.accepted is not None and state.accepted.protocol == entry.protocol
    return replace(
        state,
        stage=Stage.ACCEPTED,
        version=version,
        claimant=None,
        accepted=entry,
        accepted_by=how,
        content_version=state.content_version + (0 if same else 1),
        approved_by=None,
    )


DEFAULT_SETTINGS = ControlSettings()


def apply(
    state: ProtocolEntry, action: Action, settings: ControlSettings = DEFAULT_SETTINGS
) -> ProtocolEntry:
    """The state after ``action``, or an :class:`EntryError` (nothing changes)."""
    stage = state.stage
    version = state.version + 1
    if isinstance(action, Claim):
        if stage is Stage.EMPTY:
            return replace(state, stage=Stage.FIRST_CLAIMED, claimant=action.user, version=version)
        if stage is Stage.FIRST_ENTERED:
            assert state.first is not None
            if state.first.typist == action.user:
                raise SameTypistError(
                    f"{action.user} typed the first entry; another typist must type the second",
                    field="user",
                )
            return replace(state, stage=Stage.SECOND_CLAIMED, claimant=action.user, version=version)
        raise _not_allowed(state, action)
    if isinstance(action, Release):
        if stage not in (Stage.FIRST_CLAIMED, Stage.SECOND_CLAIMED):
            raise _not_allowed(state, action)
        if action.user != state.claimant and not action.coordinator:
            raise ClaimError(f"the entry is claimed by {state.claimant}", field="user")
        back = Stage.EMPTY if stage is Stage.FIRST_CLAIMED else Stage.FIRST_ENTERED
        return replace(state, stage=back, claimant=None, version=version)
    if isinstance(action, Submit):
        if stage in (Stage.EMPTY, Stage.FIRST_ENTERED):
            # A submission to an unclaimed entry claims it and submits in one step (a
            # client typing from the paper protocol in one go); the version moves by one.
            claimed = apply(state, Claim(action.user), settings)
            state, stage = replace(claimed, version=state.version), claimed.stage
        if stage not in (Stage.FIRST_CLAIMED, Stage.SECOND_CLAIMED):
            raise _not_allowed(state, action)
        if action.user != state.claimant:
            raise ClaimError(
                f"the entry is claimed by {state.claimant}; claim it before typing",
                field="user",
            )
        _same_protocol(state, action.protocol)
        entry = check_entry(action.user, action.protocol, action.acknowledged, settings)
        if stage is Stage.FIRST_CLAIMED:
            return replace(
                state, stage=Stage.FIRST_ENTERED, claimant=None, first=entry, version=version
            )
        assert state.first is not None
        compared = replace(state, claimant=None, second=entry)
        if state.first.protocol != entry.protocol:
            return replace(compared, stage=Stage.DIFFERENT, version=version)
        if entry.blocking:
            return replace(compared, stage=Stage.BLOCKED, version=version)
        return _accept(compared, entry, "double-entry", version)
    if isinstance(action, Resolve):
        if stage not in (Stage.DIFFERENT, Stage.BLOCKED):
            raise _not_allowed(state, action)
        if action.resolution is Resolution.SEND_BACK:
            return replace(
                state, stage=Stage.EMPTY, claimant=None, first=None, second=None, version=version
            )
        kept = state.first if action.resolution is Resolution.KEEP_FIRST else state.second
        assert kept is not None
        return _accept(state, kept, str(action.resolution), version)
    if isinstance(action, Approve):
        if stage is not Stage.ACCEPTED:
            raise _not_allowed(state, action)
        return replace(state, stage=Stage.APPROVED, approved_by=action.user, version=version)
    if isinstance(action, Correct):
        if stage not in COUNTED:
            raise _not_allowed(state, action)
        reason, decision = _require_reason(action.reason, action.decision)
        _same_protocol(state, action.protocol)
        entry = check_entry(action.user, action.protocol, action.acknowledged, settings)
        assert state.accepted is not None
        if entry.protocol == state.accepted.protocol:
            raise NoChangeError("the correction does not change the protocol", field="protocol")
        amended = replace(state, amendment=Amendment(action.user, reason, decision))
        return _accept(amended, entry, "correction", version)
    if isinstance(action, Recount):
        if stage not in COUNTED:
            raise _not_allowed(state, action)
        reason, decision = _require_reason(action.reason, action.decision)
        return replace(
            state,
            stage=Stage.EMPTY,
            version=version,
            first=None,
            second=None,
            approved_by=None,
            amendment=Amendment(action.user, reason, decision),
        )
    raise TypeError(f"not an action: {action!r}")
