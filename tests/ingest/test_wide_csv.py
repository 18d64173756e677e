"""Wide CSV files through a mapping: columns, numbers, zips, encodings, header errors."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from saylau.core.protocol import Line
from saylau.ingest.errors import IngestError
from saylau.ingest.mapping import ImportMapping, load_mapping, parse_mapping
from saylau.ingest.wide_csv import integers, read_wide

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.csv"


@pytest.fixture
def mapping() -> ImportMapping:
    return load_mapping(DATA / "small.toml")


def mapping_with(**changes: object) -> ImportMapping:
    data = tomllib.loads((DATA / "small.toml").read_text(encoding="utf-8"))
    data.update(changes)
    return parse_mapping(data, "small.toml")


def zipped(tmp_path: Path, members: dict[str, str], name: str = "small.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


def test_columns_are_summed_and_ids_joined(mapping: ImportMapping) -> None:
    table = read_wide(SMALL, mapping)
    assert len(table) == 6
    assert table.file == "small.csv"
    assert table.row_numbers.tolist() == [2, 3, 4, 5, 6, 7]
    assert table.station_ids[2] == "Область Северная/2 Озёрная/1"
    assert table.key_labels == ("region", "tik", "uik")
    assert table.lines[Line.ISSUED].tolist() == [600, 505, 300, 900, 400, 260]
    assert table.lines[Line.RECEIVED].tolist() == [900, 700, 452, 1100, 500, 300]
    assert table.lines[Line.CANCELLED].tolist() == [280, 185, 152, 150, 100, 35]
    assert table.votes.sum(axis=0).tolist() == [1410, 950, 606]
    assert not table.bad.any()
    assert table.definable.all()
    assert table.error_count == 0


def test_a_zip_is_read_in_place_and_named_archive_member(
    tmp_path: Path, mapping: ImportMapping
) -> None:
    text = SMALL.read_text(encoding="utf-8")
    archive = zipped(tmp_path, {"small.csv": text, "README.txt": "not a table"})
    table = read_wide(archive, mapping)
    assert table.file == "small.zip:small.csv"
    assert table.votes.tolist() == read_wide(SMALL, mapping).votes.tolist()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["small.zip"]


def test_a_zip_with_several_tables_needs_the_member_named(
    tmp_path: Path, mapping: ImportMapping
) -> None:
    text = SMALL.read_text(encoding="utf-8")
    archive = zipped(tmp_path, {"a.csv": text, "b.csv": text})
    with pytest.raises(IngestError) as caught:
        read_wide(archive, mapping)
    assert str(caught.value) == (
        "small.zip: expected a zip archive holding exactly one .csv file (or name one with "
        "file.member), found ['a.csv', 'b.csv']"
    )
    table = read_wide(archive, mapping_with(file={"member": "b.csv"}))
    assert table.file == "small.zip:b.csv"


def test_other_encodings_delimiters_and_a_byte_order_mark(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8")
    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes(text.replace(",", ";").encode("cp1251"))
    table = read_wide(cp1251, mapping_with(file={"encoding": "cp1251", "delimiter": ";"}))
    assert table.station_ids[0] == "Область Северная/1 Северная/1"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_wide(bom, mapping_with()).station_ids == table.station_ids


def test_undecodable_text_names_its_line(tmp_path: Path, mapping: ImportMapping) -> None:
    lines = SMALL.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "mixed.csv"
    path.write_bytes("".join(lines[:3]).encode("utf-8") + "".join(lines[3:]).encode("cp1251"))
    with pytest.raises(IngestError) as caught:
        read_wide(path, mapping)
    assert str(caught.value).startswith(
        "mixed.csv, row 4: expected text in the encoding utf-8 (set file.encoding in the "
        "mapping), found b'\\xce"
    )


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(
    tmp_path: Path, mapping: ImportMapping
) -> None:
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "blank.csv"
    path.write_text("\n".join([*lines[:3], "", ",,,", *lines[3:]]) + "\n", encoding="utf-8")
    table = read_wide(path, mapping)
    assert table.row_numbers.tolist() == [2, 3, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"lines": {"voters": 40}},
            "small.csv, row 1 (header), field 'column 40': expected a column position from 1 "
            "to 19 (mapping: lines.voters)",
        ),
        (
            {"lines": {"voters": "Число избирателей", "ballots_valid": 4}},
            "small.csv, row 1 (header), field 'Число избирателей': expected a column mapped "
            "once (lines.voters and lines.ballots_valid)",
        ),
        (
            {"lines": {"voters": "Число избирателей"}, "ignore": ["url", "Число избирателей"]},
            "small.csv, row 1 (header), field 'Число избирателей': expected a column either "
            "mapped (lines.voters) or ignored",
        ),
        (
            {"lines": {"voters": "Число избирателей"}},
            "small.csv, row 1 (header), field 'Получено бюллетеней': expected a column that "
            "the mapping uses or lists in 'ignore'",
        ),
    ],
)
def test_header_errors_are_on_row_one(change: dict[str, object], message: str) -> None:
    with pytest.raises(IngestError) as caught:
        read_wide(SMALL, mapping_with(**change))
    assert str(caught.value) == message


def test_a_header_name_used_twice_must_be_named_by_position(
    tmp_path: Path, mapping: ImportMapping
) -> None:
    text = SMALL.read_text(encoding="utf-8").replace(",url", ",Погашено", 1)
    path = tmp_path / "twice.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_wide(path, mapping)
    assert str(caught.value) == (
        "twice.csv, row 1 (header), field 'Погашено': expected a header name used once "
        "(columns 9 and 19 have it): name the column by its position (mapping: "
        "lines.ballots_cancelled)"
    )


def test_files_without_rows_or_header(tmp_path: Path, mapping: ImportMapping) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(IngestError, match=r"empty.csv, row 1 \(header\): expected a header"):
        read_wide(empty, mapping)
    header_only = tmp_path / "header.csv"
    header_only.write_text(SMALL.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
    with pytest.raises(IngestError, match=r"header\.csv: expected at least one row"):
        read_wide(header_only, mapping)
    with pytest.raises(IngestError, match=r"nothing\.csv: expected an existing file"):
        read_wide(tmp_path / "nothing.csv", mapping)


def test_integers_fast_and_slow_path() -> None:
    values, bad = integers(["12", "0", "007", "3"])
    assert values.tolist() == [12, 0, 7, 3]
    assert bad == []
    values, bad = integers([" 12 ", "-3", "+4", "1_000", "٥", "", "5.0", "x", "1" * 19, "42"])
    assert values.tolist() == [12, 0, 0, 0, 0, 0, 0, 0, 0, 42]
    assert bad == [1, 2, 3, 4, 5, 6, 7, 8]
    values, bad = integers(["1", ""])
    assert bad == [1]
    assert values.dtype == np.int64


def test_bad_cells_mark_rows_and_keep_the_rest(tmp_path: Path, mapping: ImportMapping) -> None:
    text = SMALL.read_text(encoding="utf-8").replace(",1000,900,", ",1000,девятьсот,", 1)
    path = tmp_path / "one-bad.csv"
    path.write_text(text, encoding="utf-8")
    table = read_wide(path, mapping)
    assert table.bad.tolist() == [True, False, False, False, False, False]
    assert table.definable.tolist() == [True] * 6
    assert [str(e) for e in table.errors] == [
        "one-bad.csv, row 2, field 'Получено бюллетеней': expected a whole number of 0 or more, "
        "found 'девятьсот'"
    ]
    assert table.lines[Line.RECEIVED].tolist()[1:] == [700, 452, 1100, 500, 300]


def test_a_row_without_readable_voters_or_id_cannot_define_its_station(
    tmp_path: Path, mapping: ImportMapping
) -> None:
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",1,1000,", ",1,тысяча,", 1)
    lines[2] = lines[2].replace("Область Северная,1 Северная,2,", "Область Северная, ,2,", 1)
    path = tmp_path / "undefined.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_wide(path, mapping)
    assert table.definable.tolist() == [False, False, True, True, True, True]
    assert [str(e) for e in table.errors] == [
        "undefined.csv, row 2, field 'Число избирателей': expected a whole number of 0 or more, "
        "found 'тысяча'",
        "undefined.csv, row 3, field 'tik': expected a non-empty value (part of a station id), "
        "found ''",
    ]
