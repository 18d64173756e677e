"""The steps of an allocation: what was computed, in order, with the rule that required it.

The CLI and the portal render these; they never recompute them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from saylau.core.rules import LegalRef, Quota, RemainderRule, ThresholdBase


@dataclass(frozen=True, slots=True)
class ThresholdLine:
    name: str
    votes: int
    percent: Fraction
    passed: bool


@dataclass(frozen=True, slots=True)
class ThresholdStep:
    """Which parties reached ``percent`` % of ``base_votes``: pass when votes >= required."""

    kind: ClassVar[str] = "threshold"
    base: ThresholdBase
    base_votes: int
    percent: Fraction
    required: Fraction
    lines: tuple[ThresholdLine, ...]
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class AdmissionStep:
    """An edge rule admitted parties below the threshold (or none could be admitted)."""

    kind: ClassVar[str] = "admission"
    rule: str
    reason: str
    admitted: tuple[str, ...]
    coefficient: Fraction
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class NoAllocationStep:
    """No seat could be allocated; the seats stay with the commission to decide."""

    kind: ClassVar[str] = "no-allocation"
    reason: str
    seats: int
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class QuotaStep:
    kind: ClassVar[str] = "quota"
    quota: Quota
    formula: str
    votes: int
    seats: int
    value: Fraction
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class QuotientLine:
    name: str
    votes: int
    coefficient: Fraction
    quotient: Fraction
    whole: int
    remainder: Fraction


@dataclass(frozen=True, slots=True)
class QuotientsStep:
    """Each admitted party's votes divided by the quota: whole seats and remainders."""

    kind: ClassVar[str] = "quotients"
    lines: tuple[QuotientLine, ...]
    whole_seats: int
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class OverallocationStep:
    """The quota gave more whole seats than the house has; the excess was withdrawn from the
    parties with the smallest remainders."""

    kind: ClassVar[str] = "overallocation"
    excess: int
    withdrawn_from: tuple[str, ...]
    tie: int | None = None
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class RankedLine:
    name: str
    key: Fraction


@dataclass(frozen=True, slots=True)
class RemainderSeatsStep:
    """Seats left after whole seats, one each in the order of the ranking."""

    kind: ClassVar[str] = "remainder-seats"
    rule: RemainderRule
    seats: int
    ranking: tuple[RankedLine, ...]
    awarded: tuple[str, ...]
    tie: int | None = None
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class DivisorSeatStep:
    """One seat of a divisor method: the highest quotient votes / divisor wins it."""

    kind: ClassVar[str] = "divisor-seat"
    seat: int
    name: str
    votes: int
    divisor: Fraction
    quotient: Fraction
    tie: int | None = None
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class CandidateLine:
    name: str
    votes: int
    percent: Fraction
    is_against_all: bool = False


@dataclass(frozen=True, slots=True)
class DistrictCountStep:
    """A district's candidates ranked by votes, 'against all' shown but never elected."""

    kind: ClassVar[str] = "district-count"
    base: ThresholdBase
    base_votes: int
    lines: tuple[CandidateLine, ...]
    references: tuple[LegalRef, ...] = ()


@dataclass(frozen=True, slots=True)
class DistrictDecisionStep:
    """Who was elected, or why nobody was (run-off needed, 'against all' leads, tie)."""

    kind: ClassVar[str] = "district-decision"
    outcome: str
    elected: tuple[str, ...]
    runoff: tuple[str, ...]
    reason: str
    tie: int | None = None
    references: tuple[LegalRef, ...] = ()


Step = (
    ThresholdStep
    | AdmissionStep
    | NoAllocationStep
    | QuotaStep
    | QuotientsStep
    | OverallocationStep
    | RemainderSeatsStep
    | DivisorSeatStep
    | DistrictCountStep
    | DistrictDecisionStep
)
