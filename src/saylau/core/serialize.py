"""Results as plain data (dicts, lists, strings, ints, bools) for JSON and other encoders.

Exact values stay exact: a fraction is written ``{"exact": "p/q", "decimal": "..."}`` where the
decimal is rounded half-up from the exact value, never through a float."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from fractions import Fraction

from saylau.core.allocation.engine import ListResult
from saylau.core.districts import DistrictResult
from saylau.core.rules import LegalRef

Data = None | bool | int | str | list["Data"] | dict[str, "Data"]


def decimal_text(value: Fraction, places: int = 6) -> str:
    """``value`` rounded half away from zero to ``places`` decimals, as text."""
    scale = 10**places
    sign = "-" if value < 0 else ""
    scaled = abs(value) * scale
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    integer, fraction = divmod(whole, scale)
    if places == 0:
        return f"{sign}{integer}"
    return f"{sign}{integer}.{fraction:0{places}d}"


def fraction_data(value: Fraction) -> dict[str, Data]:
    exact = str(value.numerator) if value.denominator == 1 else f"{value}"
    return {"exact": exact, "decimal": decimal_text(value)}


def to_data(value: object) -> Data:
    """Any result object of the core as plain data."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Fraction):
        return fraction_data(value)
    if isinstance(value, Enum):
        return to_data(value.value)
    if isinstance(value, Mapping):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_data(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data: dict[str, Data] = {}
        kind = getattr(type(value), "kind", None)
        if isinstance(kind, str):
            data["kind"] = kind
        for field in dataclasses.fields(value):
            data[field.name] = to_data(getattr(value, field.name))
        return data
    raise TypeError(f"cannot convert {type(value).__name__} to data")


def _ref(ref: LegalRef) -> Data:
    return to_data(ref)


def result_data(result: ListResult | DistrictResult) -> dict[str, Data]:
    """The JSON shape of ``saylau seats --json``: seats, steps, ties, assumptions used."""
    data: dict[str, Data] = {
        "seats_total": result.seats_total,
        "seats": dict(result.seats),
        "complete": result.complete,
        "unfilled": result.unfilled,
        "ties_policy": result.ties_policy,
        "rule_ties": result.rule.ties.value,
        "steps": [to_data(step) for step in result.steps],
        "ties": [to_data(tie) for tie in result.ties],
        "assumptions": [_ref(ref) for ref in result.assumptions],
    }
    if isinstance(result, DistrictResult):
        data["outcome"] = result.outcome
        data["elected"] = list(result.elected)
        data["runoff"] = list(result.runoff)
    return data
