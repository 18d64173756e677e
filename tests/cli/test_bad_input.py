"""Bad input next to the exact message it must produce (``bad_input/*.expected``).

Each case names the votes file, the arguments, the exit code and the one-line error. The
message must name the file, the row and the field, and no traceback may be printed."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saylau.cli.main import app

CASES = Path(__file__).parent / "bad_input"


def load_case(path: Path) -> tuple[str, list[str], int, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = dict(line.split(": ", 1) for line in lines[:3])
    message = "\n".join(lines[3:])
    return fields["file"], shlex.split(fields["args"]), int(fields["exit"]), message


@pytest.mark.parametrize("case", sorted(CASES.glob("*.expected")), ids=lambda p: p.stem)
def test_bad_input_gives_its_exact_message(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file, args, code, message = load_case(case)
    monkeypatch.chdir(CASES)
    result = CliRunner().invoke(app, ["seats", file, *args])
    assert result.exit_code == code, result.output
    assert result.stderr.strip() == message
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_every_bad_file_has_a_case() -> None:
    used = {load_case(path)[0] for path in CASES.glob("*.expected")}
    files = {path.name for path in CASES.glob("*.csv")}
    assert files <= used
