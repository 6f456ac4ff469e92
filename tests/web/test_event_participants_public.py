"""An event's page names the organisations taking part: the published organisations of
the confirmed registrations, the others only counted, and never a person."""

# ruff: noqa: F811  (the fixtures of test_events are imported by name)
from __future__ import annotations

import re

import pytest
from sqlalchemy import event as sqlalchemy_event

from matchmaker.events import seats, services
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership
from tests.factories import make_organisation, publish
from tests.web.helpers import translated
from tests.web.test_events import (  # noqa: F401  (app, world: fixtures)
    app,
    make_event,
    move,
    person,
    text,
    user,
    world,
)

SECTION = re.compile(r'<section class="taking-part".*?</section>', re.S)
LINK = re.compile(r'<li><a href="([^"]+)">([^<]+)</a></li>')

# Everyone signed up, with a name and an address that appear nowhere else on the page.
CONFIRMED = {
    "Zofia Zielinska": "akershus Care Lab",  # a small first letter: sorted by casefold
    "Yannick Yde": "Bergen Heart Lab",
    "Xenia Xu": "Wroclaw Sensors",
    "Wiktor Wrobel": "Wroclaw Sensors",  # a second person of the same organisation
    "Vera Vik": "Secret Startup",  # not published
    "Ulrik Unger": "Hidden Health",  # not published
    "Tomasz Tarka": None,  # came without an organisation
}
WAITING = {"Sigrid Solberg": "Waiting Works"}
ENDED = {"Rasmus Riis": "Gone Gadgets", "Quentin Quist": "Removed Robotics"}
PUBLISHED = {
    "akershus Care Lab",
    "Bergen Heart Lab",
    "Wroclaw Sensors",
    "Waiting Works",
    "Gone Gadgets",
    "Removed Robotics",
}
NAMED = ["akershus Care Lab", "Bergen Heart Lab", "Wroclaw Sensors"]


def email_of(name: str) -> str:
    return name.split()[0].lower() + ".participant@example.org"


def section(page: str) -> str:
    found = SECTION.search(page)
    assert found, "no section of the organisations taking part"
    return found.group(0)


@pytest.fixture
def crowd(app, world):
    """An event with seven confirmed people, one waiting, one cancelled and one removed."""
    people, organisations = {}, {}
    for name, organisation in {**CONFIRMED, **WAITING, **ENDED}.items():
        people[name] = someone = user(email=email_of(name), name=name)
        if organisation in organisations:
            membership = Membership(
                user_id=someone.id, organisation_id=organisations[organisation].id, role="editor"
            )
            db.session.add(membership)
            db.session.commit()
        elif organisation is not None:
            organisations[organisation] = make_organisation(someone, name=organisation)
            if organisation in PUBLISHED:
                publish("organisation", organisations[organisation], world["moderator"])
    event = make_event(world, capacity=len(CONFIRMED))

    def sign_up(name: str, organisation: str | None) -> int:
        """A registration as the sign-up form makes it (for the person's organisation)."""
        chosen = organisations[organisation].id if organisation else None
        return seats.sign_up(event.id, people[name].id, organisation_id=chosen).registration.id

    # The seats freed first, so that they go to nobody waiting.
    for name, status in (("Rasmus Riis", "cancelled"), ("Quentin Quist", "removed")):
        seats.release(sign_up(name, ENDED[name]), status)
    for name, organisation in {**CONFIRMED, **WAITING}.items():
        sign_up(name, organisation)
    return {"event": event, "organisations": organisations}


def test_an_anonymous_visitor_sees_the_published_organisations_with_a_seat_by_name(crowd, client):
    page = section(text(client.get(f"/en/events/{crowd['event'].id}")))
    organisations = crowd["organisations"]
    assert LINK.findall(page) == [
        (f"/en/organisations/{organisations[name].id}", name) for name in NAMED
    ]


def test_nobody_sees_a_persons_name_or_e_mail_address(app, world, crowd, client):
    organiser = person(app, world, "olga")
    for visitor in (client, organiser):
        page = text(visitor.get(f"/en/events/{crowd['event'].id}"))
        assert "taking-part-heading" in page
        for name in {**CONFIRMED, **WAITING, **ENDED}:
            assert name not in page
            assert email_of(name) not in page


def test_the_waiting_list_and_ended_registrations_are_not_listed(crowd, client):
    page = text(client.get(f"/en/events/{crowd['event'].id}"))
    for organisation in ("Waiting Works", "Gone Gadgets", "Removed Robotics"):
        assert organisation not in page


def test_an_unpublished_organisation_is_counted_but_not_named(crowd, client):
    page = section(text(client.get(f"/en/events/{crowd['event'].id}")))
    assert "Secret Startup" not in page and "Hidden Health" not in page
    assert "<p>and 2 other organisations</p>" in page


def test_the_counts_are_of_confirmed_people_and_their_organisations(crowd, client):
    page = section(text(client.get(f"/en/events/{crowd['event'].id}")))
    assert "<p>7 participants from 5 organisations</p>" in page


def test_one_person_of_one_organisation_is_counted_in_the_singular(app, world, client):
    event = make_event(world)
    seats.sign_up(event.id, world["alice"].id, organisation_id=world["telecare"].id)
    page = section(text(client.get(f"/en/events/{event.id}")))
    assert "<p>1 participant from 1 organisation</p>" in page
    assert "other organisation" not in page


def test_people_without_an_organisation_are_only_counted(app, world, client):
    event = make_event(world)
    seats.sign_up(event.id, world["dave"].id)
    page = section(text(client.get(f"/en/events/{event.id}")))
    assert "<p>1 participant</p>" in page
    assert "<ul" not in page and "Dave" not in page


def test_unpublished_organisations_alone_are_counted_without_an_other_line(app, world, client):
    draft = make_organisation(world["dave"], name="Draft Devices")
    event = make_event(world)
    seats.sign_up(event.id, world["dave"].id, organisation_id=draft.id)
    page = section(text(client.get(f"/en/events/{event.id}")))
    assert "<p>1 participant from 1 organisation</p>" in page
    assert "Draft Devices" not in page and "<ul" not in page and "other" not in page


def test_a_published_organisation_is_named_as_approved_not_as_being_edited(app, world, client):
    event = make_event(world)
    seats.sign_up(event.id, world["alice"].id, organisation_id=world["telecare"].id)
    # An edit goes back to draft; the register keeps the approved version meanwhile.
    world["telecare"].name = "Telecare Renamed In Review"
    world["telecare"].status = "draft"
    db.session.commit()
    page = section(text(client.get(f"/en/events/{event.id}")))
    assert "Wroclaw Telecare" in page and "Renamed" not in page


def test_the_section_is_hidden_without_a_confirmed_registration(app, world, client):
    event = make_event(world)
    assert "taking-part" not in text(client.get(f"/en/events/{event.id}"))
    outcome = seats.sign_up(event.id, world["alice"].id, organisation_id=world["telecare"].id)
    seats.release(outcome.registration.id, "cancelled")
    assert "taking-part" not in text(client.get(f"/en/events/{event.id}"))


def test_nobody_takes_part_in_a_cancelled_event(app, world, client):
    event = make_event(world)
    seats.sign_up(event.id, world["alice"].id, organisation_id=world["telecare"].id)
    move(event, status="cancelled")
    page = text(client.get(f"/en/events/{event.id}"))
    assert "Cancelled" in page and "taking-part" not in page


def plural(lang: str, singular: str, plural_: str, num: int, context: str | None = None, **vars_):
    """A plural message as the catalogue translates it; fails when the catalogue lacks it."""
    from flask_babel import force_locale, get_translations, ngettext, npgettext

    with force_locale(lang):
        if lang != "en":
            key = f"{context}\x04{singular}" if context else singular
            catalog = get_translations()._catalog
            assert catalog.get((key, 0)), f"{singular!r} is not translated into {lang}"
        if context:
            return npgettext(context, singular, plural_, num, **vars_)
        return ngettext(singular, plural_, num, **vars_)


def test_the_polish_page_shows_the_section_in_polish(crowd, client):
    page = text(client.get(f"/pl/events/{crowd['event'].id}"))
    assert '<html lang="pl"' in page
    part = section(page)
    organisations = plural(
        "pl", "%(count)s organisation", "%(count)s organisations", 5, "participants from", count=5
    )
    summary = plural(
        "pl",
        "%(count)s participant from %(organisations)s",
        "%(count)s participants from %(organisations)s",
        7,
        count=7,
        organisations=organisations,
    )
    others = plural(
        "pl", "and %(count)s other organisation", "and %(count)s other organisations", 2, count=2
    )
    assert f">{translated('pl', 'Organisations taking part')}</h2>" in part
    assert f"<p>{summary}</p>" in part and f"<p>{others}</p>" in part
    assert [name for _href, name in LINK.findall(part)] == NAMED
    assert all(href.startswith("/pl/organisations/") for href, _name in LINK.findall(part))


def test_the_organisations_taking_part_are_read_in_one_query(crowd):
    event = crowd["event"]
    db.session.refresh(event)
    statements = []

    def count(*_args):
        statements.append(1)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = services.taking_part(event)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert (found.participants, found.organisations, found.unnamed) == (7, 5, 2)
    assert [org.name for org in found.named] == NAMED
