"""Errors of the ingest layer.

``IngestError``: a file cannot be read into the core model. It names the file, the row (1 is
the header), the field and what was expected, so the operator can find and mend the line."""

from __future__ import annotations


class IngestError(Exception):
    def __init__(
        self, file: str, row: int | None, field: str | None, expected: str, found: object = None
    ):
        self.file = file
        self.row = row
        self.field = field
        self.expected = expected
        self.found = found
        where = file
        if row is not None:
            where += f", row {row}" + (" (header)" if row == 1 else "")
        if field is not None:
            where += f", field '{field}'"
        text = f"{where}: expected {expected}"
        if found is not None:
            text += f", found {found!r}"
        super().__init__(text)
