"""What each feature holds about a person: for the export of their data and for erasing it.

The feature that owns the data declares it; the account pages only collect the
declarations (this module imports no feature). A feature declares, in its own module
`matchmaker/<feature>/personal_data.py`, one section per key of the JSON export:

    from matchmaker import personal_data

    def export(user) -> list[dict]:
        return [{"title": s.title, "created_at": personal_data.when(s.created_at)} ...]

    def erase(user) -> None:
        # Runs before the user row is deleted, in the same transaction (free a seat,
        # anonymise a text). What it causes is written there too (the notifications and
        # outbox e-mails telling others): it is committed with the deletion, or not at all.
        ...

    personal_data.declare("things", export=export, erase=erase, order=90)

`erase` is only needed for what the database's foreign keys do not already remove
(ON DELETE CASCADE) or anonymise (ON DELETE SET NULL). `order` places the key in the
export (smaller first; the existing keys use 10 to 80, so a new feature takes a larger
number). The app factory imports each feature's `personal_data` module; declaring the
same key again from the same module replaces it, so importing twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The account row (matchmaker.accounts.models.User); not imported, this module knows no feature.
Person = Any
Exporter = Callable[[Person], Any]
Eraser = Callable[[Person], None]


@dataclass(frozen=True)
class Section:
    key: str
    export: Exporter
    erase: Eraser | None
    order: int
    declared_in: str  # the module, to tell a repeated import from two features on one key


SECTIONS: dict[str, Section] = {}


class KeyTaken(Exception):
    """Two modules declared the same export key."""


def declare(key: str, *, export: Exporter, erase: Eraser | None = None, order: int) -> None:
    """A feature's section of the person's data (see the module's docstring)."""
    section = Section(key, export, erase, order, declared_in=export.__module__)
    existing = SECTIONS.get(key)
    if existing and existing.declared_in != section.declared_in:
        raise KeyTaken(f"{key!r} is declared by {existing.declared_in} already")
    SECTIONS[key] = section


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def export(user: Person) -> dict[str, Any]:
    """Every feature's section of the person's data, in the export's order."""
    return {section.key: section.export(user) for section in sections()}


def erase(user: Person) -> None:
    """Each feature's erasure, in the export's order, before the user row is deleted."""
    for section in sections():
        if section.erase:
            section.erase(user)


def when(value: datetime | None) -> str | None:
    """A moment as the export writes it (ISO 8601), or None."""
    return value.isoformat() if value else None
