"""Every text of the portal is in the Kazakh and Russian catalogues, with the same
placeholders; the keys built at run time (levels, outcomes, statuses, line titles) too."""

from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

import pytest

from saylau.core.election import Level
from saylau.core.protocol import LINE_TITLES
from saylau.services.portal import STATUSES
from saylau.web.i18n import catalogue, texts
from saylau.web.opendata import PROGRESS

WEB = Path(str(resources.files("saylau.web")))
TEMPLATE_CALL = re.compile(r'_\(\s*"((?:[^"\\]|\\.)+)"')
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def used_messages() -> set[str]:
    found: set[str] = set()
    for template in (WEB / "templates").glob("*.html"):
        found.update(TEMPLATE_CALL.findall(template.read_text(encoding="utf-8")))
    for module in WEB.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if name in ("_", "gettext") and isinstance(first, ast.Constant):
                found.add(str(first.value))
    keys = {"base: valid", "base: ballots", "base: parties"}
    keys |= {f"level: {level.value}" for level in Level}
    keys |= {f"outcome: {o}" for o in ("elected", "runoff", "failed", "undecided")}
    keys |= {"protocol accepted", "protocol rejected", "severity error", "severity warning"}
    keys |= set(STATUSES) | set(LINE_TITLES.values())
    keys |= {key.replace("_", " ") for key in PROGRESS}
    # Prefixes of keys built in templates ("level: " ~ value) are not messages themselves.
    return (found - {"base: ", "level: ", "outcome: ", "protocol ", "severity "}) | keys


def test_the_portal_uses_many_messages() -> None:
    assert len(used_messages()) > 120


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_is_translated(language: str) -> None:
    translations = catalogue(language)
    missing = sorted(m for m in used_messages() if not translations.get(m))
    assert not missing, missing
    for message in used_messages():
        assert set(PLACEHOLDER.findall(translations[message])) == set(
            PLACEHOLDER.findall(message)
        ), message


def test_english_keys_read_as_english() -> None:
    en = texts("en")
    assert en.gettext("outcome: elected") == "elected"
    assert en.gettext("Turnout") == "Turnout"
    assert texts("kk").gettext("Turnout") == "Сайлауға қатысу"
