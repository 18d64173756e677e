"""Electoral rules as data: what a ruleset file says, checked and typed.

A ruleset is a versioned document (``kz-2023``, ``kz-2021``...) with one entry per contest.
Every rule of a contest names its legal source, or says that it is an assumption where the
law is silent; :func:`parse_ruleset` refuses a rule without one. The parser is pure: the
adapter that reads the file passes the decoded mapping and the name of its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from saylau.core.errors import RulesetError


class Method(StrEnum):
    LARGEST_REMAINDER = "largest-remainder"
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    MODIFIED_SAINTE_LAGUE = "modified-sainte-lague"


class Quota(StrEnum):
    HARE = "hare"
    DROOP = "droop"
    HAGENBACH_BISCHOFF = "hagenbach-bischoff"
    IMPERIALI = "imperiali"


class RemainderRule(StrEnum):
    LARGEST_REMAINDER = "largest-remainder"
    MOST_VOTES = "most-votes"


class ThresholdBase(StrEnum):
    VALID = "valid"
    BALLOTS = "ballots"
    PARTIES = "parties"


class NonePass(StrEnum):
    """What happens when no party reaches the threshold."""

    UNRESOLVED = "unresolved"
    ADMIT_ALL = "admit-all"
    ADMIT_MIN_PARTIES = "admit-min-parties"


class TieRule(StrEnum):
    REGISTRATION = "registration"
    LOT = "lot"
    NONE = "none"


class DistrictMethod(StrEnum):
    PLURALITY = "plurality"
    ABSOLUTE_MAJORITY = "absolute-majority"


class AgainstAllLeads(StrEnum):
    """What happens when 'against all' has more votes than every candidate."""

    ELECT_TOP_CANDIDATE = "elect-top-candidate"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LegalRef:
    """Where a rule comes from. ``assumption`` is true where the law is silent or unconfirmed
    and the ruleset chose; ``note`` says what was assumed."""

    rule: str
    source: str
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class ListRule:
    """A party-list contest: seats shared by a quota or divisor method after a threshold."""

    method: Method = Method.LARGEST_REMAINDER
    quota: Quota = Quota.HARE
    remainders: RemainderRule = RemainderRule.LARGEST_REMAINDER
    threshold_percent: Fraction = Fraction(0)
    threshold_base: ThresholdBase = ThresholdBase.VALID
    min_parties: int = 1
    below_threshold_coefficient: Fraction = Fraction(1)
    if_none_pass: NonePass = NonePass.UNRESOLVED
    ties: TieRule = TieRule.NONE
    seats: int | None = None
    legal: Mapping[str, LegalRef] = field(default_factory=dict)

    def ref(self, rule: str) -> LegalRef | None:
        return self.legal.get(rule)


@dataclass(frozen=True, slots=True)
class DistrictRule:
    """A candidate contest decided by relative or absolute majority."""

    method: DistrictMethod = DistrictMethod.PLURALITY
    majority_base: ThresholdBase = ThresholdBase.VALID
    if_against_all_leads: AgainstAllLeads = AgainstAllLeads.ELECT_TOP_CANDIDATE
    ties: TieRule = TieRule.NONE
    seats: int = 1
    legal: Mapping[str, LegalRef] = field(default_factory=dict)

    def ref(self, rule: str) -> LegalRef | None:
        return self.legal.get(rule)


@dataclass(frozen=True, slots=True)
class Contest:
    """One contest of a ruleset: its id, title and rule."""

    id: str
    title: str
    rule: ListRule | DistrictRule


@dataclass(frozen=True, slots=True)
class Ruleset:
    id: str
    title: str
    jurisdiction: str
    law: str
    valid_from: date
    contests: Mapping[str, Contest]
    notes: str = ""

    def contest(self, contest_id: str) -> Contest:
        try:
            return self.contests[contest_id]
        except KeyError:
            known = ", ".join(sorted(self.contests))
            raise RulesetError(
                f"ruleset {self.id}", "contests", f"one of {known}", contest_id
            ) from None


E = TypeVar("E", bound=StrEnum)

_LIST_RULES = (
    "seats",
    "method",
    "quota",
    "remainders",
    "threshold",
    "threshold_base",
    "min_parties",
    "below_threshold_coefficient",
    "if_none_pass",
    "ties",
)
_DISTRICT_RULES = ("seats", "method", "against_all", "if_against_all_leads", "ties")
_DISTRICT_LEGAL = (*_DISTRICT_RULES, "majority_base")

_KEYS = {
    "ruleset": ("id", "title", "jurisdiction", "law", "valid_from", "notes", "contests"),
    "list": (
        "kind",
        "title",
        "seats",
        "method",
        "quota",
        "remainders",
        "ties",
        "threshold",
        "legal",
    ),
    "threshold": ("percent", "base", "min_parties", "below_threshold_coefficient", "if_none_pass"),
    "district": (
        "kind",
        "title",
        "seats",
        "method",
        "majority_base",
        "if_against_all_leads",
        "ties",
        "legal",
    ),
    "legal": ("source", "assumption", "note"),
}


class _Reader:
    """Reads typed values out of a decoded document, naming the key on every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, expected: str, found: object = None) -> RulesetError:
        return RulesetError(self.source, key, expected, found)

    def known(self, data: Mapping[str, object], path: str, allowed: tuple[str, ...]) -> None:
        """Refuse keys the format does not know (a misspelt rule must not pass silently)."""
        for key in data:
            if key not in allowed:
                raise self.fail(_join(path, key), f"one of the keys {', '.join(allowed)}", key)

    def table(self, data: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
        value = data.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(_join(path, key), "a table", value)
        return value

    def text(
        self, data: Mapping[str, object], key: str, path: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_join(path, key), "a non-empty string", value)
        return value

    def integer(
        self, data: Mapping[str, object], key: str, path: str, default: int | None, minimum: int
    ) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(_join(path, key), f"a whole number of at least {minimum}", value)
        return value

    def fraction(self, data: Mapping[str, object], key: str, path: str, default: str) -> Fraction:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self.fail(
                _join(path, key), "a number written as a string ('5', '7/10', '2.5')", value
            )
        try:
            result = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise self.fail(
                _join(path, key), "a number written as a string ('5', '7/10', '2.5')", value
            ) from None
        if result < 0:
            raise self.fail(_join(path, key), "a number of zero or more", value)
        return result

    def choice(
        self, data: Mapping[str, object], key: str, path: str, enum: type[E], default: E
    ) -> E:
        value = data.get(key, default.value)
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return enum(value)
        except ValueError:
            options = ", ".join(member.value for member in enum)
            raise self.fail(_join(path, key), f"one of {options}", value) from None

    def legal(
        self,
        data: Mapping[str, object],
        path: str,
        required: tuple[str, ...],
        allowed: tuple[str, ...],
    ) -> dict[str, LegalRef]:
        table = self.table(data, "legal", path)
        refs: dict[str, LegalRef] = {}
        for rule, entry in table.items():
            entry_path = _join(path, f"legal.{rule}")
            if rule not in allowed:
                raise self.fail(entry_path, f"a rule of this contest: {', '.join(allowed)}", rule)
            if not isinstance(entry, Mapping):
                raise self.fail(
                    entry_path, "a table with 'source' (and 'assumption', 'note')", entry
                )
            self.known(entry, entry_path, _KEYS["legal"])
            assumption = entry.get("assumption", False)
            if not isinstance(assumption, bool):
                raise self.fail(_join(entry_path, "assumption"), "true or false", assumption)
            note = entry.get("note", "")
            if not isinstance(note, str):
                raise self.fail(_join(entry_path, "note"), "a string", note)
            if assumption and not note.strip():
                raise self.fail(_join(entry_path, "note"), "a note saying what was assumed", note)
            refs[rule] = LegalRef(
                rule=rule,
                source=self.text(entry, "source", entry_path),
                assumption=assumption,
                note=note,
            )
        for rule in required:
            if rule not in refs:
                raise self.fail(
                    _join(path, f"legal.{rule}"),
                    "an entry with 'source' (the legal reference, or 'none found'), and "
                    "'assumption = true' with a 'note' where the law is silent",
                )
        return refs


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parse_list_rule(data: Mapping[str, object], source: str, path: str = "") -> ListRule:
    """Build a :class:`ListRule` from a decoded contest table."""
    read = _Reader(source)
    read.known(data, path, _KEYS["list"])
    threshold = data.get("threshold", {})
    if not isinstance(threshold, Mapping):
        raise read.fail(_join(path, "threshold"), "a table", threshold)
    tpath = _join(path, "threshold")
    read.known(threshold, tpath, _KEYS["threshold"])
    percent = read.fraction(threshold, "percent", tpath, "0")
    if percent > 100:
        raise read.fail(_join(tpath, "percent"), "a percentage from 0 to 100", threshold["percent"])
    seats = read.integer(data, "seats", path, None, 1)
    method = read.choice(data, "method", path, Method, Method.LARGEST_REMAINDER)
    required = [r for r in _LIST_RULES if r != "seats" or seats is not None]
    if method is not Method.LARGEST_REMAINDER:
        required = [r for r in required if r not in ("quota", "remainders")]
    return ListRule(
        method=method,
        quota=read.choice(data, "quota", path, Quota, Quota.HARE),
        remainders=read.choice(
            data, "remainders", path, RemainderRule, RemainderRule.LARGEST_REMAINDER
        ),
        threshold_percent=percent,
        threshold_base=read.choice(threshold, "base", tpath, ThresholdBase, ThresholdBase.VALID),
        min_parties=read.integer(threshold, "min_parties", tpath, 1, 1) or 1,
        below_threshold_coefficient=read.fraction(
            threshold, "below_threshold_coefficient", tpath, "1"
        ),
        if_none_pass=read.choice(threshold, "if_none_pass", tpath, NonePass, NonePass.UNRESOLVED),
        ties=read.choice(data, "ties", path, TieRule, TieRule.NONE),
        seats=seats,
        legal=read.legal(data, path, tuple(required), _LIST_RULES),
    )


def parse_district_rule(data: Mapping[str, object], source: str, path: str = "") -> DistrictRule:
    """Build a :class:`DistrictRule` from a decoded contest table."""
    read = _Reader(source)
    read.known(data, path, _KEYS["district"])
    method = read.choice(data, "method", path, DistrictMethod, DistrictMethod.PLURALITY)
    required = list(_DISTRICT_RULES)
    seats = read.integer(data, "seats", path, 1, 1) or 1
    if method is DistrictMethod.ABSOLUTE_MAJORITY:
        required.append("majority_base")
        if seats != 1:
            raise read.fail(_join(path, "seats"), "1 for an absolute-majority contest", seats)
    return DistrictRule(
        method=method,
        majority_base=read.choice(data, "majority_base", path, ThresholdBase, ThresholdBase.VALID),
        if_against_all_leads=read.choice(
            data,
            "if_against_all_leads",
            path,
            AgainstAllLeads,
            AgainstAllLeads.ELECT_TOP_CANDIDATE,
        ),
        ties=read.choice(data, "ties", path, TieRule, TieRule.NONE),
        seats=seats,
        legal=read.legal(data, path, tuple(required), _DISTRICT_LEGAL),
    )


def parse_ruleset(data: Mapping[str, object], source: str) -> Ruleset:
    """Check a decoded ruleset document and build a :class:`Ruleset`.

    ``source`` names the document in errors (its file name)."""
    read = _Reader(source)
    read.known(data, "", _KEYS["ruleset"])
    ruleset_id = read.text(data, "id", "")
    valid_from = data.get("valid_from")
    if not isinstance(valid_from, date):
        raise read.fail("valid_from", "a date (YYYY-MM-DD, unquoted)", valid_from)
    contests_table = read.table(data, "contests", "")
    if not contests_table:
        raise read.fail("contests", "at least one contest")
    contests: dict[str, Contest] = {}
    for contest_id, body in contests_table.items():
        path = f"contests.{contest_id}"
        if not isinstance(body, Mapping):
            raise read.fail(path, "a table", body)
        kind = body.get("kind")
        rule: ListRule | DistrictRule
        if kind == "list":
            rule = parse_list_rule(body, source, path)
        elif kind == "district":
            rule = parse_district_rule(body, source, path)
        else:
            raise read.fail(f"{path}.kind", "one of list, district", kind)
        contests[contest_id] = Contest(contest_id, read.text(body, "title", path), rule)
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise read.fail("notes", "a string", notes)
    return Ruleset(
        id=ruleset_id,
        title=read.text(data, "title", ""),
        jurisdiction=read.text(data, "jurisdiction", ""),
        law=read.text(data, "law", ""),
        valid_from=valid_from,
        contests=contests,
        notes=notes,
    )
