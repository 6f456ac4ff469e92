"""An organisation's report on its events: what it holds, its CSV, and that only the
organisation's members see it.

The events are those of tests.web.test_insights_events: Oslo Living Lab hosts the
matchmaking day (Alice PL start-up, Bob NO hospital, Carol DK SME; one meeting held, an
agreement), an event taken off the register and one ahead; Bergen Clinic hosts the
Aarhus visit. The three at the matchmaking day signed up 10 days before it; Oslo Living
Lab's contact request to Wroclaw Telecare was accepted after it.
"""

# ruff: noqa: F811  (the fixtures of test_events, test_meetings and test_insights_events)
from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import update

from matchmaker.events.models import Registration
from matchmaker.extensions import db
from tests.web.test_events import app, make_event, person, user, world  # noqa: F401
from tests.web.test_insights import csv_rows, label, parse, t
from tests.web.test_insights_connections import accepted_contact
from tests.web.test_insights_events import held  # noqa: F401
from tests.web.test_meetings import day  # noqa: F401

LANGS = ("pl", "en", "da", "nb")


@pytest.fixture
def reported(app, held, world):
    event, _aarhus = held
    signed_up = event.ends_at.replace(tzinfo=UTC) - timedelta(days=10)
    db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id)
        .values(created_at=signed_up, confirmed_at=signed_up)
    )
    db.session.commit()
    accepted_contact(world["olga"], world["host"], world["alice"], world["telecare"])
    return event, person(app, world, "olga")


def report_url(org, lang="en", csv=False) -> str:
    return f"/{lang}/my/organisations/{org.id}/report{'.csv' if csv else ''}"


def test_the_report_shows_each_hosted_event_with_its_tables(reported, world):
    event, olga = reported
    response = olga.get(report_url(world["host"]))
    body = response.get_data(as_text=True)
    for title in ("PL-DK-NO matchmaking day", "Taken off", "Ahead"):
        assert title in body
    assert "Aarhus visit" not in body  # Bergen Clinic's
    page = parse(response)
    prefix = f"event-{event.id}"
    assert page.rows[f"{prefix}-countries"] == [["Denmark", "1"], ["Norway", "1"], ["Poland", "1"]]
    assert page.rows[f"{prefix}-kinds"] == [
        [label("hospital"), "1"],
        [label("sme"), "1"],
        [label("startup"), "1"],
    ]
    assert [row[1:] for row in page.rows[f"{prefix}-sign-ups"]] == [["3", "3", "0", "0"]]
    assert page.rows[f"{prefix}-meetings"] == [[t("en", "An agreement or a project"), "1"]]
    assert page.rows[f"{prefix}-contacts"] == [[t("en", "Contact requests accepted"), "1"]]
    assert body.count('class="report-event"') == 3


def test_the_csv_holds_the_cells_of_the_tables(reported, world):
    event, olga = reported
    page = parse(olga.get(report_url(world["host"])))
    response = olga.get(report_url(world["host"], csv=True))
    assert response.headers["Cache-Control"] == "no-store"
    lines = csv_rows(response)
    assert lines[0][0] == t("en", "Event")
    mine = [line for line in lines[1:] if line[0] == str(event.id)]
    for name, title in (
        ("countries", "Participants by country"),
        ("meetings", "1:1 meetings held and what came of them"),
        ("contacts", "New contacts"),
    ):
        cells = [[line[4], line[6]] for line in mine if line[2] == t("en", title)]
        assert cells == page.rows[f"event-{event.id}-{name}"]
    sign_ups = [line for line in mine if line[2] == t("en", "Sign-ups, seats and the waiting list")]
    assert [line[6] for line in sign_ups] == page.rows[f"event-{event.id}-sign-ups"][0][1:]
    assert sign_ups[0][3] == (event.ends_at - timedelta(days=10)).date().isoformat()


def test_no_person_appears_in_the_report(reported, world):
    _event, olga = reported
    texts = [olga.get(report_url(world["host"], csv=csv)).get_data(as_text=True) for csv in (0, 1)]
    for text in texts:
        for someone in ("alice", "bob", "carol"):
            assert world[someone].email not in text and world[someone].name not in text


def test_the_manage_page_links_to_the_report(reported, world):
    _event, olga = reported
    manage = olga.get(f"/en/my/organisations/{world['host'].id}").get_data(as_text=True)
    assert f'href="{report_url(world["host"])}"' in manage


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_renders_the_report(reported, world, lang):
    _event, olga = reported
    response = olga.get(report_url(world["host"], lang))
    assert response.status_code == 200
    name = world["host"].name
    heading = t(lang, "Report on the events of %(name)s", name=name)
    assert heading in response.get_data(as_text=True)
    assert olga.get(report_url(world["host"], lang, csv=True)).status_code == 200


@pytest.mark.parametrize("csv", (False, True))
def test_another_organisations_member_gets_404(app, reported, world, csv):
    alice = person(app, world, "alice")  # a member of Wroclaw Telecare only
    assert alice.get(report_url(world["host"], csv=csv)).status_code == 404


@pytest.mark.parametrize("csv", (False, True))
def test_a_visitor_is_sent_to_log_in(client, reported, world, csv):
    response = client.get(report_url(world["host"], csv=csv))
    assert response.status_code in (302, 303)
    assert "/en/account/login" in response.headers["Location"]


@pytest.mark.parametrize("organisation_id", (999_999, 2**31, 2**63))
@pytest.mark.parametrize("suffix", ("", ".csv"))
def test_a_forged_or_too_large_id_is_404(reported, organisation_id, suffix):
    _event, olga = reported
    url = f"/en/my/organisations/{organisation_id}/report{suffix}"
    assert olga.get(url).status_code == 404


def test_an_organisation_without_published_events_says_so(app, world):
    make_event(world, host="other_host", title="Still a draft", publish_it=False)
    harald = person(app, world, "harald")
    body = harald.get(report_url(world["other_host"])).get_data(as_text=True)
    assert t("en", "The organisation has not published an event yet.") in body
    assert "Still a draft" not in body
