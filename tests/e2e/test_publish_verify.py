"""Publish the ledger of a generated 2023 night and verify it from the files alone.

The bundle must verify, and its replayed protocols must give the official national list
votes and seats; a single flipped byte in the published ledger must fail verification
(exit code 5) and name the cause."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from saylau.cli.exit_codes import VERIFICATION_FAILED
from saylau.cli.main import app
from saylau.store.testing import temporary_store

runner = CliRunner()

OFFICIAL_VOTES = {"amanat": 3431510, "auyl": 693938, "ak-zhol": 535139}
OFFICIAL_SEATS = {"amanat": 40, "auyl": 8, "ak-zhol": 6}


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("bundles")
    with temporary_store() as store:
        database = store.engine.url.render_as_string(hide_password=False)
        invoke("generate", "--late-corrections", "2", "--database", database)
        output = invoke("publish", "--out", str(folder / "v1"), "--database", database)
        assert "demo key" in output
        yield database, folder


def seats_row(output: str, choice: str) -> tuple[int, int]:
    line = next(line for line in output.splitlines() if line.startswith(f"│ {choice} "))
    cells = [cell.strip() for cell in line.split("│")[1:-1]]
    return int(cells[1].replace(",", "")), int(cells[2])


def test_the_published_bundle_verifies_and_gives_the_official_result(
    published: tuple[str, Path],
) -> None:
    _, folder = published
    output = invoke("verify", str(folder / "v1"))
    assert "ok: the bundle verifies" in output
    assert "root key id: " in output
    for party, votes in OFFICIAL_VOTES.items():
        assert seats_row(output, party) == (votes, OFFICIAL_SEATS[party])


def test_a_flipped_byte_fails_verification(published: tuple[str, Path], tmp_path: Path) -> None:
    _, folder = published
    copy = tmp_path / "tampered"
    shutil.copytree(folder / "v1", copy)
    (ledger,) = copy.glob("ledger-*.jsonl")
    data = bytearray(ledger.read_bytes())
    position = data.index(b'"amanat":') + len(b'"amanat":')
    data[position] = ord("9") if data[position] != ord("9") else ord("8")
    ledger.write_bytes(bytes(data))
    output = invoke("verify", str(copy), code=VERIFICATION_FAILED)
    assert "file-hash" in output
    assert "verification failed" in output
