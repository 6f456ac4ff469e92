"""The organiser's participant list as CSV: what each person agreed to share. Pure."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from matchmaker.events.times import at_place

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Row:
    name: str
    organisation: str
    country: str
    status: str
    position: int | None
    signed_up_at: datetime
    email: str | None  # None: not shared
    phone: str | None
    answers: dict[str, str]


def to_csv(rows: list[Row], headings: dict[str, str], questions: list[str], zone: str) -> str:
    """`headings` names the fixed columns in the reader's language; one column per question."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    fixed = (
        "name",
        "organisation",
        "country",
        "status",
        "position",
        "signed_up_at",
        "email",
        "phone",
    )
    writer.writerow([cell(headings[key]) for key in fixed] + [cell(q) for q in questions])
    for row in rows:
        signed_up = at_place(row.signed_up_at, zone).strftime("%Y-%m-%d %H:%M %Z")
        writer.writerow(
            [
                cell(row.name),
                cell(row.organisation),
                cell(row.country),
                cell(row.status),
                "" if row.position is None else row.position,
                signed_up,
                cell(row.email or ""),
                cell(row.phone or ""),
            ]
            + [cell(row.answers.get(q, "")) for q in questions]
        )
    return "\ufeff" + out.getvalue()  # a byte-order mark: spreadsheets then read UTF-8
