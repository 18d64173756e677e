"""``VOTES.csv``: one line per party or candidate, ``name,votes[,kind]``, registration order."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from saylau.core.votes import Choice, ChoiceKind, ContestVotes
from saylau.ingest.errors import IngestError

COLUMNS = ("name", "votes", "kind")
KINDS = ", ".join(kind.value for kind in ChoiceKind)


def read_votes(path: Path) -> ContestVotes:
    """Read a votes file; every problem is an :class:`IngestError` naming row and field."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise IngestError(name, None, None, "a readable file", error.strerror) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(name, None, None, "UTF-8 text") from None
    return parse_votes(text, name)


def parse_votes(text: str, name: str) -> ContestVotes:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise IngestError(name, 1, None, "a header line 'name,votes' (optional ',kind')")
    header = [cell.strip().lower() for cell in rows[0]]
    for column in ("name", "votes"):
        if column not in header:
            raise IngestError(
                name,
                1,
                column,
                f"a column named '{column}' (header: name,votes[,kind])",
                ",".join(rows[0]),
            )
    for column in header:
        if column not in COLUMNS:
            raise IngestError(name, 1, column, "only the columns name, votes, kind", column)
        if header.count(column) > 1:
            raise IngestError(name, 1, column, "each column once", column)
    at = {column: header.index(column) for column in header}
    choices: list[Choice] = []
    seen: dict[str, int] = {}
    special: dict[ChoiceKind, int] = {}
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise IngestError(
                name, row_number, None, f"{len(header)} fields as in the header", len(row)
            )
        choice_name = row[at["name"]].strip()
        if not choice_name:
            raise IngestError(name, row_number, "name", "a non-empty name", row[at["name"]])
        if choice_name in seen:
            raise IngestError(
                name,
                row_number,
                "name",
                f"a name not used before (row {seen[choice_name]} has it already)",
                choice_name,
            )
        seen[choice_name] = row_number
        votes_text = row[at["votes"]].strip()
        if not votes_text.isdigit() or not votes_text.isascii():
            raise IngestError(
                name, row_number, "votes", "a whole number of votes, 0 or more", votes_text
            )
        kind_text = row[at["kind"]].strip().lower() if "kind" in at else ""
        try:
            kind = ChoiceKind(kind_text) if kind_text else ChoiceKind.PARTY
        except ValueError:
            raise IngestError(name, row_number, "kind", f"one of {KINDS}", kind_text) from None
        if kind is not ChoiceKind.PARTY:
            if kind in special:
                raise IngestError(
                    name,
                    row_number,
                    "kind",
                    f"one '{kind.value}' line only (row {special[kind]} is one)",
                    kind_text,
                )
            special[kind] = row_number
        choices.append(Choice(choice_name, int(votes_text), kind))
    if not any(choice.kind is ChoiceKind.PARTY for choice in choices):
        raise IngestError(name, None, "kind", "at least one party or candidate line")
    return ContestVotes.of(choices)
