"""The meeting grid of a matchmaking event: its slots, and which of them are free.

Pure Python (no Flask, no database). The organiser gives meeting sessions as wall-clock
windows at the place ("10 March 09:00-12:00" in Europe/Copenhagen), a meeting length and
a break; a slot starts every length + break minutes while a whole meeting still fits in
the window. Slots are counted on the wall clock and then placed in UTC, so a session on
the day clocks change keeps its local times; a local time that does not exist that day
(the hour skipped in spring) gives no slot.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_SLOTS = 400
# "2027-03-10 09:00-12:00"; an en dash between the times is read too.
_WINDOW = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})$")


@dataclass(frozen=True, order=True)
class Window:
    """One meeting session: a day and its local start and end."""

    day: date
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, order=True)
class Slot:
    """One meeting time: when it starts and ends (aware UTC) and its local day."""

    starts_at: datetime
    ends_at: datetime
    day: date


class GridError(ValueError):
    """Sessions that cannot make a grid; `code` names a translated message, `line` the
    offending session (1-based) where there is one."""

    def __init__(self, code: str, line: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.line = line


def parse_windows(text: str) -> list[Window]:
    """Sessions written one per line as `YYYY-MM-DD HH:MM-HH:MM`, sorted; GridError when a
    line does not read, ends before it starts, or overlaps another session."""
    windows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if line:
            windows.append(_window(line, number))
    if not windows:
        raise GridError("no_sessions")
    windows.sort()
    for earlier, later in itertools.pairwise(windows):
        if earlier.day == later.day and later.start < earlier.end:
            raise GridError("overlap")
    return windows


def _window(line: str, number: int) -> Window:
    found = _WINDOW.match(line)
    if found is None:
        raise GridError("unreadable", number)
    try:
        day = date.fromisoformat(found.group(1))
        start, end = (time.fromisoformat(part.zfill(5)) for part in found.group(2, 3))
    except ValueError:
        raise GridError("unreadable", number) from None
    if end <= start:
        raise GridError("ends_before_start", number)
    return Window(day, start, end)


def windows_text(windows: Iterable[Window]) -> str:
    return "\n".join(str(window) for window in windows)


def _exists(moment: datetime) -> bool:
    """False for a wall-clock time skipped by a clock change."""
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == (
        moment.replace(tzinfo=None)
    )


def build_slots(
    windows: Iterable[Window], timezone: str, length_minutes: int, break_minutes: int
) -> list[Slot]:
    """Every slot of the sessions, earliest first; GridError("too_many") past MAX_SLOTS."""
    if length_minutes < 5 or break_minutes < 0:
        raise GridError("length")
    zone = ZoneInfo(timezone)
    step = timedelta(minutes=length_minutes + break_minutes)
    length = timedelta(minutes=length_minutes)
    slots: list[Slot] = []
    for window in sorted(windows):
        start = datetime.combine(window.day, window.start)
        end = datetime.combine(window.day, window.end)
        while start + length <= end:
            local = start.replace(tzinfo=zone)
            if _exists(local):
                begins = local.astimezone(UTC)
                slots.append(
                    Slot(begins, (start + length).replace(tzinfo=zone).astimezone(UTC), window.day)
                )
            if len(slots) > MAX_SLOTS:
                raise GridError("too_many")
            start += step
    return slots


def slot_at(slots: Iterable[Slot], starts_at: datetime) -> Slot | None:
    """The grid's slot starting at `starts_at` (aware), or None when there is none."""
    wanted = starts_at.astimezone(UTC)
    return next((slot for slot in slots if slot.starts_at == wanted), None)


def free_for_both(
    slots: Iterable[Slot], busy: Iterable[datetime], other_busy: Iterable[datetime]
) -> list[Slot]:
    """The slots neither person has taken (by a meeting or by marking themselves away)."""
    taken = {moment.astimezone(UTC) for moment in (*busy, *other_busy)}
    return [slot for slot in slots if slot.starts_at not in taken]
