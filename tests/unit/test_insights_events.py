"""The Events figures and the organisers' day-by-day table, against rows counted by hand."""

from __future__ import annotations

from datetime import date, datetime

from matchmaker.insights.events import (
    Day,
    EventRow,
    MeetingRow,
    ParticipantRow,
    SignUp,
    event_figures,
    meeting_outcome,
    timeline,
)

TODAY = date(2025, 5, 20)  # Q2 2025: the 8 quarters are Q3 2023 … Q2 2025

EVENTS = [
    EventRow(1, "matchmaking", "NO", date(2025, 5, 2)),
    EventRow(2, "study_visit", "DK", date(2025, 4, 1)),
    EventRow(3, "study_visit", "PL", date(2024, 11, 30)),
    EventRow(4, "conference", "PL", date(2023, 6, 30)),  # before the 8 quarters
]
PARTICIPANTS = [
    ParticipantRow(1, "PL", "startup"),
    ParticipantRow(1, "NO", "hospital"),
    ParticipantRow(1, "DK", "sme"),
    ParticipantRow(2, "DK", "sme"),
    ParticipantRow(2, None, None),  # without an organisation: in the total only
    ParticipantRow(3, "PL", "university"),
    ParticipantRow(4, "PL", "startup"),  # its event is too old
]
MEETINGS = [
    MeetingRow(1, ("talks", "agreement")),
    MeetingRow(1, ("none", None)),
    MeetingRow(1, (None, None)),
    MeetingRow(3, ("talks", "none")),
    MeetingRow(4, ("agreement", "agreement")),  # its event is too old
]


def test_events_per_quarter_by_kind_from_the_quarter_they_ended():
    found = event_figures(EVENTS, PARTICIPANTS, MEETINGS, TODAY)
    assert found.quarters[0] == (2023, 3) and found.quarters[-1] == (2025, 2)
    per_quarter = dict(zip(found.quarters, found.per_quarter, strict=True))
    assert per_quarter[(2025, 2)] == (1, 1, 0)  # study visit, matchmaking, conference
    assert per_quarter[(2024, 4)] == (1, 0, 0)
    assert sum(map(sum, found.per_quarter)) == 3 == found.events


def test_participants_by_country_and_kind_without_an_organisation_in_the_total_only():
    found = event_figures(EVENTS, PARTICIPANTS, MEETINGS, TODAY)
    assert found.participants == 6
    assert found.participant_countries == (("DK", 2), ("PL", 2), ("NO", 1))
    assert found.participant_kinds == (
        ("sme", 2),
        ("hospital", 1),
        ("startup", 1),
        ("university", 1),
    )


def test_meetings_count_for_the_furthest_outcome_either_side_gave():
    found = event_figures(EVENTS, PARTICIPANTS, MEETINGS, TODAY)
    assert found.meetings == 4
    assert found.outcomes == (("agreement", 1), ("talks", 1), ("none", 1), ("unanswered", 1))
    assert meeting_outcome(("none", "talks")) == "talks"
    assert meeting_outcome((None, None)) == "unanswered"


def test_a_country_keeps_its_events_their_participants_and_meetings():
    found = event_figures(EVENTS, PARTICIPANTS, MEETINGS, TODAY, country="PL")
    assert found.events == 1 and found.participants == 1
    assert found.participant_countries == (("PL", 1),)
    assert found.outcomes == (("talks", 1),)


def test_nothing_held_gives_empty_figures():
    found = event_figures([], [], [], TODAY)
    assert found.events == found.participants == found.meetings == 0
    assert found.outcomes == () and found.participant_countries == ()
    assert set(found.per_quarter) == {(0, 0, 0)}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour)


def test_the_timeline_counts_seats_and_the_waiting_list_at_the_end_of_each_day():
    sign_ups = [
        SignUp(created=at(1), seated=at(1), ended=None),  # a seat at once
        SignUp(created=at(1, 13), seated=at(1, 13), ended=at(3)),  # gave it up on the 3rd
        SignUp(created=at(2), seated=at(3, 14), ended=None),  # waited, then had the seat
        SignUp(created=at(2, 15), seated=None, ended=at(5)),  # waited, then left
    ]
    assert timeline(sign_ups, date(2025, 3, 6)) == (
        Day(date(2025, 3, 1), signed_up=2, seats=2, waiting=0, ended=0),
        Day(date(2025, 3, 2), signed_up=2, seats=2, waiting=2, ended=0),
        Day(date(2025, 3, 3), signed_up=0, seats=2, waiting=1, ended=1),
        # the 4th is as the 3rd: left out
        Day(date(2025, 3, 5), signed_up=0, seats=2, waiting=0, ended=1),
    )


def test_no_sign_up_no_timeline():
    assert timeline([], date(2025, 3, 6)) == ()
