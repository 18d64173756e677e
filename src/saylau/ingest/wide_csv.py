"""Wide CSV files: one row per polling station, one column per protocol line and per party
or candidate, read through an :class:`~saylau.ingest.mapping.ImportMapping`.

A ``.zip`` archive holding one ``.csv`` file (or the member the mapping names) is read
without extracting it to disk; its name in messages is ``archive.zip:member.csv``.

Problems that stop the whole file (it cannot be opened or decoded, the header lacks a mapped
column or has a column the mapping does not account for) raise :class:`IngestError`. Problems
of single rows (a cell that is not a whole number of 0 or more, a wrong number of fields, an
empty station id, the same station twice) do not: the row is marked bad and the error kept,
naming the file, the row (1 is the header), the column (its header text) and what was
expected, so the caller can refuse the file or keep the good rows.

Numbers are converted a column at a time: one check of the column's joined text proves that
every cell is plain digits, and NumPy parses the joined text at once; only a column that
fails is walked cell by cell, to name each bad cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from saylau.core.protocol import Line
from saylau.ingest.errors import IngestError
from saylau.ingest.mapping import ColumnRef, ImportMapping

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_ERRORS = 1000
"""Row errors kept in detail (in row order); all are counted."""
INTEGER = "a whole number of 0 or more"
MAX_DIGITS = 18
LARGEST = np.iinfo(np.int64).max

Opener = Callable[[ExitStack], IO[bytes]]


@dataclass(frozen=True)
class WideTable:
    """The rows of a wide file as columns. Row ``i`` is record ``row_numbers[i]`` of the file
    (the header is 1); ``keys[c][i]`` is the value of station column ``c``; ``lines`` holds
    the mapped lines (sums of their columns); ``votes`` one column per mapped choice, in the
    mapping's order. Bad rows hold zeros where a cell was unreadable."""

    file: str
    header: tuple[str, ...]
    row_numbers: IntArray
    key_labels: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]
    station_ids: tuple[str, ...]
    lines: dict[Line, IntArray]
    votes: IntArray
    bad: BoolArray
    definable: BoolArray
    """Rows whose station id and voters are readable, first row of their station: what a
    definition created from the file may use."""
    errors: tuple[IngestError, ...]
    error_count: int

    def __len__(self) -> int:
        return len(self.station_ids)


def _source(path: Path, member: str | None) -> tuple[str, Opener]:
    if not path.is_file():
        raise IngestError(path.name, None, None, "an existing file", str(path))
    if not zipfile.is_zipfile(path):
        if member is not None:
            raise IngestError(
                path.name, None, None, f"a zip archive (the mapping names its member {member!r})"
            )
        return path.name, lambda stack: stack.enter_context(path.open("rb"))
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise IngestError(path.name, None, None, "a readable zip archive", str(error)) from None
    tables = [n for n in names if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")]
    if member is not None and member not in names:
        raise IngestError(path.name, None, None, f"a member named {member!r}", names)
    if member is None and len(tables) != 1:
        raise IngestError(
            path.name,
            None,
            None,
            "a zip archive holding exactly one .csv file (or name one with file.member)",
            tables,
        )
    chosen = member if member is not None else tables[0]

    def opener(stack: ExitStack) -> IO[bytes]:
        archive = stack.enter_context(zipfile.ZipFile(path))
        return stack.enter_context(archive.open(chosen))

    return f"{path.name}:{chosen}", opener


def _encoding(name: str) -> str:
    """UTF-8 files may start with a byte order mark."""
    return "utf-8-sig" if codecs.lookup(name).name == "utf-8" else name


def _decode_error(label: str, opener: Opener, name: str) -> IngestError:
    """Find the line that cannot be decoded (only on the error path)."""
    expected = f"text in the encoding {name} (set file.encoding in the mapping)"
    decoder = codecs.getincrementaldecoder(_encoding(name))()
    with ExitStack() as stack:
        for number, line in enumerate(opener(stack), start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as error:
                return IngestError(label, number, None, expected, line[error.start : error.end])
    return IngestError(label, None, None, expected)


def _records(
    label: str, opener: Opener, mapping: ImportMapping
) -> tuple[list[str], list[int], list[list[str]]]:
    encoding = _encoding(mapping.encoding)
    numbers: list[int] = []
    records: list[list[str]] = []
    with ExitStack() as stack:
        try:
            stream = io.TextIOWrapper(opener(stack), encoding=encoding, newline="")
        except OSError as error:
            raise IngestError(label, None, None, "a readable file", str(error)) from None
        reader = csv.reader(stream, delimiter=mapping.delimiter)
        try:
            header = next(reader, None)
            for number, record in enumerate(reader, start=2):
                if any(record):
                    numbers.append(number)
                    records.append(record)
        except UnicodeDecodeError:
            raise _decode_error(label, opener, mapping.encoding) from None
        except csv.Error as error:
            raise IngestError(label, reader.line_num, None, "well-formed CSV", str(error)) from None
        except (OSError, zipfile.BadZipFile) as error:
            raise IngestError(label, None, None, "a readable file", str(error)) from None
    if header is None or not any(cell.strip() for cell in header):
        raise IngestError(label, 1, None, "a header row naming the columns")
    if not records:
        raise IngestError(label, None, None, "at least one row of protocols after the header")
    return [cell.strip() for cell in header], numbers, records


def _columns(label: str, header: list[str], mapping: ImportMapping) -> list[int]:
    """The position of every column the mapping uses, in the order of
    :meth:`ImportMapping.uses`; checks that every other column is ignored."""
    where: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        where.setdefault(name, []).append(index)

    def position(ref: ColumnRef, key: str) -> int:
        if isinstance(ref, int):
            if ref > len(header):
                raise IngestError(
                    label,
                    1,
                    f"column {ref}",
                    f"a column position from 1 to {len(header)} (mapping: {key})",
                )
            return ref - 1
        found = where.get(ref, [])
        if not found:
            raise IngestError(
                label, 1, ref, f"a column with this name in the header (mapping: {key})"
            )
        if len(found) > 1:
            shown = " and ".join(str(i + 1) for i in found)
            raise IngestError(
                label,
                1,
                ref,
                f"a header name used once (columns {shown} have it): name the column by its "
                f"position (mapping: {key})",
            )
        return found[0]

    used: dict[int, str] = {}
    positions: list[int] = []
    for ref, key in mapping.uses():
        at = position(ref, key)
        if at in used:
            raise IngestError(
                label, 1, _label(header, at), f"a column mapped once ({used[at]} and {key})"
            )
        used[at] = key
        positions.append(at)
    ignored: set[int] = set()
    for ref in mapping.ignore:
        if isinstance(ref, int):
            ignored.update([ref - 1] if ref <= len(header) else [])
        else:
            ignored.update(where.get(ref, []))
    for at in sorted(ignored & set(used)):
        raise IngestError(
            label, 1, _label(header, at), f"a column either mapped ({used[at]}) or ignored"
        )
    for at in range(len(header)):
        if at not in used and at not in ignored:
            raise IngestError(
                label, 1, _label(header, at), "a column that the mapping uses or lists in 'ignore'"
            )
    return positions


def _label(header: Sequence[str], at: int) -> str:
    return header[at] or f"column {at + 1}"


def integers(cells: Sequence[str]) -> tuple[IntArray, list[int]]:
    """A column of cells as integers and the indices of the cells that are not a whole
    number of 0 or more (surrounding spaces allowed; they hold 0)."""
    joined = ",".join(cells)
    digits = joined.replace(",", "")
    if digits.isdigit() and digits.isascii():
        # Every cell is digits or empty; NumPy parses them all at once. An empty cell
        # shortens the result or stops the parser; a number too large for int64 comes
        # back as the largest int64. Either sends the column to the slow path.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                values = np.fromstring(joined, dtype=np.int64, sep=",")
            if len(values) == len(cells) and not (values == LARGEST).any():
                return values, []
        except (ValueError, Warning):
            pass
    parsed: list[int] = []
    bad: list[int] = []
    for index, cell in enumerate(cells):
        text = cell.strip()
        if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS:
            parsed.append(int(text))
        else:
            parsed.append(0)
            bad.append(index)
    return np.array(parsed, dtype=np.int64), bad


class _Problems:
    """Row errors in row order: the first :data:`MAX_ERRORS` in detail, all counted."""

    def __init__(self, label: str, numbers: list[int], size: int):
        self.label = label
        self.numbers = numbers
        self.bad = np.zeros(size, dtype=np.bool_)
        self.kept: list[tuple[int, int, IngestError]] = []
        self.count = 0

    def add(
        self, rows: Sequence[int], column: int, field: str | None, expected: str, found: object
    ) -> None:
        """Errors for ``rows`` (indices); ``found`` is one value or one per row."""
        if not rows:
            return
        self.bad[np.asarray(rows, dtype=np.int64)] = True
        self.count += len(rows)
        for n, row in enumerate(rows[:MAX_ERRORS]):
            shown = found[n] if isinstance(found, list) else found
            error = IngestError(self.label, self.numbers[row], field, expected, shown)
            self.kept.append((row, column, error))

    def errors(self) -> tuple[IngestError, ...]:
        self.kept.sort(key=lambda item: (item[0], item[1]))
        return tuple(error for _, _, error in self.kept[:MAX_ERRORS])


def read_wide(path: Path, mapping: ImportMapping) -> WideTable:
    """Read a wide file (or a zip holding one) through ``mapping``."""
    label, opener = _source(path, mapping.member)
    header, numbers, records = _records(label, opener, mapping)
    positions = iter(_columns(label, header, mapping))
    width, size = len(header), len(records)
    problems = _Problems(label, numbers, size)
    lengths = np.fromiter(map(len, records), np.int64, size)
    wrong = [int(i) for i in np.flatnonzero(lengths != width)]
    found = [len(records[i]) for i in wrong]
    problems.add(wrong, -1, None, f"{width} fields as in the header", found)
    for index in wrong:
        records[index] = ["0"] * width
    columns = list(zip(*records, strict=True))
    skip = problems.bad.copy()

    keys: list[tuple[str, ...]] = []
    key_positions: list[int] = []
    key_bad = skip.copy()
    for _ in mapping.station:
        at = next(positions)
        values = tuple(cell.strip() for cell in columns[at])
        empty = [i for i, v in enumerate(values) if not v and not skip[i]]
        problems.add(empty, at, _label(header, at), "a non-empty value (part of a station id)", "")
        key_bad[empty] = True
        keys.append(values)
        key_positions.append(at)

    def numbers_of(at: int) -> tuple[IntArray, list[int]]:
        values, bad = integers(columns[at])
        rows = [i for i in bad if not skip[i]]
        problems.add(rows, at, _label(header, at), INTEGER, [columns[at][i] for i in rows])
        return values, rows

    lines: dict[Line, IntArray] = {}
    voters_bad = np.zeros(size, dtype=np.bool_)
    for line, refs in mapping.lines.items():
        total = np.zeros(size, dtype=np.int64)
        for _ in refs:
            parsed, unreadable = numbers_of(next(positions))
            total += parsed
            if line is Line.VOTERS:
                voters_bad[unreadable] = True
        lines[line] = total
    votes = np.zeros((size, len(mapping.choices)), dtype=np.int64)
    for index, _ in enumerate(mapping.choices):
        votes[:, index] = numbers_of(next(positions))[0]

    station_ids = tuple("/".join(parts) for parts in zip(*keys, strict=True))
    definable = ~key_bad & ~voters_bad
    _duplicates(
        problems,
        station_ids,
        key_bad=key_bad,
        definable=definable,
        column=key_positions[-1],
        header=header,
    )
    return WideTable(
        file=label,
        header=tuple(header),
        row_numbers=np.array(numbers, dtype=np.int64),
        key_labels=tuple(_label(header, at) for at in key_positions),
        keys=tuple(keys),
        station_ids=station_ids,
        lines=lines,
        votes=votes,
        bad=problems.bad,
        definable=definable,
        errors=problems.errors(),
        error_count=problems.count,
    )


def _duplicates(
    problems: _Problems,
    station_ids: tuple[str, ...],
    *,
    key_bad: BoolArray,
    definable: BoolArray,
    column: int,
    header: Sequence[str],
) -> None:
    """Every row of a station that has several rows is bad (the first may still define the
    station); each later row names the first, the first names the second."""
    first: dict[str, int] = {}
    named: set[int] = set()
    numbers = problems.numbers
    field = _label(header, column)
    for index, station in enumerate(station_ids):
        if key_bad[index]:
            continue
        earlier = first.setdefault(station, index)
        if earlier == index:
            continue
        definable[index] = False
        expected = f"one row per station (row {numbers[earlier]} has station {station!r} too)"
        problems.add([index], column, field, expected, None)
        if earlier not in named:
            named.add(earlier)
            expected = f"one row per station (row {numbers[index]} has station {station!r} too)"
            problems.add([earlier], column, field, expected, None)
