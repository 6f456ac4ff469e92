"""The pure parts of events: time zones, sign-up questions, the calendar, the CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from matchmaker import csv_writer
from matchmaker.events import calendar, export, questions, times


def test_wall_clock_at_the_place_becomes_utc_and_back_across_daylight_saving():
    winter = times.to_utc(datetime(2027, 1, 15, 9, 0), "Europe/Oslo")
    summer = times.to_utc(datetime(2027, 7, 15, 9, 0), "Europe/Oslo")
    assert winter == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert summer == datetime(2027, 7, 15, 7, 0, tzinfo=UTC)
    # SQLite hands back naive UTC: read as UTC, shown at the place.
    assert times.at_place(summer.replace(tzinfo=None), "Europe/Oslo").hour == 9


def test_only_real_zones_of_places_are_offered():
    zones = times.zone_choices()
    assert "Europe/Warsaw" in zones and "America/New_York" in zones
    assert not any(z.startswith(("Etc/", "US/")) for z in zones)
    assert not times.is_zone("Mars/Olympus")
    assert not times.is_zone("")
    assert times.zone_of_country("PL") == "Europe/Warsaw"
    assert times.zone_of_country("US") is None  # several zones: the organiser chooses


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Wednesday, 10 March 2027, 09:00–16:00 (Norway Time)"),  # noqa: RUF001
        ("pl", "środa, 10 marca 2027, 09:00–16:00 (czas: Norwegia)"),  # noqa: RUF001
        ("da", "onsdag den 10. marts 2027, 09.00–16.00 (Norge-tid)"),  # noqa: RUF001
    ],
)
def test_event_times_read_in_the_readers_language_at_the_place(locale, expected):
    start = times.to_utc(datetime(2027, 3, 10, 9, 0), "Europe/Oslo")
    end = times.to_utc(datetime(2027, 3, 10, 16, 0), "Europe/Oslo")
    assert times.when(start, end, "Europe/Oslo", locale) == expected


def test_a_month_filter_covers_the_whole_month_and_nothing_else():
    start, end = times.month_bounds("2026-12")
    assert start == datetime(2026, 12, 1, tzinfo=UTC)
    assert end == datetime(2027, 1, 1, tzinfo=UTC)
    assert times.month_bounds("December") is None
    assert times.month_bounds("2026-13") is None


def test_questions_are_lines_and_choices_follow_bars():
    parsed = questions.parse("Dietary needs\n\nLunch | Meat | Fish\n")
    assert parsed == [
        {"label": "Dietary needs", "type": "text", "options": []},
        {"label": "Lunch", "type": "choice", "options": ["Meat", "Fish"]},
    ]
    assert questions.parse(questions.as_text(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("\n".join(f"Question {i}" for i in range(6)), "too_many"),
        ("Lunch | Meat", "too_few_options"),
        ("Lunch | " + " | ".join(str(i) for i in range(11)), "too_many_options"),
        ("x" * 201, "too_long"),
    ],
)
def test_bad_questions_are_refused_with_a_reason(text, code):
    with pytest.raises(questions.QuestionError) as caught:
        questions.parse(text)
    assert caught.value.code == code


def test_answers_must_pick_an_offered_choice_and_stay_short():
    drafts = questions.compose({"en": "Dietary needs\nLunch | Meat | Fish"}, "en")
    asked = questions.keyed(drafts, [], "en")
    given = {"dietary_needs": " none ", "lunch": "fish"}
    answers, errors = questions.check_answers(asked, given)
    assert answers == {"dietary_needs": "none", "lunch": "fish"} and errors == {}
    _, errors = questions.check_answers(asked, {"dietary_needs": "x" * 301, "lunch": "Fish"})
    assert errors == {"dietary_needs": "too_long", "lunch": "required"}


def _entry(**changes) -> calendar.Entry:
    values = {
        "uid": calendar.uid_of(7, "matchmaker.example.org"),
        "sequence": 1,
        "title": "Study visit: Alma House",
        "description": "A living lab.",
        "location": "Alma House, Oslo",
        "url": "https://matchmaker.example.org/en/events/7",
        "starts_at": datetime(2027, 3, 10, 8, 0, tzinfo=UTC),
        "ends_at": datetime(2027, 3, 10, 15, 0, tzinfo=UTC),
        "timezone": "Europe/Oslo",
        "updated_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    values.update(changes)
    return calendar.Entry(**values)


def test_calendar_entries_keep_their_uid_carry_the_zone_and_link_back():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    first = Calendar.from_ical(calendar.calendar([_entry()], "My events", now))
    later = Calendar.from_ical(
        calendar.calendar([_entry(sequence=2, cancelled=True)], "My events", now)
    )
    (before,), (after,) = first.walk("VEVENT"), later.walk("VEVENT")
    assert str(before["UID"]) == str(after["UID"]) == "event-7@matchmaker.example.org"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(before["STATUS"]) == "CONFIRMED" and str(after["STATUS"]) == "CANCELLED"
    start = before["DTSTART"]
    assert start.params["TZID"] == "Europe/Oslo"
    assert (start.dt.hour, start.dt.minute) == (9, 0)  # 08:00 UTC is 09:00 in Oslo
    assert [tz["TZID"] for tz in first.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert str(before["URL"]) == "https://matchmaker.example.org/en/events/7"


def test_participant_csv_neutralises_formulas_and_leaves_unshared_details_out():
    rows = [
        export.Row(
            name="=HYPERLINK(1)",
            organisation="Nordic Telecare AS",
            country="Norway",
            status="Confirmed",
            position=None,
            signed_up_at=datetime(2027, 1, 5, 11, 0, tzinfo=UTC),
            email="ada@example.org",
            phone=None,
            answers={"lunch": "Fish"},
        ),
        export.Row(
            name="Bo",
            organisation="",
            country="",
            status="Waiting list",
            position=1,
            signed_up_at=datetime(2027, 1, 5, 12, 0, tzinfo=UTC),
            email=None,
            phone=None,
            answers={},
        ),
    ]
    headings = {k: k.title() for k in export.Row.__dataclass_fields__ if k != "answers"}
    header, cells = export.csv_columns(rows, headings, [("lunch", "Lunch")], "Europe/Oslo")
    text = csv_writer.to_csv(header, cells)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][-1] == "Lunch"
    assert table[1][0] == "'=HYPERLINK(1)"
    assert table[1][5] == "2027-01-05 12:00 CET" and table[1][6] == "ada@example.org"
    assert table[1][-1] == "Fish"
    assert table[2][4] == "1" and table[2][6] == "" and table[2][7] == ""
