"""Needs and offers read from what people write, in any of the four languages: a need in
Danish prose finds a Polish company that offers it; a project's text says both what it
is looking for and what it offers, and finds customers whose needs are only written; the
reason says what came from the texts."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from matchmaker.matching import service
from matchmaker.matching.present import reason_text
from matchmaker.matching.rules import ListKind
from matchmaker.register.services import text_tags
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy


@pytest.fixture
def moderator(app):
    sync_taxonomy()
    return UserFactory(email="mod@example.org", role="moderator")


def published_org(moderator, name, **fields):
    org = make_organisation(UserFactory(), name=name, **fields)
    publish("organisation", org, moderator)
    return org


def test_the_texts_give_needs_and_offers_but_never_what_the_owner_chose():
    snapshot = {
        "tags": {"need": ["regulatory_mdr"], "capability": []},
        "texts": {
            "da": {
                "description": "Vi bygger robotter til sygehuse. Vi søger hjælp til "
                "telemonitorering og CE-mærkning.",
                "capabilities_detail": "",
                "needs_detail": "",
            }
        },
    }
    found = text_tags("organisation", snapshot)
    assert "logistics_robotics" in found["capability_text"]  # said as an offer
    assert "remote_monitoring" in found["need_text"]  # asked for
    assert "regulatory_mdr" not in found["need_text"]  # the owner's own need already


def test_a_need_written_in_danish_finds_a_polish_offer(moderator):
    hospital = published_org(
        moderator,
        "Nordhavn Hospital",
        kind="hospital",
        country="DK",
        region="DK-84",
        original_language="da",
        working_languages=["da", "en"],
        texts={
            "da": {
                "description": "Et universitetshospital i København.",
                "needs_detail": "Vi vil gerne tilbyde hjemmemonitorering af hjertesvigt.",
            }
        },
        tags={"capability": ["clinical_validation"]},
    )
    monitor = published_org(
        moderator,
        "KardioSense",
        kind="startup",
        country="PL",
        region="PL-DS",
        original_language="pl",
        working_languages=["pl", "en"],
        texts={"pl": {"description": "Tworzymy plaster EKG do domu pacjenta."}},
        tags={"capability": ["remote_monitoring"]},
    )
    page = service.matches_for_organisation(hospital.id, ListKind.ORGANISATION_PARTNERS)
    keys = [item.match.key.item_id for item in page.items]
    assert monitor.id in keys
    match = next(item.match for item in page.items if item.match.key.item_id == monitor.id)
    offers = next(reason for reason in match.reasons if reason.code == "offers_needed")
    assert offers.args["tags"] == () and offers.args["text_tags"] == ("remote_monitoring",)


def test_a_project_finds_customers_whose_needs_are_only_written(app, moderator):
    maker = make_organisation(
        UserFactory(), name="MediBot", kind="sme", country="PL", region="PL-DS"
    )
    publish("organisation", maker, moderator)
    project = make_project(
        maker,
        texts={
            "pl": {
                "title": "Roboty transportowe dla szpitali",
                "summary": "Autonomiczne roboty wożą leki i próbki.",
                "description": "Nasze roboty jeżdżą same windami. Szukamy szpitali do pilotażu.",
            }
        },
        original_language="pl",
        tags={"category": ["medical_devices"], "seeks": ["customers"]},
    )
    publish("project", project, moderator)
    buyer = published_org(
        moderator,
        "Skovbjerg Kommune",
        kind="public_authority",
        country="DK",
        region="DK-83",
        original_language="da",
        working_languages=["da"],
        texts={
            "da": {
                "description": "Kommunen driver otte plejecentre.",
                "needs_detail": "Vi ønsker robotter, der kører mad og medicin rundt.",
            }
        },
        tags={"capability": ["procurement_innovation"]},
    )
    page = service.matches_for_project(project.id, ListKind.PROJECT_PARTNERS)
    match = next(item.match for item in page.items if item.match.key.item_id == buyer.id)
    needs = next(reason for reason in match.reasons if reason.code == "needs_offered")
    assert needs.args["text_tags"] == ("logistics_robotics",)
    with app.test_request_context("/nb/"), force_locale("nb"):
        assert reason_text(needs, "project") == (
            "Etter det som står skrevet, trenger de det du tilbyr: Logistikk og robotikk"
        )


def test_entries_published_before_texts_were_read_get_their_text_tags(moderator, runner):
    from sqlalchemy import delete, select

    from matchmaker.extensions import db
    from matchmaker.register.models import MatchProfile, RegisterEntryTag

    hospital = published_org(
        moderator,
        "Fjordkysten sykehus",
        kind="hospital",
        country="NO",
        region="NO-46",
        original_language="nb",
        working_languages=["nb"],
        texts={
            "nb": {"description": "Et sykehus.", "needs_detail": "Vi trenger hjemmemonitorering."}
        },
        tags={"capability": ["clinical_validation"]},
    )
    # As before the upgrade: no tags read from the texts.
    db.session.execute(delete(RegisterEntryTag).where(RegisterEntryTag.role == "need_text"))
    db.session.execute(MatchProfile.__table__.update().values(need_text=0))
    db.session.commit()
    result = runner.invoke(args=["register", "read-texts"])
    assert result.exit_code == 0 and "1 published entry changed" in result.output
    roles = db.session.scalars(
        select(RegisterEntryTag.role).where(RegisterEntryTag.role == "need_text")
    ).all()
    assert roles == ["need_text"]
    assert db.session.scalar(select(MatchProfile.need_text)) != 0
    # Read again, nothing changes.
    assert "0 published entries changed" in runner.invoke(args=["register", "read-texts"]).output
    assert service.published_profile("organisation", hospital.id).tag_codes("need_text") == {
        "remote_monitoring"
    }


def test_a_project_with_nothing_to_match_on_is_told_what_to_add(app, moderator):
    from tests.web.helpers import log_in

    owner = UserFactory(email="owner@example.org")
    maker = make_organisation(owner, name="Quiet Labs", tags={"category": ["medical_devices"]})
    publish("organisation", maker, moderator)
    project = make_project(
        maker,
        texts={"en": {"title": "Project X", "summary": "Early days.", "description": "Soon."}},
        tags={"seeks": ["pilot_site"]},
    )
    publish("project", project, moderator)
    url = f"/en/projects/{project.id}/matches/partners"
    public = app.test_client().get(url).get_data(as_text=True)
    assert "this profile names no needs, offers or fields to match on yet" in public
    assert "as more organisations and projects are published" not in public
    member = app.test_client()
    log_in(member, "owner@example.org")
    page = member.get(url).get_data(as_text=True)
    assert "Nothing to match on yet: add what you need and what you offer" in page
