"""The worked examples in docs/ run and print exactly what the docs show.

A ```python block followed by "Output:" and a ```text block is executed (from the docs'
own folder) and its printed output compared with the text block."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[2] / "docs"
EXAMPLE = re.compile(
    r"```python\n((?:(?!```).)*?)```\s*\nOutput:\s*\n\s*```text\n((?:(?!```).)*?)```", re.DOTALL
)


def examples() -> list[tuple[str, str, str]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for number, match in enumerate(EXAMPLE.finditer(text), start=1):
            found.append((f"{page.relative_to(DOCS)}#{number}", match[1], match[2]))
    return found


def test_the_docs_have_examples() -> None:
    assert len(examples()) >= 4


@pytest.mark.parametrize(("where", "code", "expected"), examples(), ids=lambda v: v[:40])
def test_example_prints_what_the_docs_show(where: str, code: str, expected: str) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})
    assert printed.getvalue().rstrip() == expected.rstrip(), where
