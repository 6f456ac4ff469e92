"""The organiser's participant list as CSV columns: what each person agreed to share. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from matchmaker.events.times import at_place

FIXED_COLUMNS = (
    "name",
    "organisation",
    "country",
    "status",
    "position",
    "signed_up_at",
    "email",
    "phone",
)


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
    answers: dict[str, str]  # by question key, as the reader reads them


def csv_columns(
    rows: list[Row], headings: dict[str, str], questions: list[tuple[str, str]], zone: str
) -> tuple[list[str], list[list]]:
    """`headings` names the fixed columns in the reader's language; one column per question,
    `questions` being (key, heading) pairs."""
    header = [headings[key] for key in FIXED_COLUMNS] + [heading for _key, heading in questions]
    keys = [key for key, _heading in questions]
    return header, [_cells(row, keys, zone) for row in rows]


def _cells(row: Row, questions: list[str], zone: str) -> list:
    signed_up = at_place(row.signed_up_at, zone).strftime("%Y-%m-%d %H:%M %Z")
    return [
        row.name,
        row.organisation,
        row.country,
        row.status,
        row.position,
        signed_up,
        row.email,
        row.phone,
        *(row.answers.get(q, "") for q in questions),
    ]
