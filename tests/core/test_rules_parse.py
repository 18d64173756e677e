"""Ruleset documents: every malformed one is refused with a message naming the file and key."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from saylau.core.errors import RulesetError
from saylau.core.rules import DistrictRule, ListRule, Method, Quota, parse_ruleset
from saylau.rulesets import available, load_ruleset, parse_text

SOURCE = "test.toml"
LIST = "contests.party-list"
DISTRICT = "contests.district"
LIST_RULES = (
    *("seats", "method", "quota", "remainders", "threshold", "threshold_base"),
    *("min_parties", "below_threshold_coefficient", "if_none_pass", "ties"),
)
DISTRICT_RULES = ("seats", "method", "against_all", "if_against_all_leads", "ties")
KINDS = "one of list, district"


def base_doc() -> dict[str, Any]:
    """A small valid ruleset document, as tomllib would decode it."""
    ref = {"source": "Law, art. 1"}
    return {
        "id": "test",
        "title": "Test ruleset",
        "jurisdiction": "XX",
        "law": "Test law",
        "valid_from": date(2023, 1, 1),
        "contests": {
            "party-list": {
                "kind": "list",
                "title": "Party list",
                "seats": 10,
                "method": "largest-remainder",
                "quota": "hare",
                "remainders": "largest-remainder",
                "ties": "registration",
                "threshold": {"percent": "5", "base": "valid"},
                "legal": {key: dict(ref) for key in LIST_RULES},
            },
            "district": {
                "kind": "district",
                "title": "District",
                "method": "plurality",
                "legal": {key: dict(ref) for key in DISTRICT_RULES},
            },
        },
    }


DROP = object()


def full_key(key: str) -> str:
    """Keys are written relative to the party-list contest unless they start at the root."""
    return key if key.startswith("contests") or key == "valid_from" else f"{LIST}.{key}"


def edited(changes: dict[str, object]) -> dict[str, Any]:
    """The base document with each dotted key set to a value, or removed (``DROP``)."""
    doc = base_doc()
    for key, value in changes.items():
        *parents, last = full_key(key).split(".")
        target = doc
        for part in parents:
            target = target[part]
        if value is DROP:
            del target[last]
        else:
            target[last] = value
    return doc


def message(key: str, expected: str, found: str = "") -> str:
    return f"{SOURCE}: key '{key}': expected {expected}" + (f", found {found}" if found else "")


def bad(name: str, changes: dict[str, object], key: str, expected: str, found: str = "") -> Any:
    """A broken document next to the exact message it must produce."""
    return pytest.param(edited(changes), message(full_key(key), expected, found), id=name)


LEGAL = (
    "an entry with 'source' (the legal reference, or 'none found'), and "
    "'assumption = true' with a 'note' where the law is silent"
)
LIST_KEYS = "kind, title, seats, method, quota, remainders, ties, threshold, legal"
NON_EMPTY = "a non-empty string"
PERCENT = "a percentage from 0 to 100"
ZERO_UP = "a number of zero or more"
NUMBER_TEXT = "a number written as a string ('5', '7/10', '2.5')"
SEATS = "a whole number of at least 1"
DATE = "a date (YYYY-MM-DD, unquoted)"
NOTE = "a note saying what was assumed"
QUOTAS = "one of hare, droop, hagenbach-bischoff, imperiali"
METHODS = "one of largest-remainder, dhondt, sainte-lague, modified-sainte-lague"
THRESHOLD_KEYS = "percent, base, min_parties, below_threshold_coefficient, if_none_pass"
D_LEGAL = f"{DISTRICT}.legal"
BAD_DOCUMENTS = [
    bad("unknown-quota", {"quota": "sqrt"}, "quota", QUOTAS, "'sqrt'"),
    bad("unknown-method", {"method": "x"}, "method", METHODS, "'x'"),
    bad("missing-legal-source", {"legal.quota": DROP}, "legal.quota", LEGAL),
    bad(
        "missing-legal-source-coefficient",
        {"legal.below_threshold_coefficient": DROP},
        "legal.below_threshold_coefficient",
        LEGAL,
    ),
    bad(
        "missing-legal-district", {f"{D_LEGAL}.against_all": DROP}, f"{D_LEGAL}.against_all", LEGAL
    ),
    bad(
        "missing-legal-source-against-all-leads",
        {f"{D_LEGAL}.if_against_all_leads": DROP},
        f"{D_LEGAL}.if_against_all_leads",
        LEGAL,
    ),
    bad(
        "missing-legal-source-majority-base",
        {f"{DISTRICT}.method": "absolute-majority"},
        f"{D_LEGAL}.majority_base",
        LEGAL,
    ),
    bad("legal-without-source", {"legal.ties.source": DROP}, "legal.ties.source", NON_EMPTY),
    bad("assumption-without-note", {"legal.ties.assumption": True}, "legal.ties.note", NOTE, "''"),
    bad(
        "assumption-with-blank-note",
        {"legal.ties.assumption": True, "legal.ties.note": "  "},
        "legal.ties.note",
        NOTE,
        "'  '",
    ),
    bad(
        "assumption-not-boolean",
        {"legal.ties.assumption": "yes"},
        "legal.ties.assumption",
        "true or false",
        "'yes'",
    ),
    bad("threshold-over-100", {"threshold.percent": "101"}, "threshold.percent", PERCENT, "'101'"),
    bad("threshold-negative", {"threshold.percent": "-1"}, "threshold.percent", ZERO_UP, "'-1'"),
    bad("threshold-float", {"threshold.percent": 5.5}, "threshold.percent", NUMBER_TEXT, "5.5"),
    bad("wrong-kind", {"kind": "mixed"}, "kind", KINDS, "'mixed'"),
    bad("missing-kind", {"kind": DROP}, "kind", KINDS),
    bad("valid-from-text", {"valid_from": "2023-01-01"}, "valid_from", DATE, "'2023-01-01'"),
    bad("valid-from-missing", {"valid_from": DROP}, "valid_from", DATE),
    bad("negative-seats", {"seats": -3}, "seats", SEATS, "-3"),
    bad("zero-seats", {"seats": 0}, "seats", SEATS, "0"),
    bad("boolean-seats", {"seats": True}, "seats", SEATS, "True"),
    bad(
        "absolute-majority-two-seats",
        {f"{DISTRICT}.method": "absolute-majority", f"{DISTRICT}.seats": 2},
        f"{DISTRICT}.seats",
        "1 for an absolute-majority contest",
        "2",
    ),
    bad("misspelt-key", {"qouta": "hare"}, "qouta", f"one of the keys {LIST_KEYS}", "'qouta'"),
    bad(
        "misspelt-threshold-key",
        {"threshold.percentage": "5"},
        "threshold.percentage",
        f"one of the keys {THRESHOLD_KEYS}",
        "'percentage'",
    ),
    bad(
        "legal-entry-for-an-unknown-rule",
        {"legal.speed": {"source": "s"}},
        "legal.speed",
        "a rule of this contest: " + ", ".join(LIST_RULES),
        "'speed'",
    ),
    bad(
        "misspelt-legal-entry-key",
        {"legal.ties.notes": "x"},
        "legal.ties.notes",
        "one of the keys source, assumption, note",
        "'notes'",
    ),
    bad("no-contest", {"contests": {}}, "contests", "at least one contest"),
    bad("contest-without-title", {"title": DROP}, "title", NON_EMPTY),
]


@pytest.mark.parametrize(("doc", "expected"), BAD_DOCUMENTS)
def test_bad_document_is_refused_with_its_message(doc: dict[str, Any], expected: str) -> None:
    with pytest.raises(RulesetError) as caught:
        parse_ruleset(doc, SOURCE)
    assert str(caught.value) == expected
    assert caught.value.source == SOURCE


def test_the_base_document_is_valid() -> None:
    ruleset = parse_ruleset(base_doc(), SOURCE)
    rule = ruleset.contest("party-list").rule
    assert isinstance(rule, ListRule)
    assert rule.threshold_percent == Fraction(5)
    assert rule.seats == 10
    assert isinstance(ruleset.contest("district").rule, DistrictRule)


def test_a_divisor_method_needs_no_quota_source() -> None:
    drops = dict.fromkeys(("quota", "remainders", "legal.quota", "legal.remainders"), DROP)
    doc = edited({"method": "dhondt", **drops})
    rule = parse_ruleset(doc, SOURCE).contest("party-list").rule
    assert isinstance(rule, ListRule)
    assert rule.method is Method.DHONDT
    assert rule.quota is Quota.HARE


TOML_HEAD = """
id = "t"
title = "T"
jurisdiction = "XX"
law = "L"
{valid_from}

[contests.c]
kind = "list"
title = "C"
seats = {seats}
ties = "registration"

[contests.c.threshold]
percent = "{percent}"

[contests.c.legal]
seats = {{ source = "s" }}
method = {{ source = "s" }}
quota = {{ source = "s" }}
remainders = {{ source = "s" }}
threshold = {{ source = "s" }}
threshold_base = {{ source = "s" }}
min_parties = {{ source = "s" }}
below_threshold_coefficient = {{ source = "s" }}
if_none_pass = {{ source = "s" }}
ties = {{ source = "s", assumption = {assumption} }}
"""


def toml(
    valid_from: str = "valid_from = 2023-01-01",
    seats: str = "5",
    percent: str = "5",
    assumption: str = "false",
) -> str:
    return TOML_HEAD.format(
        valid_from=valid_from, seats=seats, percent=percent, assumption=assumption
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            toml(valid_from='valid_from = "2023-01-01"'),
            "t.toml: key 'valid_from': expected a date (YYYY-MM-DD, unquoted), found '2023-01-01'",
        ),
        (
            toml(seats="-3"),
            "t.toml: key 'contests.c.seats': expected a whole number of at least 1, found -3",
        ),
        (
            toml(percent="100.5"),
            "t.toml: key 'contests.c.threshold.percent': "
            "expected a percentage from 0 to 100, found '100.5'",
        ),
        (
            toml(assumption="true"),
            "t.toml: key 'contests.c.legal.ties.note': "
            "expected a note saying what was assumed, found ''",
        ),
    ],
)
def test_bad_toml_text_is_refused_with_its_message(text: str, expected: str) -> None:
    with pytest.raises(RulesetError) as caught:
        parse_text(text, "t.toml")
    assert str(caught.value) == expected


def test_the_toml_helper_document_is_valid() -> None:
    assert parse_text(toml(), "t.toml").contest("c").rule.seats == 5


def test_text_that_is_not_toml_is_refused() -> None:
    with pytest.raises(RulesetError) as caught:
        parse_text("id = ", "broken.toml")
    assert caught.value.key is None
    assert str(caught.value).startswith("broken.toml: expected valid TOML (")


def test_unknown_contest_and_unknown_ruleset() -> None:
    with pytest.raises(RulesetError) as caught:
        load_ruleset("kz-2023").contest("senate")
    assert "found 'senate'" in str(caught.value)
    assert "mazhilis-list" in str(caught.value)
    with pytest.raises(RulesetError) as caught:
        load_ruleset("kz-1995")
    assert "found 'kz-1995'" in str(caught.value)


def test_shipped_rulesets_include_kz_2023_and_kz_2021() -> None:
    assert {"kz-2021", "kz-2023"} <= set(available())


@pytest.mark.parametrize("ruleset_id", available())
def test_every_shipped_contest_loads_and_every_assumption_has_a_note(ruleset_id: str) -> None:
    ruleset = load_ruleset(ruleset_id)
    assert ruleset.id == ruleset_id
    assert ruleset.contests
    for contest_id, contest in ruleset.contests.items():
        assert ruleset.contest(contest_id) is contest
        assert contest.rule.legal, contest_id
        for rule, ref in contest.rule.legal.items():
            assert ref.rule == rule
            assert ref.source.strip(), (contest_id, rule)
            if ref.assumption:
                assert ref.note.strip(), (contest_id, rule)
        if isinstance(contest.rule, ListRule):
            if contest.rule.min_parties > 1:
                assert contest.rule.ref("below_threshold_coefficient"), contest_id
