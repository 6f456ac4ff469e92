"""Events as iCalendar (RFC 5545), for one download or a person's feed. Pure.

Each event keeps one UID for life and a SEQUENCE that grows with its revision, so a
calendar that already holds it replaces the entry on an update or a cancellation
instead of adding a second one. Times carry the place's time zone (with its VTIMEZONE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from matchmaker.events.times import at_place, aware

PRODUCT_ID = "-//Matchmaker//Health innovation events//EN"

# Other features' entries for a person's private feed (e.g. their meetings at events):
# each source is called with (user, language) and returns a list of Entry. The feature
# that owns the data adds its source here; this module knows none of them.
FEED_SOURCES: list = []


def add_feed_source(source) -> None:
    if source not in FEED_SOURCES:
        FEED_SOURCES.append(source)


@dataclass(frozen=True)
class Entry:
    uid: str
    sequence: int
    title: str
    description: str
    location: str
    url: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    updated_at: datetime
    cancelled: bool = False
    tentative: bool = False  # planned, but the time may still change


def uid_of(event_id: int, domain: str) -> str:
    return f"event-{event_id}@{domain}"


def calendar(entries: list[Entry], name: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for entry in entries:
        item = CalendarEvent()
        item.add("uid", entry.uid)
        item.add("sequence", entry.sequence)
        item.add("dtstamp", aware(now))
        item.add("last-modified", aware(entry.updated_at))
        item.add("summary", entry.title)
        item.add("dtstart", at_place(entry.starts_at, entry.timezone))
        item.add("dtend", at_place(entry.ends_at, entry.timezone))
        if entry.location:
            item.add("location", entry.location)
        item.add("description", f"{entry.description}\n\n{entry.url}".strip())
        item.add("url", entry.url)
        item.add("status", _status(entry))
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def _status(entry: Entry) -> str:
    if entry.cancelled:
        return "CANCELLED"
    return "TENTATIVE" if entry.tentative else "CONFIRMED"
