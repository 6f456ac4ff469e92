"""A logo in the browser, in all four languages: uploaded, shown, public once approved."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.moderation import services as moderation
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_register_journeys import log_in, t
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "MEDIA_ROOT": str(tmp_path / "media")}


@pytest.mark.parametrize("lang", LANGS)
def test_owner_uploads_a_logo_that_the_public_sees_once_approved(
    lang, live_server, new_page, app, tmp_path
):
    sync_taxonomy()
    owner_user = UserFactory(email="owner@example.org", locale=lang)
    moderator = UserFactory(email="mod@example.org", locale=lang, role="moderator")
    org = make_organisation(owner_user, name="Nordic Telecare AS")
    publish("organisation", org, moderator)
    # A JPEG under a misleading name: the content decides, and it is stored re-encoded.
    logo_file = tmp_path / "logo.png"
    Image.new("RGB", (320, 160), "#0b5cad").save(logo_file, "JPEG")

    owner = new_page()
    log_in(owner, live_server, lang, "owner@example.org")
    owner.goto(f"{live_server}/{lang}/my/organisations/{org.id}/edit")
    owner.get_by_label(t(lang, "Logo"), exact=True).set_input_files(logo_file)
    owner.get_by_role("button", name=t(lang, "Save")).click()
    expect(owner.get_by_text(t(lang, "Your changes are saved."))).to_be_visible()
    owner.get_by_role("link", name=t(lang, "Edit")).click()
    current = owner.get_by_role("img", name="Nordic Telecare AS")
    expect(current).to_have_js_property("naturalWidth", 320)
    assert_accessible(owner)
    owner.goto(f"{live_server}/{lang}/my/organisations/{org.id}")
    owner.get_by_role("button", name=t(lang, "Submit for review")).click()
    expect(
        owner.get_by_text(t(lang, "Thank you. A moderator will review the organisation soon."))
    ).to_be_visible()

    visitor = new_page()
    visitor.goto(f"{live_server}/{lang}/organisations/{org.id}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Nordic Telecare AS")
    expect(visitor.locator("img.logo")).to_have_count(0)

    db.session.refresh(org)  # the browser's requests changed it
    moderation.approve("organisation", org, moderator)
    visitor.reload()
    expect(visitor.locator("img.logo")).to_have_js_property("naturalWidth", 320)
    assert_accessible(visitor)
