"""The 2023 election end to end through the command line: generate, store, tally, seats.

A generated night of the real 2023 definition (10,223 stations, 3,131 contests), validated
and stored, must reproduce the official national list votes and seats and the district
split; generating again must change nothing; protocols with arithmetic errors must be
rejected and left out of the count."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.store.testing import temporary_store

runner = CliRunner()

# CEC of Kazakhstan, 27 March 2023: https://www.election.gov.kz/eng/news/releases/index.php?ID=8937
OFFICIAL_VOTES = {
    "amanat": 3431510,
    "auyl": 693938,
    "respublica": 547154,
    "qhp": 432920,
    "baytaq": 146431,
    "ak-zhol": 535139,
    "jsdp": 331058,
}
OFFICIAL_AGAINST_ALL = 248291
OFFICIAL_SEATS = {
    "amanat": 40,
    "auyl": 8,
    "respublica": 6,
    "qhp": 5,
    "baytaq": 0,
    "ak-zhol": 6,
    "jsdp": 4,
}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with temporary_store() as store:
        yield store.engine.url.render_as_string(hide_password=False)


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def mazhilis(database: str) -> dict[str, object]:
    output = invoke("results", "--contest", "mazhilis-list", "--json", "--database", database)
    (contest,) = json.loads(output)["contests"]
    assert isinstance(contest, dict)
    return contest


def row(output: str, label: str) -> int:
    line = next(line for line in output.splitlines() if label in line)
    return int(line.split("│")[2].strip().replace(",", ""))


def test_a_clean_night_reproduces_the_official_result(database: str) -> None:
    output = invoke("generate", "--database", database)
    assert row(output, "rejected by the controls") == 0
    contest = mazhilis(database)
    assert contest["votes"] == OFFICIAL_VOTES
    assert contest["lines"]["against_all"] == OFFICIAL_AGAINST_ALL  # type: ignore[index]
    assert contest["allocation"]["seats"] == OFFICIAL_SEATS  # type: ignore[index]
    assert contest["status"] == "unofficial complete"
    assert contest["progress"] == {  # type: ignore[comparison-overlap]
        "stations_counted": 10223,
        "stations_expected": 10223,
        "voters_counted": 12035578,
        "voters_expected": 12035578,
    }


def test_generating_again_changes_nothing(database: str) -> None:
    output = invoke("generate", "--database", database)
    assert row(output, "stored new") == 0
    assert row(output, "stored changed") == 0
    assert row(output, "already stored, unchanged") == row(output, "protocols generated")


def test_the_district_split_is_the_official_one(database: str) -> None:
    assert "AMANAT 22, self-nominated 7" in invoke("results", "--database", database)


def test_protocols_with_errors_are_rejected_and_not_counted(database: str) -> None:
    output = invoke("generate", "--arithmetic-errors", "3", "--database", database)
    assert row(output, "stored changed") == 3
    assert row(output, "rejected by the controls") == 3
    contest = mazhilis(database)
    progress = contest["progress"]
    assert isinstance(progress, dict)
    assert progress["stations_counted"] + contest["protocols_rejected"] == 10223  # type: ignore[operator]
