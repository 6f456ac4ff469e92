"""Saved searches and followed categories: saving, deleting, notifications, weekly digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.alerts import services
from matchmaker.alerts.models import SavedSearch
from matchmaker.alerts.tasks import _send
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from tests.conftest import body_text
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, translated


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(email="mod@example.org", role="moderator")
    owner = UserFactory(email="owner@example.org")
    organisation = make_organisation(owner, name="Oslo Heart Tech", kind="startup")
    publish("organisation", organisation, moderator)
    follower = UserFactory(email="follower@example.org", locale="pl")
    other = UserFactory(email="other@example.org")
    return moderator, owner, organisation, follower, other


def save(client, path: str, data: dict, lang: str = "en"):
    token = csrf_token(client, f"/{lang}/projects?category=ehealth_telemedicine")
    return client.post(path, data={"csrf_token": token, **data})


def saved(user) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)))


def approve(client, item_type: str, item_id: int):
    url = f"/en/moderation/{item_type}/{item_id}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "decision": "approve", "note": ""})


def notes_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_the_register_offers_to_follow_a_category_and_saving_twice_keeps_one(client, world):
    *_, follower, _other = world
    log_in(client, follower.email)
    page = client.get("/en/projects?category=ehealth_telemedicine").get_data(as_text=True)
    assert "Follow “E-health and telemedicine”" in page
    response = save(
        client, "/en/account/saved-searches/project", {"category": "ehealth_telemedicine"}
    )
    assert response.status_code == 303
    assert "category=ehealth_telemedicine" in response.headers["Location"]
    again = save(client, "/en/account/saved-searches/project", {"category": "ehealth_telemedicine"})
    assert again.status_code == 303
    [search] = saved(follower)
    assert (search.item_type, search.filters, search.text) == (
        "project",
        {"category": ["ehealth_telemedicine"]},
        "",
    )
    page = client.get("/en/account/saved-searches/").get_data(as_text=True)
    assert "Innovation category: E-health and telemedicine" in page


def test_an_empty_search_unknown_filters_and_a_forged_type_are_not_saved(client, world):
    *_, follower, _other = world
    log_in(client, follower.email)
    response = save(client, "/en/account/saved-searches/project", {"nonsense": "x", "q": "  "})
    assert response.status_code == 303
    assert saved(follower) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a search for everything cannot be saved" in page
    assert save(client, "/en/account/saved-searches/user", {"q": "heart"}).status_code == 404


def test_saving_needs_a_login_and_a_csrf_token(client, world):
    *_, follower, _other = world
    token = csrf_token(client, "/en/account/login")
    response = client.post(
        "/en/account/saved-searches/project", data={"csrf_token": token, "q": "heart"}
    )
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    log_in(client, follower.email)
    response = client.post("/en/account/saved-searches/project", data={"q": "heart"})
    assert response.status_code == 400
    assert saved(follower) == []


def test_a_user_can_keep_a_limited_number_of_searches(client, world, monkeypatch):
    *_, follower, _other = world
    monkeypatch.setattr(services, "MAX_SEARCHES", 2)
    log_in(client, follower.email)
    for word in ("heart", "lung", "kidney"):
        save(client, "/en/account/saved-searches/project", {"q": word})
    assert sorted(s.text for s in saved(follower)) == ["heart", "lung"]


def test_nobody_can_delete_another_users_search(client, world):
    *_, follower, other = world
    search, _ = services.save(follower, services.queries.RegisterQuery("project", text="heart"))
    log_in(client, other.email)
    token = csrf_token(client, "/en/account/saved-searches/")
    response = client.post(
        f"/en/account/saved-searches/{search.id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert len(saved(follower)) == 1
    client.post("/en/account/logout", data={"csrf_token": token})
    log_in(client, follower.email)
    token = csrf_token(client, "/en/account/saved-searches/")
    response = client.post(
        f"/en/account/saved-searches/{search.id}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert saved(follower) == []


def test_a_first_publication_notifies_matching_followers_once(app, world):
    moderator, owner, organisation, follower, other = world
    services.save(
        follower,
        services.queries.RegisterQuery("project", filters={"category": ["ehealth_telemedicine"]}),
    )
    services.save(follower, services.queries.RegisterQuery("project", text="heart"))
    services.save(
        other, services.queries.RegisterQuery("project", filters={"category": ["medical_devices"]})
    )
    services.save(  # the owner is not told about their own project
        owner,
        services.queries.RegisterQuery("project", filters={"category": ["ehealth_telemedicine"]}),
    )
    project = make_project(organisation)
    from matchmaker.projects.services import submit_project

    submit_project(project)
    mod_client = app.test_client()
    log_in(mod_client, moderator.email)
    assert approve(mod_client, "project", project.id).status_code == 303

    [note] = notes_of(follower)  # two of their searches match: one notification
    assert note.kind == "saved_search_match"
    assert note.link.endswith(f"/pl/projects/{project.id}")
    assert [n.kind for n in notes_of(other)] == []
    assert [n.kind for n in notes_of(owner)] == ["moderation_decision"]

    follower_client = app.test_client()
    log_in(follower_client, follower.email, lang="pl")
    page = follower_client.get("/pl/notifications/").get_data(as_text=True)
    expected = translated(
        "pl", "The new project “%(name)s” matches your saved search.", name=project.title
    )
    assert expected in page

    # An approved edit is not news: nobody is told again.
    project.status = "submitted"
    db.session.commit()
    assert approve(mod_client, "project", project.id).status_code == 303
    assert len(notes_of(follower)) == 1


def test_words_are_matched_in_the_new_items_own_texts(app, world):
    _moderator, _owner, organisation, follower, other = world
    services.save(follower, services.queries.RegisterQuery("project", text="dashboard"))
    services.save(other, services.queries.RegisterQuery("project", text="oncology"))
    project = make_project(organisation)
    publish("project", project, _moderator)
    with app.test_request_context():
        from matchmaker.moderation.notify import tell_followers

        tell_followers("project", project.id)
    assert len(notes_of(follower)) == 1
    assert notes_of(other) == []


def test_the_weekly_digest_goes_to_opted_in_users_in_their_language(app, world, smtp_server):
    moderator, _owner, organisation, follower, other = world
    for user in (follower, other):
        services.save(
            user,
            services.queries.RegisterQuery(
                "project", filters={"category": ["ehealth_telemedicine"]}
            ),
        )
    services.set_digest(follower, True)
    project = make_project(organisation)
    publish("project", project, moderator)
    with app.test_request_context():
        from matchmaker.moderation.notify import tell_followers

        tell_followers("project", project.id)
    smtp_server.clear()

    now = utcnow()
    assert services.send_digests(_send, now) == 1
    [mail] = smtp_server.wait_for(follower.email)
    assert mail["Content-Language"] == "pl"
    assert project.title in body_text(mail)
    assert smtp_server.to(other.email) == []  # did not opt in

    # Within the week nothing more is sent; a week later only what is new.
    assert services.send_digests(_send, now + timedelta(days=3)) == 0
    assert services.send_digests(_send, now + timedelta(days=8)) == 0
    assert len(smtp_server.to(follower.email)) == 1


def test_the_digest_setting_is_changed_on_the_saved_searches_page(client, world):
    *_, follower, _other = world
    log_in(client, follower.email)
    token = csrf_token(client, "/en/account/saved-searches/")
    client.post("/en/account/saved-searches/digest", data={"csrf_token": token, "weekly": "1"})
    db.session.refresh(follower)
    assert follower.digest_weekly is True
    page = client.get("/en/account/saved-searches/").get_data(as_text=True)
    assert 'id="digest-weekly" name="weekly" value="1" checked' in page
    client.post("/en/account/saved-searches/digest", data={"csrf_token": token})
    db.session.refresh(follower)
    assert follower.digest_weekly is False
