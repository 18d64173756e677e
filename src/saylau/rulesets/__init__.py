"""Versioned electoral rulesets shipped with saylau, as TOML data files.

``load_ruleset("kz-2023")`` reads a shipped ruleset; a path to a ``.toml`` file reads any other.
Errors are :class:`saylau.core.errors.RulesetError`, naming the file, the key and what was
expected."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from saylau.core.errors import RulesetError
from saylau.core.rules import Ruleset, parse_ruleset


def available() -> list[str]:
    """Ids of the rulesets shipped with saylau."""
    folder = resources.files(__package__)
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def parse_text(text: str, source: str) -> Ruleset:
    """Parse a ruleset document given as TOML text; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesetError(source, None, f"valid TOML ({error})") from None
    ruleset = parse_ruleset(data, source)
    return ruleset


def ruleset_text(name: str) -> str:
    """The text of a shipped ruleset file, by id (as published with the results)."""
    if name not in available():
        raise RulesetError("ruleset", None, f"one of {', '.join(available())}", name)
    return resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_ruleset(name: str) -> Ruleset:
    """A shipped ruleset by id (``kz-2023``), or a ruleset file by path."""
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise RulesetError(name, None, "an existing ruleset file")
        return parse_text(path.read_text(encoding="utf-8"), path.name)
    if name not in available():
        raise RulesetError(
            "ruleset",
            None,
            f"one of {', '.join(available())} or the path of a .toml ruleset file",
            name,
        )
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    ruleset = parse_text(text, f"{name}.toml")
    if ruleset.id != name:
        raise RulesetError(f"{name}.toml", "id", f"the file's own name {name!r}", ruleset.id)
    return ruleset
