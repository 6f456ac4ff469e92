"""Phones: no page scrolls sideways at 320 px (nor at 390 px), in any of the four languages.

One browser page at 320 by 640 visits the public pages logged out, then logs in as a member
whose home has something in each part and visits their pages too; on each the document is
no wider than the window, with the page's disclosures closed and open. Danish and Norwegian
have long words and the data has long names, places and a long web address, as real entries
do. On a failure the message names each page and the elements that reach past the right
edge, the furthest first. The header stays one line, and its account button says the unread
count once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from matchmaker.accounts.models import utcnow
from matchmaker.events import seats
from matchmaker.events import services as events
from matchmaker.events.services import EventInput
from tests.e2e.conftest import log_in
from tests.e2e.test_header_journeys import assert_one_line, new_requests
from tests.e2e.test_member_home_journeys import member  # noqa: F401  (a fixture)
from tests.factories import UserFactory, make_organisation, make_project, publish
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]
PHONE = {"width": 320, "height": 640}
WIDER_PHONE = {"width": 390, "height": 640}  # where the report saw pages 433-481 px wide
# The words and names a phone has to hold: compound words as Danish and Norwegian write
# them, a place with a long name, a long web address.
LONG = {
    "pl": "Ogólnopolskie Centrum Telemedycyny i Teleopieki Kardiologicznej w Wrocławiu",
    "en": "Telecardiology and remote-monitoring interoperability programme",
    "da": "Sundhedsinnovationsklyngesamarbejdsprogrammet for telemedicinske hjertepatienter",
    "nb": "Universitetssykehusinnovasjonsavdelingens hjertesviktoppfølgingsprogram",
}
WEBSITE = "https://www.sundhedsinnovationsklyngesamarbejdet.example.dk/om-os/samarbejdspartnere/hjertesvigt"
HOSPITAL = "Region Syddanmarks Universitetshospitalsforvaltning"
EVENT = "Sundhedsinnovationskonference om telemedicinske hjertesviktoppfølgingsprogrammer"


@pytest.fixture
def phone_world(app, member):  # noqa: F811  (the fixture imported above)
    """The member's home of test_member_home_journeys (Olga, of Oslo Living Lab: a contact
    request, a returned project, a study visit in three days), and around it a hospital
    with a long name and web address, its published project, and a conference with every
    detail its page lists."""

    def build(lang: str) -> dict:
        world = member(lang)
        moderator = UserFactory(role="moderator")
        owner = UserFactory(email="hospital@example.org", name="Søren Sørensen-Kjærgaard")
        hospital = make_organisation(
            owner,
            name=HOSPITAL,
            kind="hospital",
            country="DK",
            region="DK-83",
            city="Odense",
            website=WEBSITE,
            original_language="da",
            working_languages=["da", "en", "nb"],
            texts={lang: {"description": f"{LONG[lang]}."} for lang in LANGS},
            tags={"capability": ["clinical_validation", "test_bed"], "need": ["remote_monitoring"]},
        )
        publish("organisation", hospital, moderator)
        project = make_project(
            hospital,
            original_language="da",
            funding_min_eur=250_000,
            funding_max_eur=1_500_000,
            links=[WEBSITE],
            tags={"need": ["remote_monitoring"], "seeks": ["pilot_site"]},
            texts={
                lang: {"title": LONG[lang], "summary": LONG[lang], "description": LONG[lang]}
                for lang in LANGS
            },
        )
        publish("project", project, moderator)
        starts = utcnow().replace(microsecond=0) + timedelta(days=10)
        conference = events.create_event(
            owner,
            hospital,
            EventInput(
                kind="conference",
                original_language="da",
                venue="Syddansk Universitets Sundhedsvidenskabelige Fakultet, Auditorium 100",
                address="J.B. Winsløws Vej 19, indgang 9",
                city="Odense",
                country="DK",
                timezone="Europe/Copenhagen",
                starts_at=starts,
                ends_at=starts + timedelta(days=1, hours=7),
                registration_deadline=starts - timedelta(days=2),
                capacity=150,
                max_per_organisation=3,
                languages=["da", "en", "nb", "pl"],
                audience_kinds=["hospital", "startup", "university", "investor", "cluster"],
                audience_countries=["DK", "NO", "PL", "SE", "DE"],
                tags={"category": ["ehealth_telemedicine"]},
                texts={
                    lang: {"title": EVENT, "description": LONG[lang], "programme": WEBSITE}
                    for lang in LANGS
                },
            ),
        )
        events.publish_event(conference)
        # Olga has a seat: "My events" lists it in a table.
        olga, lab = world["event"].created_by, world["event"].organisation_id
        seats.sign_up(conference.id, olga, organisation_id=lab)
        return {
            **world,
            "hospital": hospital.id,
            "project_id": project.id,
            "conference": conference.id,
            "lab": lab,
        }

    return build


# What reaches past the window's right edge, the furthest first: the innermost elements
# whose box or own text does (nothing inside them reaches as far) made the page wide. What a
# scroll container or a clipping box (a table's region, text for screen readers only) holds
# and the shapes inside an SVG are left out: they do not widen the page.
OVERFLOW = """() => {
  const width = window.innerWidth + 0.5;
  const clipped = (el) => {
    for (let up = el; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  // What a closed <details> holds, but its summary, has no box the reader sees (Chromium
  // lays it out when asked all the same).
  const folded = (el) => {
    for (let up = el.closest('details:not([open])'); up;
         up = up.parentElement && up.parentElement.closest('details:not([open])')) {
      const summary = up.querySelector(':scope > summary');
      if (!summary || !summary.contains(el)) return true;
    }
    return false;
  };
  const inside = (el) => clipped(el.parentElement) || folded(el) ||
    (el instanceof SVGElement && !(el instanceof SVGSVGElement));
  const reach = new Map();
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width && !inside(el)) reach.set(el, box.right);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || clipped(el) || folded(el) || el.closest('svg')) continue;
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > width && right > (reach.get(el) || 0)) reach.set(el, right);
  }
  const wide = [...reach.keys()];
  const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  innermost.sort((a, b) => reach.get(b) - reach.get(a));
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    const classes = el.getAttribute('class');
    if (classes && classes.trim()) name += '.' + classes.trim().split(/\\s+/).join('.');
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return {name, right: Math.round(reach.get(el)), text};
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    open: document.querySelector('main details:not([open])') === null &&
      document.querySelector('main details') !== null,
    innerWidth: window.innerWidth,
    culprits: innermost.slice(0, 4).map(describe),
  };
}"""
# Open every disclosure in the page's content (score points, facets…): what they hold
# must fit too.
OPEN_DETAILS = "() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })"


def sideways(page) -> str | None:
    """Why the page scrolls sideways, or None when it does not."""
    found = page.evaluate(OVERFLOW)
    if found["scrollWidth"] <= found["innerWidth"]:
        return None
    culprits = "\n".join(
        f"    {c['name']} reaches {c['right']} px: {c['text']!r}" for c in found["culprits"]
    )
    return (
        f"{page.url}: {found['scrollWidth']} px wide in a {found['innerWidth']} px window"
        f"{' (disclosures open)' if found['open'] else ''};"
        f" widest:\n{culprits}"
    )


def check(page, url: str, problems: list[str]) -> None:
    """Load `url` at 320 px and measure; open its disclosures and measure again, then at
    390 px (the phone of the report) too; back to 320 px for the next page."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    problem = sideways(page)
    if not problem:
        page.evaluate(OPEN_DETAILS)
        problem = sideways(page)
    if not problem:
        page.set_viewport_size(WIDER_PHONE)
        problem = sideways(page)
        page.set_viewport_size(PHONE)
    if problem:
        problems.append(problem)


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_scrolls_sideways_on_a_phone(lang, live_server, new_page, phone_world):
    world = phone_world(lang)
    base = f"{live_server}/{lang}"
    page = new_page()
    page.set_viewport_size(PHONE)
    problems: list[str] = []

    public = [
        "/",
        "/projects",
        "/organisations",
        f"/projects/{world['project_id']}",
        f"/organisations/{world['hospital']}",
        f"/organisations/{world['lab']}",
        "/events/",
        f"/events/{world['conference']}",
        f"/events/{world['event'].id}",  # the study visit
        "/map",
        f"/projects/{world['project_id']}/matches/partners",
        "/account/login",
        "/account/register",
    ]
    for path in public:
        check(page, base + path, problems)
    page.goto(base + "/")
    assert_one_line(page)

    log_in(page, live_server, lang, world["email"])
    # On a phone the account button is an icon and the badge: its name says the unread
    # count once, in words (the badge's number is hidden from screen readers). The words
    # are a block of their own (visually hidden), hence the space a browser may put before
    # the comma.
    name = rf"{re.escape(translated(lang, 'Menu'))} ?, {re.escape(new_requests(lang, 1))}"
    expect(page.locator("details.account-menu > summary")).to_have_accessible_name(
        re.compile(rf"^{name}$")
    )
    member_pages = [
        "/",
        f"/my/organisations/{world['lab']}/edit",
        "/contacts/inbox",
        f"/contacts/{world['request'].id}",
        f"/my/projects/{world['project'].id}",
        f"/events/{world['conference']}",
        f"/organisations/{world['lab']}/matches/partners",
        "/events/mine",
        "/notifications/",
    ]
    for path in member_pages:
        check(page, base + path, problems)
    # The home page, measured again once its news (HTMX) is in.
    page.goto(base + "/")
    expect(page.locator("#news")).not_to_have_attribute("hx-trigger", "load")
    problem = sideways(page)
    if problem:
        problems.append(problem + " (with the news)")
    assert_one_line(page)

    assert problems == [], "pages wider than a phone:\n" + "\n".join(problems)
