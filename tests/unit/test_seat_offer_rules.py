"""The pure rules of seat offers: until when an offer stands, when its reminder goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matchmaker.events.seats import offer_deadline, reminder_due

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
IN_A_MONTH = NOW + timedelta(days=30)


def test_an_offer_stands_for_the_hours_the_organiser_set():
    assert offer_deadline(NOW, 48, IN_A_MONTH) == NOW + timedelta(hours=48)


def test_an_offer_never_stands_past_the_start_of_the_event():
    starts = NOW + timedelta(hours=10)
    assert offer_deadline(NOW, 48, starts) == starts
    # SQLite hands back naive UTC: read as UTC.
    assert offer_deadline(NOW, 48, starts.replace(tzinfo=None)) == starts


def test_the_reminder_goes_when_a_quarter_of_the_time_is_left():
    offered = NOW
    assert reminder_due(offered, offered + timedelta(hours=48)) == offered + timedelta(hours=36)
    assert reminder_due(offered, offered + timedelta(hours=4)) == offered + timedelta(hours=3)


def test_the_reminder_goes_a_day_before_at_the_earliest():
    expires = NOW + timedelta(hours=168)
    assert reminder_due(NOW, expires) == expires - timedelta(hours=24)


def test_an_offer_cut_short_by_the_start_is_reminded_of_within_its_own_time():
    # Offered 8 hours before the start: reminded with 2 hours left, not 12 (before the offer).
    expires = NOW + timedelta(hours=8)
    assert reminder_due(NOW.replace(tzinfo=None), expires) == expires - timedelta(hours=2)
