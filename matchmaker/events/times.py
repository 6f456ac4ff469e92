"""Times of events: entered and shown in the place's time zone, stored in UTC. Pure."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime
from functools import cache

from babel.core import get_global
from babel.dates import format_date, format_skeleton, get_timezone_location

from matchmaker.i18n import formatting_locale, moment_text, time_text


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str | None) -> bool:
    return bool(name) and name in known_zones()


def zone_choices() -> list[str]:
    """Every IANA zone of a place (no legacy aliases such as "US/Eastern" or "Etc/GMT+3")."""
    return sorted(
        name
        for name in known_zones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")) and name[0].isupper()
    )


def zone_of_country(country: str | None) -> str | None:
    """The country's time zone when it has one (PL, DK, NO…); None when it has several."""
    zones = get_global("territory_zones").get((country or "").upper(), [])
    return zones[0] if len(zones) == 1 else None


def to_utc(local: datetime, zone: str) -> datetime:
    """A wall-clock time at the place (naive) as an aware UTC time."""
    return local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def at_place(moment: datetime, zone: str) -> datetime:
    """An aware (or naive UTC, as SQLite returns it) time as the place's wall clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive UTC; PostgreSQL aware. Compare them as aware."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def when(starts: datetime, ends: datetime, zone: str, lang: str) -> str:
    """The event's days and hours at the place, in the reader's language and its own date
    and time patterns, e.g. "onsdag den 10. marts 2027, 09.00 to 16.00 (Norge-tid)"."""
    locale = formatting_locale(lang)
    start, end = at_place(starts, zone), at_place(ends, zone)
    zone_name = zone_label(zone, lang)
    start_time, end_time = time_text(start, lang, start.tzinfo), time_text(end, lang, end.tzinfo)
    # The one date style (i18n.DATE_STYLE) with the weekday: "full" is "long" and the day.
    day = format_date(start, "full", locale=locale)
    if start.date() == end.date():
        return f"{day}, {start_time}–{end_time} ({zone_name})"  # noqa: RUF001 (en dash)
    end_day = format_date(end, "full", locale=locale)
    return f"{day}, {start_time} – {end_day}, {end_time} ({zone_name})"  # noqa: RUF001


def moment(value: datetime, zone: str, lang: str) -> str:
    """One time at the place: "10 marca 2027 09:00 (czas: Norwegia)"."""
    local = moment_text(value, lang, zoneinfo.ZoneInfo(zone))
    return f"{local} ({zone_label(zone, lang)})"


@cache
def zone_choices_in(lang: str) -> list[tuple[str, str]]:
    """(zone, its name in the reader's words) for every zone of a place, sorted by name."""
    return sorted(
        ((zone, f"{zone_label(zone, lang)} · {zone}") for zone in zone_choices()),
        key=lambda pair: pair[1].casefold(),
    )


def zone_label(zone: str, lang: str) -> str:
    """ "Norway Time", "czas: Norwegia": the zone named by its place, in the reader's words."""
    return get_timezone_location(zoneinfo.ZoneInfo(zone), locale=formatting_locale(lang))


def month_label(year: int, month: int, lang: str) -> str:
    """A month as the reader names it: "December 2026", "grudzień 2026"."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=formatting_locale(lang))


def month_bounds(month: str, zone: str = "UTC") -> tuple[datetime, datetime] | None:
    """ "2026-12" as [start, end) in UTC; None when it is not a month."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        return None
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    start = to_utc(datetime.combine(first, datetime.min.time()), zone)
    end = to_utc(datetime.combine(following, datetime.min.time()), zone)
    return start, end
