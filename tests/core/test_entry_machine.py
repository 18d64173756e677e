"""The double-entry state machine: properties over random sequences of actions, and the
worked paths (agreeing entries, differences resolved, errors, warnings, corrections)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saylau.core.entry import (
    COUNTED,
    AcknowledgementError,
    Approve,
    BlockingError,
    Claim,
    ClaimError,
    Correct,
    EntryError,
    NoChangeError,
    NotAllowedError,
    ProtocolEntry,
    ReasonError,
    Recount,
    Release,
    Resolution,
    Resolve,
    SameTypistError,
    Stage,
    Submit,
    apply,
)
from saylau.core.protocol import Line, Protocol

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
USERS = ("ana", "bek", "chen", "dana")


def protocol(a: int = 300, b: int = 200, *, found: int = 520, issued: int = 520) -> Protocol:
    """A protocol of station S1 with votes ``a`` and ``b``; consistent by default (against
    all 5, invalid 5), turnout 52 %."""
    valid = a + b + 5
    lines = {
        Line.VOTERS: 1000,
        Line.RECEIVED: 1000,
        Line.ISSUED: issued,
        Line.CANCELLED: 1000 - issued,
        Line.FOUND: found,
        Line.INVALID: found - valid,
        Line.VALID: valid,
        Line.AGAINST_ALL: 5,
    }
    return Protocol("S1", "list", lines, {"p1": a, "p2": b})


GOOD = protocol()
OTHER = protocol(301, 199)
WRONG = Protocol("S1", "list", GOOD.lines, {"p1": 300, "p2": 210})  # votes over valid: E04
LOW = protocol(30, 22, found=60, issued=60)  # turnout 6 %: W02
REASON = {"W02": "small village, confirmed by phone"}
PROTOCOLS = (GOOD, OTHER, WRONG, LOW)


def start() -> ProtocolEntry:
    return ProtocolEntry("S1", "list")


def run(*actions: object) -> ProtocolEntry:
    state = start()
    for action in actions:
        state = apply(state, action)  # type: ignore[arg-type]
    return state


def test_two_matching_entries_are_accepted() -> None:
    state = run(Claim("ana"), Submit("ana", GOOD), Claim("bek"), Submit("bek", GOOD))
    assert state.stage is Stage.ACCEPTED
    assert state.accepted_by == "double-entry"
    assert state.content_version == 1
    assert state.version == 4


def test_the_first_typist_cannot_type_the_second_entry() -> None:
    state = run(Claim("ana"), Submit("ana", GOOD))
    with pytest.raises(SameTypistError):
        apply(state, Claim("ana"))


def test_a_submission_to_an_unclaimed_entry_claims_it_in_the_same_step() -> None:
    first = run(Submit("ana", GOOD))
    assert (first.stage, first.version, first.claimant) == (Stage.FIRST_ENTERED, 1, None)
    assert first.first is not None
    assert first.first.typist == "ana"
    with pytest.raises(SameTypistError):
        apply(first, Submit("ana", GOOD))
    accepted = apply(first, Submit("bek", GOOD))
    assert (accepted.stage, accepted.version) == (Stage.ACCEPTED, 2)
    assert accepted.second is not None
    assert accepted.second.typist == "bek"
    different = apply(first, Submit("bek", OTHER))
    assert (different.stage, different.version) == (Stage.DIFFERENT, 2)
    claimed = run(Claim("ana"))
    with pytest.raises(ClaimError):
        apply(claimed, Submit("bek", GOOD))  # claimed by someone else: not taken over
    with pytest.raises(NotAllowedError):
        apply(accepted, Submit("dana", GOOD))


def test_only_the_claimant_submits() -> None:
    state = run(Claim("ana"))
    with pytest.raises(ClaimError):
        apply(state, Submit("bek", GOOD))
    with pytest.raises(ClaimError):
        apply(state, Release("bek"))
    assert apply(state, Release("bek", coordinator=True)).stage is Stage.EMPTY


def test_different_entries_go_to_a_coordinator() -> None:
    state = run(Claim("ana"), Submit("ana", GOOD), Claim("bek"), Submit("bek", OTHER))
    assert state.stage is Stage.DIFFERENT
    kept = apply(state, Resolve("chen", Resolution.KEEP_SECOND))
    assert kept.stage is Stage.ACCEPTED
    assert kept.accepted is not None
    assert kept.accepted.protocol == OTHER
    back = apply(state, Resolve("chen", Resolution.SEND_BACK))
    assert back.stage is Stage.EMPTY
    assert back.first is None
    assert back.second is None


def test_errors_block_acceptance() -> None:
    state = run(Claim("ana"), Submit("ana", WRONG), Claim("bek"), Submit("bek", WRONG))
    assert state.stage is Stage.BLOCKED
    with pytest.raises(BlockingError) as raised:
        apply(state, Resolve("chen", Resolution.KEEP_FIRST))
    assert raised.value.details == {"codes": ["E04"]}
    assert apply(state, Resolve("chen", Resolution.SEND_BACK)).stage is Stage.EMPTY


def test_warnings_need_a_reason() -> None:
    state = run(Claim("ana"))
    with pytest.raises(AcknowledgementError) as raised:
        apply(state, Submit("ana", LOW))
    assert raised.value.field == "acknowledged.W02"
    with pytest.raises(AcknowledgementError):
        apply(state, Submit("ana", LOW, {"W02": "   "}))
    with pytest.raises(AcknowledgementError) as extra:
        apply(state, Submit("ana", GOOD, {"W01": "why not"}))
    assert extra.value.field == "acknowledged.W01"
    entered = apply(state, Submit("ana", LOW, REASON))
    assert entered.first is not None
    assert entered.first.acknowledged == REASON


def test_correction_needs_reason_and_decision_and_a_change() -> None:
    accepted = run(Claim("ana"), Submit("ana", GOOD), Claim("bek"), Submit("bek", GOOD))
    approved = apply(accepted, Approve("dana"))
    with pytest.raises(ReasonError) as raised:
        apply(approved, Correct("chen", OTHER, reason="recount", decision=" "))
    assert raised.value.field == "decision"
    with pytest.raises(NoChangeError):
        apply(approved, Correct("chen", GOOD, reason="recount", decision="No. 12"))
    corrected = apply(approved, Correct("chen", OTHER, reason="recount", decision="No. 12"))
    assert corrected.stage is Stage.ACCEPTED
    assert corrected.content_version == 2
    assert corrected.approved_by is None
    assert corrected.amendment is not None
    assert corrected.amendment.decision == "No. 12"


def test_recount_reopens_double_entry_and_keeps_the_version_if_nothing_changed() -> None:
    accepted = run(Claim("ana"), Submit("ana", GOOD), Claim("bek"), Submit("bek", GOOD))
    reopened = apply(accepted, Recount("chen", reason="complaint", decision="No. 3"))
    assert reopened.stage is Stage.EMPTY
    assert reopened.accepted == accepted.accepted
    same = reopened
    for action in (Claim("bek"), Submit("bek", GOOD), Claim("ana"), Submit("ana", GOOD)):
        same = apply(same, action)
    assert same.stage is Stage.ACCEPTED
    assert same.content_version == 1


def test_a_protocol_of_another_station_is_refused() -> None:
    state = run(Claim("ana"))
    elsewhere = Protocol("S2", "list", GOOD.lines, GOOD.votes)
    with pytest.raises(EntryError) as raised:
        apply(state, Submit("ana", elsewhere))
    assert raised.value.field == "protocol.station"


def test_approval_only_after_acceptance() -> None:
    with pytest.raises(NotAllowedError):
        apply(start(), Approve("dana"))


# Random sequences of actions ---------------------------------------------------------------

users = st.sampled_from(USERS)
acks = st.sampled_from(({}, REASON))
actions = st.one_of(
    st.builds(Claim, users),
    st.builds(Release, users, st.booleans()),
    st.builds(Submit, users, st.sampled_from(PROTOCOLS), acks),
    st.builds(Resolve, users, st.sampled_from(tuple(Resolution))),
    st.builds(
        Correct,
        users,
        st.sampled_from(PROTOCOLS),
        st.sampled_from(("recount", "")),
        st.sampled_from(("No. 7", "")),
        acks,
    ),
    st.builds(Recount, users, st.sampled_from(("complaint", " ")), st.just("No. 9")),
    st.builds(Approve, users),
)


@dataclass
class Step:
    before: ProtocolEntry
    action: object
    after: ProtocolEntry


def walk(sequence: list[object]) -> list[Step]:
    state = start()
    steps = []
    for action in sequence:
        try:
            after = apply(state, action)  # type: ignore[arg-type]
        except EntryError:
            continue
        steps.append(Step(state, action, after))
        state = after
    return steps


@SETTINGS
@given(st.lists(actions, max_size=40))
def test_acceptance_needs_two_matching_entries_by_two_typists_or_a_decision(
    sequence: list[object],
) -> None:
    for step in walk(sequence):
        newly = step.after.stage is Stage.ACCEPTED and step.before.stage is not Stage.ACCEPTED
        if newly and isinstance(step.action, Submit):
            first, second = step.after.first, step.after.second
            assert first is not None
            assert second is not None
            assert first.typist != second.typist
            assert first.protocol == second.protocol
        elif newly:
            assert isinstance(step.action, Resolve | Correct)
        if isinstance(step.action, Correct):
            assert step.action.reason.strip()
            assert step.action.decision.strip()


@SETTINGS
@given(st.lists(actions, max_size=40))
def test_counted_content_has_no_errors_and_every_warning_has_a_reason(
    sequence: list[object],
) -> None:
    for step in walk(sequence):
        state = step.after
        if state.stage in COUNTED:
            assert state.accepted is not None
            assert not state.accepted.blocking
            warnings = {f.code for f in state.accepted.findings if f.severity == "warning"}
            assert set(state.accepted.acknowledged) == warnings
            assert all(reason.strip() for reason in state.accepted.acknowledged.values())
        else:
            assert state.approved_by is None or state.stage is Stage.APPROVED


@SETTINGS
@given(st.lists(actions, max_size=40))
def test_every_change_is_one_version_and_a_refusal_changes_nothing(
    sequence: list[object],
) -> None:
    state = start()
    for action in sequence:
        try:
            after = apply(state, action)  # type: ignore[arg-type]
        except EntryError:
            continue
        assert after.version == state.version + 1
        assert after.content_version in (state.content_version, state.content_version + 1)
        if after.first is not None and after.second is not None:
            assert after.first.typist != after.second.typist
        if after.stage in (Stage.FIRST_CLAIMED, Stage.SECOND_CLAIMED):
            assert after.claimant is not None
        else:
            assert after.claimant is None
        state = after


@SETTINGS
@given(st.lists(actions, max_size=40))
def test_approval_follows_acceptance(sequence: list[object]) -> None:
    for step in walk(sequence):
        if step.after.stage is Stage.APPROVED and step.before.stage is not Stage.APPROVED:
            assert step.before.stage is Stage.ACCEPTED
            assert isinstance(step.action, Approve)
