"""``contest_forensics`` and ``saylau forensics`` on a stored contest: a wide file of 300
seeded stations imported with the test mapping of tests/ingest, five of them stuffed (their
protocols carry the turnout warning), one corrected by a second import. Runs on SQLite, and
on PostgreSQL with SAYLAU_TEST_DATABASE_URL."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.forensics.outliers import CORRECTED, WARNINGS
from saylau.services.forensics import arrival_minutes, contest_forensics
from saylau.services.imports import import_file
from saylau.store import Store
from saylau.store.errors import NotFound
from saylau.store.testing import temporary_store

MAPPING = Path(__file__).parents[1] / "ingest" / "data" / "small.toml"
HEADER = [
    "region", "tik", "uik", "Число избирателей", "Получено бюллетеней", "Выдано досрочно",
    "Выдано в помещении", "Выдано вне помещения", "Погашено", "В переносных ящиках",
    "В стационарных ящиках", "Недействительных", "Действительных", "Утрачено",
    "Не учтено при получении", '1. Партия "Альфа"', "2. Партия Бета", "3. Партия Гамма", "url",
]  # fmt: skip
REGIONS = ("Область Северная", "Область Южная")
STUFFED = (3, 50, 120, 200, 280)
runner = CliRunner()


def rows(seed: int, corrected: int | None = None) -> list[list[object]]:
    """300 consistent protocols; the stuffed stations at 97 % turnout, nearly all for Alfa."""
    rng = np.random.default_rng(seed)
    table: list[list[object]] = []
    for i in range(300):
        region = REGIONS[i // 150]
        tik = f"{1 + (i // 50) % 3} ТИК"
        voters = int(rng.integers(400, 2500))
        ballots = int(rng.binomial(voters, rng.uniform(0.45, 0.65)))
        share = rng.uniform(0.35, 0.55)
        if i in STUFFED:
            ballots, share = int(0.97 * voters), 0.93
        if i == corrected:
            ballots -= 10
        outside = int(rng.binomial(ballots, 0.02))
        invalid = int(rng.binomial(ballots, 0.015))
        valid = ballots - invalid
        alfa = int(rng.binomial(valid, share))
        beta = int(rng.binomial(valid - alfa, 0.6))
        gamma = valid - alfa - beta
        row = [
            region, tik, i + 1, voters, voters, 0, ballots - outside, outside,
            voters - ballots, outside, ballots - outside, invalid, valid, 0, 0,
            alfa, beta, gamma, f"http://example.org/{i}",
        ]  # fmt: skip
        table.append(row)
    return table


def write(path: Path, table: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(HEADER)
        out.writerows(table)
    return path


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("forensics")
    with temporary_store() as store:
        import_file(store, write(folder / "night.csv", rows(11)), MAPPING)
        import_file(store, write(folder / "corrected.csv", rows(11, corrected=7)), MAPPING)
        yield store


def url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_the_report_of_a_stored_contest(stored: Store) -> None:
    page = contest_forensics(stored, seed=3, replicates=100)
    report = page.report
    assert page.contest.id == "duma-list"
    assert report.stations == 300
    assert report.leader == "alfa"
    warned = {f.station for f in report.flags if f.kind == WARNINGS}
    assert {f"{REGIONS[i // 150]}/{1 + (i // 50) % 3} ТИК/{i + 1}" for i in STUFFED} <= warned
    corrected = [f for f in report.flags if f.kind == CORRECTED]
    assert [f.station for f in corrected] == [f"{REGIONS[0]}/1 ТИК/8"]
    assert "turnout and leader's share both high" in [t.name for t in report.significant]
    json.dumps(page.data)
    assert set(page.figures) >= {"fingerprint", "integers-turnout", "integers-share"}


def test_the_stations_under_one_commission(stored: Store) -> None:
    page = contest_forensics(stored, commission=REGIONS[1], seed=3, replicates=50)
    assert page.report.stations == 150
    assert page.report.label.endswith(REGIONS[1])
    assert all(f.station.startswith(REGIONS[1]) for f in page.report.flags)


def test_unknown_names_say_what_was_expected(stored: Store) -> None:
    with pytest.raises(NotFound, match="no contest 'senate' in election 'test-ru'"):
        contest_forensics(stored, contest_id="senate")
    with pytest.raises(NotFound, match="no commission 'Марс' in election 'test-ru'"):
        contest_forensics(stored, commission="Марс")
    with temporary_store() as empty, pytest.raises(NotFound, match="holds no election"):
        contest_forensics(empty)


def test_the_command_prints_and_writes_the_report(stored: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(
        app,
        ["forensics", "--database", url(stored), "--out", str(out), "--replicates", "50"],
    )
    assert result.exit_code == 0, result.output
    assert "Tests of the whole contest" in result.stdout
    assert "leads for review, never proof" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg ") >= 3
    assert "test-ru / duma-list" in page
    result = runner.invoke(
        app,
        ["forensics", "--database", url(stored), "--out", str(out), "--json", "--replicates", "20"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stations"] == 300


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--contest", "senate"], 3, "error: no contest 'senate' in election 'test-ru'"),
        (["--commission", "Марс"], 3, "error: no commission 'Марс' in election 'test-ru'"),
        (["--replicates", "1"], 2, "error: option --replicates: expected at least 2, found 1"),
        (["--level", "2"], 2, "error: option --level: expected a number between 0 and 1"),
    ],
)
def test_bad_options_exit_with_a_clear_message(
    stored: Store, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["forensics", "--database", url(stored), "--out", str(out), *args])
    assert result.exit_code == code
    assert message in result.stderr
    assert not out.exists()


def test_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    with temporary_store() as empty:
        result = runner.invoke(
            app, ["forensics", "--database", url(empty), "--out", str(tmp_path / "r.html")]
        )
    assert result.exit_code == 3
    assert "error: the store holds no election yet: run 'saylau generate'" in result.stderr


def test_arrival_is_counted_in_minutes_from_the_first() -> None:
    found = arrival_minutes(["2023-03-19T21:30:00Z", None, "2023-03-19T20:00:00Z"])
    assert found[0] == 90.0
    assert np.isnan(found[1])
    assert found[2] == 0.0
    assert np.isnan(arrival_minutes([None, None])).all()
