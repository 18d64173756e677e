"""The steps of a result as sentences for a person. Renders; never recomputes."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from saylau.core.allocation.steps import (
    AdmissionStep,
    DistrictCountStep,
    DistrictDecisionStep,
    DivisorSeatStep,
    NoAllocationStep,
    OverallocationStep,
    QuotaStep,
    QuotientsStep,
    RemainderSeatsStep,
    Step,
    ThresholdStep,
)
from saylau.core.rules import LegalRef
from saylau.core.serialize import decimal_text
from saylau.core.ties import Tie

BASE_WORDS = {
    "valid": "valid ballots (all parties plus 'against all')",
    "ballots": "ballots taken into account (valid plus invalid)",
    "parties": "votes for parties",
}


def num(value: int | Fraction, places: int = 4) -> str:
    """A number for reading: thousands separated, fractions shown to ``places`` decimals."""
    if isinstance(value, int) or value.denominator == 1:
        return f"{int(value):,}"
    whole, _, decimals = decimal_text(value, places).partition(".")
    return f"{int(whole):,}.{decimals}"


def exact(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(value)


def pct(value: Fraction) -> str:
    return f"{decimal_text(value, 2)} %"


def refs_text(refs: tuple[LegalRef, ...]) -> list[str]:
    lines = []
    for ref in refs:
        if ref.assumption:
            lines.append(f"    assumption ({ref.rule}): {ref.note} [{ref.source}]")
        else:
            lines.append(f"    law ({ref.rule}): {ref.source}")
    return lines


def step_lines(
    step: Step, ties: tuple[Tie, ...], names: Mapping[str, str] | None = None
) -> list[str]:
    """Sentences explaining one step, with its legal references; ``names`` shows choice ids
    by their names."""
    shown = names or {}

    def n(name: str) -> str:
        return shown.get(name, name)

    def join(items: tuple[str, ...]) -> str:
        return ", ".join(n(item) for item in items)

    lines: list[str] = []
    if isinstance(step, ThresholdStep):
        lines.append(
            f"Threshold: {num(step.percent)} % of {num(step.base_votes)} "
            f"{BASE_WORDS[step.base.value]} = {num(step.required, 2)} votes needed."
        )
        for line in step.lines:
            verdict = "passes" if line.passed else "EXCLUDED"
            lines.append(f"  {n(line.name)}: {num(line.votes)} ({pct(line.percent)}) {verdict}")
    elif isinstance(step, AdmissionStep):
        admitted = join(step.admitted) or "nobody"
        lines.append(f"Edge rule {step.rule} fired: {step.reason}. Admitted: {admitted}.")
        if step.coefficient != 1:
            lines.append(f"  Their quotients are multiplied by {exact(step.coefficient)}.")
    elif isinstance(step, NoAllocationStep):
        lines.append(f"No allocation: {step.reason}; {step.seats} seats left to the commission.")
    elif isinstance(step, QuotaStep):
        lines.append(
            f"Quota ({step.quota.value}, {step.formula}): {num(step.votes)} votes, "
            f"{step.seats} seats -> {num(step.value)} (exactly {exact(step.value)})."
        )
    elif isinstance(step, QuotientsStep):
        lines.append(f"Whole seats: votes / quota, integer parts give {step.whole_seats} seats.")
        for q in step.lines:
            factor = f" x {exact(q.coefficient)}" if q.coefficient != 1 else ""
            lines.append(
                f"  {n(q.name)}: {num(q.votes)}{factor} / quota = {num(q.quotient)} -> "
                f"{q.whole} seats, remainder {num(q.remainder)}"
            )
    elif isinstance(step, OverallocationStep):
        lines.append(
            f"Whole seats exceed the house by {step.excess}: one withdrawn from "
            f"{join(step.withdrawn_from) or 'nobody yet'} (smallest remainders)."
        )
    elif isinstance(step, RemainderSeatsStep):
        by = "largest remainders" if step.rule.value == "largest-remainder" else "most votes"
        lines.append(f"{step.seats} remaining seats by {by}:")
        for rank, item in enumerate(step.ranking, start=1):
            mark = "  <- seat" if item.name in step.awarded else ""
            lines.append(f"  {rank}. {n(item.name)}: {num(item.key)}{mark}")
    elif isinstance(step, DivisorSeatStep):
        lines.append(
            f"Seat {step.seat}: {n(step.name)}, {num(step.votes)} / {num(step.divisor)} = "
            f"{num(step.quotient)}"
        )
    elif isinstance(step, DistrictCountStep):
        lines.append(f"Count, shares of {num(step.base_votes)} {BASE_WORDS[step.base.value]}:")
        for c in step.lines:
            note = " (counted, never elected)" if c.is_against_all else ""
            lines.append(f"  {n(c.name)}: {num(c.votes)} ({pct(c.percent)}){note}")
    else:
        assert isinstance(step, DistrictDecisionStep)
        who = join(step.elected or step.runoff) or "nobody"
        lines.append(f"Outcome: {step.outcome}: {who} ({step.reason}).")
    tie_index = getattr(step, "tie", None)
    if isinstance(tie_index, int):
        lines.extend(tie_lines(ties[tie_index], shown))
    lines.extend(refs_text(step.references))
    return lines


def tie_lines(tie: Tie, names: Mapping[str, str] | None = None) -> list[str]:
    shown = names or {}
    lines = [
        f"  TIE ({tie.context}): {', '.join(shown.get(c, c) for c in tie.contenders)} "
        f"equal at {tie.value} "
        f"for {tie.places} place(s); policy {tie.policy}."
    ]
    for ticket in tie.tickets:
        lines.append(f"    lot ticket {shown.get(ticket.name, ticket.name)}: {ticket.ticket}")
    if tie.winners is None:
        lines.append("    unresolved: the commission must decide; no seat is guessed.")
    else:
        lines.append(f"    decided for: {', '.join(shown.get(w, w) for w in tie.winners)}")
    return lines
