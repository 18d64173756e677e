"""Import mappings: what a mapping file says, and its errors naming the file and the key."""

from __future__ import annotations

import tomllib
from fractions import Fraction
from pathlib import Path

import pytest

from saylau.core.election import Level
from saylau.core.protocol import Line
from saylau.ingest.errors import IngestError
from saylau.ingest.mapping import load_mapping, parse_mapping

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[2] / "examples" / "mappings" / "russia-duma-2016.toml"


def small() -> dict[str, object]:
    return tomllib.loads((DATA / "small.toml").read_text(encoding="utf-8"))


def test_a_mapping_that_creates_the_election() -> None:
    mapping = load_mapping(DATA / "small.toml")
    assert mapping.creates
    assert mapping.election_id == "test-ru"
    new = mapping.new_election
    assert new is not None
    assert [(level.column, level.level) for level in new.levels] == [
        ("region", Level.REGION),
        ("tik", Level.TERRITORY),
    ]
    assert mapping.station == ("region", "tik", "uik")
    assert mapping.lines[Line.ISSUED] == ("Выдано досрочно", "Выдано в помещении")
    assert mapping.lines[Line.VOTERS] == ("Число избирателей",)
    assert [c.column for c in mapping.choices] == ['1. Партия "Альфа"', 17, "3. Партия Гамма"]
    assert mapping.contest.seats == 10
    assert mapping.ignore == ("url",)
    assert len(mapping.sha256) == 64


def test_a_mapping_into_a_stored_election() -> None:
    mapping = load_mapping(DATA / "existing.toml")
    assert not mapping.creates
    assert mapping.election_id == "test-ru"
    assert mapping.station == ("region", "tik", "uik")
    assert [c.id for c in mapping.choices] == ["gamma", "alfa", "beta"]


def test_the_russian_example_reads() -> None:
    mapping = load_mapping(EXAMPLE)
    assert mapping.election_id == "ru-duma-2016"
    assert len(mapping.choices) == 14
    assert set(mapping.accept) == {"E02"}
    assert len(mapping.lines[Line.FOUND]) == 2


def test_control_levels_and_accepted_errors() -> None:
    data = small()
    data["controls"] = {
        "turnout_high_percent": "99.5",
        "accept": {"E05": "voters are added on the day"},
    }
    mapping = parse_mapping(data, "m.toml")
    assert mapping.controls.turnout_high_percent == Fraction(199, 2)
    assert mapping.accept == {"E05": "voters are added on the day"}


def change(key: str, value: object) -> dict[str, object]:
    """``small.toml`` with the dotted ``key`` set to ``value`` (``None`` deletes it)."""
    data = small()
    *path, last = key.split(".")
    table: dict[str, object] = data
    for part in path:
        inner = table[part]
        assert isinstance(inner, dict)
        table = inner
    if value is None:
        del table[last]
    else:
        table[last] = value
    return data


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("format", "saylau-mapping/9", "m.toml, field 'format': expected 'saylau-mapping/1', "
         "found 'saylau-mapping/9'"),
        ("lines.ballots_spoiled", "x", "m.toml, field 'lines.ballots_spoiled': expected a protocol "
         "line: one of voters, ballots_received, ballots_issued, ballots_issued_outside, "
         "ballots_cancelled, ballots_found, ballots_invalid, ballots_valid, against_all, found "
         "'ballots_spoiled'"),
        ("lines.voters", None, "m.toml, field 'lines.voters': expected the voters column: a "
         "created station's voters come from it"),
        ("lines.ballots_found", [], "m.toml, field 'lines.ballots_found': expected a column or a "
         "non-empty list of columns, found []"),
        ("lines.ballots_valid", 0, "m.toml, field 'lines.ballots_valid': expected a column "
         "position of 1 or more, found 0"),
        ("election.date", "18.09.2016", "m.toml, field 'election.date': expected a date "
         "YYYY-MM-DD, found '18.09.2016'"),
        ("election.levels", [{"column": "region", "level": "oblast"}], "m.toml, field "
         "'election.levels[0].level': expected one of region, territory, district, found "
         "'oblast'"),
        ("contest.seats", 0, "m.toml, field 'contest.seats': expected a whole number of at "
         "least 1, found 0"),
        ("controls", {"accept": {"W01": "high turnout is normal"}}, "m.toml, field "
         "'controls.accept.W01': expected an error code: one of E01, E02, E03, E04, E05, "
         "found 'W01'"),
        ("controls", {"accept": {"E02": ""}}, "m.toml, field 'controls.accept.E02': expected "
         "the reason (why the source's law accepts it), found ''"),
        ("file", {"encoding": "klingon"}, "m.toml, field 'file.encoding': expected a known text "
         "encoding (utf-8, cp1251...), found 'klingon'"),
        ("file", {"delimiter": ";;"}, "m.toml, field 'file.delimiter': expected one character "
         "such as ',' ';' or a tab, found ';;'"),
        ("colour", "red", "m.toml, field 'colour': expected one of the keys format, election, "
         "station, ignore, file, contest, lines, choices, controls, found 'colour'"),
        ("election", 7, "m.toml, field 'election': expected the id of a stored election, or an "
         "[election] table to create one, found 7"),
    ],
)  # fmt: skip
def test_mapping_errors_name_the_key(key: str, value: object, message: str) -> None:
    with pytest.raises(IngestError) as caught:
        parse_mapping(change(key, value), "m.toml")
    assert str(caught.value) == message


def test_choices_need_names_and_distinct_ids_when_the_election_is_created() -> None:
    data = small()
    choices = data["choices"]
    assert isinstance(choices, list)
    del choices[0]["name"]
    with pytest.raises(IngestError, match=r"'choices\[0\].name': expected a name"):
        parse_mapping(data, "m.toml")
    data = small()
    choices = data["choices"]
    assert isinstance(choices, list)
    choices[1]["id"] = "alfa"
    with pytest.raises(IngestError, match=r"'choices\[1\].id': expected a choice id not used"):
        parse_mapping(data, "m.toml")


def test_an_existing_election_takes_only_the_contest_id() -> None:
    data = tomllib.loads((DATA / "existing.toml").read_text(encoding="utf-8"))
    data["contest"] = {"id": "duma-list", "seats": 5}
    with pytest.raises(IngestError, match=r"'contest\.seats': expected one of the keys id"):
        parse_mapping(data, "m.toml")
    del data["station"]
    data["contest"] = {"id": "duma-list"}
    with pytest.raises(IngestError, match="'station': expected the column"):
        parse_mapping(data, "m.toml")


def test_unreadable_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"missing\.toml: expected a readable mapping file"):
        load_mapping(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("format = \n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"broken.toml: expected valid TOML \(Invalid value"):
        load_mapping(broken)
