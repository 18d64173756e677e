"""The ``saylau seats`` and ``saylau demo`` contract, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saylau.cli.main import app

runner = CliRunner()

MAZHILIS_2023 = """name,votes,kind
AMANAT,3431510,party
Auyl,693938,party
Respublica,547154,party
Ak Zhol,535139,party
QHP,432920,party
JSDP,331058,party
Baytaq,146431,party
against all,248291,against_all
"""


def write(tmp_path: Path, text: str, name: str = "votes.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["seats", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_ruleset_contest_json_has_seats_steps_and_ties(tmp_path: Path) -> None:
    votes = write(tmp_path, MAZHILIS_2023)
    data = run_json(str(votes), "--ruleset", "kz-2023", "--contest", "mazhilis-list")
    assert data["seats"] == {
        "AMANAT": 40,
        "Auyl": 8,
        "Respublica": 6,
        "Ak Zhol": 6,
        "QHP": 5,
        "JSDP": 4,
        "Baytaq": 0,
    }
    assert data["ties"] == []
    assert data["complete"] is True
    steps = data["steps"]
    assert isinstance(steps, list)
    assert [step["kind"] for step in steps] == [
        "threshold",
        "quota",
        "quotients",
        "remainder-seats",
    ]
    assert steps[1]["value"] == {"exact": "1990573/23", "decimal": "86546.652174"}


def test_same_result_from_options_as_from_ruleset(tmp_path: Path) -> None:
    votes = write(tmp_path, MAZHILIS_2023)
    data = run_json(str(votes), "--seats", "69", "--threshold", "5", "--ties", "registration")
    assert list(data["seats"].values()) == [40, 8, 6, 6, 5, 4, 0]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("dhondt", [5, 2, 2, 1, 0]),
        ("sainte-lague", [4, 2, 2, 1, 1]),
        ("modified-sainte-lague", [5, 2, 2, 1, 0]),
        ("largest-remainder", [5, 2, 2, 1, 0]),
    ],
)
def test_methods_on_a_small_example(tmp_path: Path, method: str, expected: list[int]) -> None:
    votes = write(tmp_path, "name,votes\nA,47000\nB,16000\nC,15900\nD,12000\nE,6000\n")
    data = run_json(str(votes), "--seats", "10", "--method", method, "--ties", "none")
    assert list(data["seats"].values()) == expected  # type: ignore[union-attr]


def test_lot_is_recorded_and_reproducible(tmp_path: Path) -> None:
    votes = write(tmp_path, "name,votes\nA,100\nB,100\nC,100\n")
    first = run_json(str(votes), "--seats", "1", "--ties", "lot:public-seed-1")
    again = run_json(str(votes), "--seats", "1", "--ties", "lot:public-seed-1")
    assert first == again
    ties = first["ties"]
    assert isinstance(ties, list)
    assert len(ties) == 1
    assert ties[0]["policy"] == "lot:public-seed-1"
    assert len(ties[0]["tickets"]) == 3
    assert sum(first["seats"].values()) == 1  # type: ignore[union-attr]


def test_unresolved_tie_assigns_nothing_it_cannot(tmp_path: Path) -> None:
    votes = write(tmp_path, "name,votes\nA,100\nB,100\nC,100\n")
    data = run_json(str(votes), "--seats", "1", "--ties", "none")
    assert data["complete"] is False
    assert data["unfilled"] == 1
    assert data["seats"] == {"A": 0, "B": 0, "C": 0}


def test_district_contest(tmp_path: Path) -> None:
    votes = write(
        tmp_path,
        "name,votes,kind\nCandidate 1,900,party\nCandidate 2,1200,party\nX,1500,against_all\n",
    )
    data = run_json(str(votes), "--ruleset", "kz-2023", "--contest", "mazhilis-district")
    assert data["elected"] == ["Candidate 2"]
    assert data["outcome"] == "elected"
    assumed = [ref["rule"] for ref in data["assumptions"]]  # type: ignore[union-attr]
    assert assumed == ["if_against_all_leads"]


def test_text_output_explains_the_steps(tmp_path: Path) -> None:
    votes = write(tmp_path, MAZHILIS_2023)
    result = runner.invoke(
        app, ["seats", str(votes), "--ruleset", "kz-2023", "--contest", "mazhilis-list"]
    )
    assert result.exit_code == 0
    assert "Baytaq: 146,431 (2.30 %) EXCLUDED" in result.stdout
    assert "exactly 1990573/23" in result.stdout


def test_demo_seats_only_reproduces_the_official_2023_seats() -> None:
    result = runner.invoke(app, ["demo", "--seats-only"])
    assert result.exit_code == 0, result.output
    assert "reproduced." in result.stdout
    assert "NOT reproduced" not in result.stdout


def test_rulesets_lists_sources_and_assumptions() -> None:
    result = runner.invoke(app, ["rulesets", "kz-2023"])
    assert result.exit_code == 0, result.output
    assert "ASSUMED" in result.stdout
    assert "art. 97-1" in result.stdout
