"""A member's home: what is new since the login before this one (core.news, loaded into
the home page on its own): the best new matches of each list of each published item of
theirs, with reasons and a link to the whole list, and what their saved searches found."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.accounts.models import User
from matchmaker.alerts import services as alerts
from matchmaker.extensions import db
from matchmaker.notifications.services import notify
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import log_in

HX = {"HX-Request": "true"}


def hospital(name: str, moderator, **fields):
    """A published hospital that offers what Telecare needs (clinical validation)."""
    owner = UserFactory()
    organisation = make_organisation(
        owner,
        name=name,
        kind="hospital",
        country="DK",
        region="DK-84",
        texts={"en": {"description": "A university hospital with a clinical trial unit."}},
        tags={"capability": ["clinical_validation"], "need": ["remote_monitoring"]},
        **fields,
    )
    publish("organisation", organisation, moderator)
    return organisation


@pytest.fixture
def register(app):
    """Alice's published startup, one hospital published before her last visit."""
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    alice = UserFactory(email="alice@example.org", name="Alice")
    telecare = make_organisation(alice, name="Wroclaw Telecare", kind="startup", country="PL",
                                 region="PL-DS")  # fmt: skip
    publish("organisation", telecare, moderator)
    hospital("Old Clinic", moderator)
    return {"moderator": moderator, "alice": alice, "telecare": telecare}


def visit(app, email: str):
    """A client logged in (one login more: the one before it is the 'last visit')."""
    client = app.test_client()
    assert log_in(client, email).status_code in (302, 303)
    return client


def news(client, lang: str = "en", htmx: bool = True) -> str:
    response = client.get(f"/{lang}/news", headers=HX if htmx else {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_only_what_was_published_since_the_last_login_is_new(app, register):
    visit(app, "alice@example.org")  # the last visit
    for name in ("New Clinic A", "New Clinic B", "New Clinic C", "New Clinic D"):
        hospital(name, register["moderator"])
    text = news(visit(app, "alice@example.org"))
    assert "Wroclaw Telecare" in text and "Partners" in text
    assert text.count("New Clinic") == 3  # the best three of the four
    assert "Old Clinic" not in text
    assert "See the whole list (4 new)" in text
    assert f"/en/organisations/{register['telecare'].id}/matches/partners" in text
    assert "offers what you need" in text.lower() or "clinical validation" in text.lower()


def test_the_same_moment_counts_until_the_next_login(app, register):
    """Reloading the home does not make the news old: the last visit is the login before."""
    visit(app, "alice@example.org")
    hospital("New Clinic A", register["moderator"])
    client = visit(app, "alice@example.org")
    assert "New Clinic A" in news(client)
    assert "New Clinic A" in news(client)
    later = visit(app, "alice@example.org")  # a visit after the one that saw it
    assert "New Clinic A" not in news(later)
    assert "Nothing new since your last visit" in news(later)


def test_a_first_visit_counts_from_the_account_s_creation(app, register):
    hospital("New Clinic A", register["moderator"])
    client = visit(app, "alice@example.org")  # no login before
    text = news(client)
    assert "New Clinic A" in text and "Old Clinic" in text


def test_dismissed_and_own_items_are_not_news(app, register):
    visit(app, "alice@example.org")
    dismissed = hospital("New Clinic A", register["moderator"])
    hospital("New Clinic B", register["moderator"])
    own = make_project(register["telecare"])
    publish("project", own, register["moderator"])
    client = visit(app, "alice@example.org")
    from matchmaker.matching import service
    from matchmaker.matching.profiles import ItemKey

    service.dismiss(
        register["alice"].id, register["telecare"].id, ItemKey("organisation", dismissed.id)
    )
    text = news(client)
    assert "New Clinic B" in text
    assert "New Clinic A" not in text
    assert f'href="/en/projects/{own.id}"' not in text  # its own project: never a match


def test_nothing_of_another_organisation_s_lists_is_shown(app, register):
    """Bob, of another organisation, sees news of his own lists only."""
    bob = UserFactory(email="bob@example.org")
    clinic = make_organisation(bob, name="Bob's Lab", kind="university", country="NO",
                               tags={"capability": ["remote_monitoring"]})  # fmt: skip
    publish("organisation", clinic, register["moderator"])
    visit(app, "bob@example.org")
    hospital("New Clinic A", register["moderator"])
    text = news(visit(app, "bob@example.org"))
    assert "Wroclaw Telecare" not in text


def test_saved_searches_found_items_since_the_last_visit(app, register):
    alice = register["alice"]
    notify(alice, alerts.NOTIFICATION_KIND, {"label": "Before"}, link="/en/projects/1")
    db.session.commit()
    visit(app, "alice@example.org")
    for number in range(7):
        notify(alice, alerts.NOTIFICATION_KIND, {"label": f"Found {number}"}, link="/en/projects/2")
    db.session.commit()
    text = news(visit(app, "alice@example.org"))
    assert "In your saved searches" in text
    assert "Found 6" in text and "Found 2" in text and "Found 1" not in text  # newest five
    assert "Before" not in text
    assert "See all 7 in your notifications" in text


def test_the_home_loads_the_news_and_works_without_javascript(app, register):
    visit(app, "alice@example.org")
    hospital("New Clinic A", register["moderator"])
    client = visit(app, "alice@example.org")
    home = client.get("/en/").get_data(as_text=True)
    assert 'hx-get="/en/news"' in home and 'href="/en/news"' in home
    page = news(client, htmx=False)  # the link without JavaScript: a page of its own
    assert "<h1>New since your last visit</h1>" in page and "New Clinic A" in page
    fragment = news(client)
    assert "<html" not in fragment and 'id="news"' in fragment


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("pl", "Nowe od"), ("da", "Nyt siden"), ("nb", "Nytt siden")],
)
def test_the_news_page_is_translated(app, register, lang, phrase):
    client = visit(app, "alice@example.org")
    assert phrase in news(client, lang, htmx=False)


def test_news_is_for_members_only(app, register):
    response = app.test_client().get("/en/news")
    assert response.status_code in (302, 303)
    assert "/account/login" in response.headers["Location"]


def test_the_login_before_is_kept(app, register):
    visit(app, "alice@example.org")
    first = db.session.scalar(select(User.last_login_at).where(User.email == "alice@example.org"))
    visit(app, "alice@example.org")
    db.session.expire_all()
    alice = db.session.scalar(select(User).where(User.email == "alice@example.org"))
    assert alice.previous_login_at == first and alice.last_login_at > first
