"""The meeting grid: sessions as organisers write them, slots across days, breaks and
clock changes, and free slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from matchmaker.meetings import grid


def test_sessions_are_read_one_per_line_and_sorted():
    windows = grid.parse_windows("2027-03-11 13:00-15:00\n\n 2027-03-10 9:00 \u2013 12:00 ")
    assert windows == [
        grid.Window(date(2027, 3, 10), time(9), time(12)),
        grid.Window(date(2027, 3, 11), time(13), time(15)),
    ]
    assert grid.windows_text(windows) == "2027-03-10 09:00-12:00\n2027-03-11 13:00-15:00"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "no_sessions", 0),
        ("tomorrow morning", "unreadable", 1),
        ("2027-03-10 09:00-12:00\n2027-02-30 09:00-12:00", "unreadable", 2),
        ("2027-03-10 25:00-26:00", "unreadable", 1),
        ("2027-03-10 12:00-09:00", "ends_before_start", 1),
        ("2027-03-10 09:00-12:00\n2027-03-10 11:00-13:00", "overlap", 0),
    ],
)
def test_sessions_that_do_not_read_say_why_and_where(text, code, line):
    with pytest.raises(grid.GridError) as error:
        grid.parse_windows(text)
    assert (error.value.code, error.value.line) == (code, line)


def test_a_slot_starts_every_meeting_and_break_while_a_whole_meeting_fits():
    windows = grid.parse_windows("2027-03-10 09:00-10:00\n2027-03-10 13:00-13:30")
    slots = grid.build_slots(windows, "Europe/Copenhagen", 20, 5)
    local = [s.starts_at.astimezone(grid.ZoneInfo("Europe/Copenhagen")) for s in slots]
    assert [f"{m:%H:%M}" for m in local] == ["09:00", "09:25", "13:00"]
    assert all((s.ends_at - s.starts_at).total_seconds() == 1200 for s in slots)
    assert slots[0].starts_at == datetime(2027, 3, 10, 8, 0, tzinfo=UTC)  # CET = UTC+1


def test_slots_keep_their_local_times_on_the_day_clocks_change():
    # 28 March 2027: Oslo goes from 02:00 to 03:00.
    windows = grid.parse_windows("2027-03-27 09:00-10:00\n2027-03-28 01:00-04:00")
    slots = grid.build_slots(windows, "Europe/Oslo", 30, 0)
    zone = grid.ZoneInfo("Europe/Oslo")
    local = [f"{s.starts_at.astimezone(zone):%d %H:%M}" for s in slots]
    # 02:00 and 02:30 do not exist that night: no slot for them.
    assert local == ["27 09:00", "27 09:30", "28 01:00", "28 01:30", "28 03:00", "28 03:30"]
    assert slots[0].starts_at.utcoffset().total_seconds() == 0
    assert slots[0].starts_at.hour == 8 and slots[-1].starts_at.hour == 1  # +1, then +2


def test_a_grid_of_more_than_the_limit_is_refused():
    windows = [grid.Window(date(2027, 3, d), time(0), time(23, 59)) for d in range(1, 10)]
    with pytest.raises(grid.GridError) as error:
        grid.build_slots(windows, "UTC", 5, 0)
    assert error.value.code == "too_many"


def test_free_slots_leave_out_what_either_person_has_taken():
    slots = grid.build_slots(grid.parse_windows("2027-03-10 09:00-11:00"), "UTC", 30, 0)
    a_busy = [slots[0].starts_at]
    b_busy = [slots[2].starts_at.astimezone(grid.ZoneInfo("Europe/Warsaw"))]
    free = grid.free_for_both(slots, a_busy, b_busy)
    assert free == [slots[1], slots[3]]
    assert grid.slot_at(slots, slots[3].starts_at) == slots[3]
    assert grid.slot_at(slots, datetime(2027, 3, 10, 9, 10, tzinfo=UTC)) is None
