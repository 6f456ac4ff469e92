"""One CSV writer for every download: register exports, participant lists, reports.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or line break
before one) as a formula, so a name like `=HYPERLINK("http://evil.example", "click")`
written by one organisation would run on another's computer. Following OWASP's advice
on CSV injection, every such text cell is written with a leading apostrophe, which
spreadsheets show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value) -> str | int | float:
    """`value` as a cell a spreadsheet shows and never runs; lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    # Spreadsheets may trim leading spaces on import before they look for a formula.
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


class CsvStream:
    """A CSV file written row by row into `stream` (a large file need not be held in
    memory), with a byte-order mark first so that spreadsheets read it as UTF-8."""

    def __init__(self, stream) -> None:
        stream.write("\ufeff")
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def row(self, values: Iterable) -> None:
        self._writer.writerow([cell(value) for value in values])


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The whole file as one text."""
    out = io.StringIO()
    writer = CsvStream(out)
    writer.row(header)
    for row in rows:
        writer.row(row)
    return out.getvalue()


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence], filename: str, private: bool = False
) -> Response:
    """A CSV download; `private` ones (personal data) are kept out of every cache."""
    response = Response(to_csv(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response
