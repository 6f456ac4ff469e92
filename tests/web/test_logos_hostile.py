"""Hostile logo files sent through the real edit form, and the headers a logo is served with.

The files are those of tests/unit/test_logos_hostile.py, posted as `logo.png` with the type
image/png whatever they are. A refused one gets the translated message next to the field
and changes nothing: no file under MEDIA_ROOT, the same draft and public logo, the same
revision and status. A real image carrying a payload is stored without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.http import parse_options_header

from matchmaker.extensions import db
from matchmaker.organisations import logo_views, logos, services
from matchmaker.organisations.models import Organisation
from tests.factories import publish
from tests.unit.test_logos_hostile import CLEANED, REFUSED, assert_pixels_only
from tests.web import test_logos
from tests.web.helpers import csrf_token, log_in, translated
from tests.web.test_logos import (
    LANGS,
    NOT_AN_IMAGE,
    TOO_LARGE,
    TOO_MANY_PIXELS,
    as_file,
    fetch,
    image,
    logo_dir,
    logo_url,
    post_multipart,
    upload,
)

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

# The fixtures of test_logos.py, shared rather than copied: pytest finds them by name here.
app_config = test_logos.app_config  # MEDIA_ROOT in a temporary folder
taxonomy = test_logos.taxonomy  # autouse
owner = test_logos.owner
moderator = test_logos.moderator
org = test_logos.org

MESSAGES = {
    logos.NotAnImage: (NOT_AN_IMAGE, {}),
    logos.TooManyPixels: (TOO_MANY_PIXELS, {"pixels": logos.MAX_SIDE}),
    logos.FileTooLarge: (TOO_LARGE, {"megabytes": logos.MAX_BYTES // (1024 * 1024)}),
}


def media_files(app) -> dict[str, bytes]:
    """Every file under MEDIA_ROOT, by its path there, with its content."""
    root = Path(app.config["MEDIA_ROOT"])
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def state(app, org) -> tuple:
    """All that an upload could change."""
    db.session.expire_all()
    return (
        org.name,
        org.status,
        org.revision,
        org.logo_filename,
        services.public_logo(org.id),
        media_files(app),
    )


@pytest.fixture
def two_logos(app, client, owner, moderator, org):
    """The owner logged in; one logo public, another in the draft, waiting for review."""
    log_in(client, "owner@example.org")
    upload(client, org, image())
    publish("organisation", org, moderator)
    upload(client, org, image(colour="#1d6b34"))
    db.session.expire_all()
    assert org.logo_filename != services.public_logo(org.id)
    assert len(media_files(app)) == 2
    return org


def assert_refused(response, lang: str, error: type[logos.LogoError]) -> None:
    assert response.status_code == 422
    message, variables = MESSAGES[error]
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="logo-error">{translated(lang, message, **variables)}</p>' in page


@pytest.mark.parametrize(("build", "error"), REFUSED.values(), ids=REFUSED.keys())
def test_hostile_file_is_refused_with_its_message_and_changes_nothing(
    app, client, two_logos, build, error
):
    org = two_logos
    before = state(app, org)
    response = upload(client, org, build(), filename="logo.png", name="Not saved")
    assert_refused(response, "en", error)
    assert state(app, org) == before


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "case", ["svg", "gifar", "png-claims-100000x100000", "png-ztxt-bomb", "png-text-over-2-mb"]
)
def test_refusal_is_in_the_readers_language(app, client, owner, org, lang, case):
    build, error = REFUSED[case]
    log_in(client, "owner@example.org", lang=lang)
    before = state(app, org)
    assert_refused(upload(client, org, build(), lang=lang), lang, error)
    assert state(app, org) == before


@pytest.mark.parametrize("case", ["svg", "html", "png-cut-at-90%", "png-8000x8000-real-pixels"])
def test_new_organisation_with_a_hostile_logo_is_not_created(app, client, owner, case):
    build, error = REFUSED[case]
    log_in(client, "owner@example.org")
    url = "/en/my/organisations/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Telemed Sp. z o.o.",
        "kind": "sme",
        "country": "PL",
        "original_language": "pl",
        "texts_pl-description": "Rozwijamy telemedycynę.",
        "logo": as_file(build()),
    }
    assert_refused(post_multipart(client, url, data), "en", error)
    assert db.session.query(Organisation).count() == 0
    assert media_files(app) == {}


@pytest.mark.parametrize(("build", "payloads"), CLEANED.values(), ids=CLEANED.keys())
def test_payload_in_a_real_image_is_neither_stored_nor_served(
    app, client, owner, org, build, payloads
):
    log_in(client, "owner@example.org")
    assert upload(client, org, build()).status_code == 303
    db.session.expire_all()
    assert media_files(app).keys() == {f"logos/{org.id}/{org.logo_filename}"}
    stored = (logo_dir(app, org) / org.logo_filename).read_bytes()
    assert_pixels_only(stored, payloads)
    assert fetch(client, logo_url(org)).data == stored


@pytest.mark.parametrize(
    "filename", ["../../../instance/secret_key", "<script>alert(1)</script>.png", "logo.svg"]
)
def test_the_name_of_an_upload_is_never_used(app, client, owner, org, filename):
    log_in(client, "owner@example.org")
    response = upload(client, org, image(), filename=filename)
    assert response.status_code == 303
    db.session.expire_all()
    assert logos.is_valid_name(org.logo_filename)
    assert media_files(app).keys() == {f"logos/{org.id}/{org.logo_filename}"}
    page = client.get(f"/en/my/organisations/{org.id}/edit").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "secret_key" not in page


# Headers -------------------------------------------------------------------------------


def assert_media_headers(response) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert policy == logo_views.MEDIA_POLICY
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["sandbox"] == []  # no allow-scripts, no allow-same-origin
    assert "'self'" not in policy and "nonce-" not in policy
    assert headers.getlist("Content-Security-Policy") == [policy]  # one policy, not two


@pytest.mark.parametrize("public", [True, False], ids=["public", "under-review"])
def test_logo_is_served_as_an_inert_picture_with_a_fixed_name(
    app, client, owner, moderator, org, public
):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    if public:
        publish("organisation", org, moderator)
        client = app.test_client()  # anyone
    url = logo_url(org)

    response = fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert_media_headers(response)
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options) == ("inline", {"filename": "logo.webp"})
    assert org.logo_filename not in response.headers["Content-Disposition"]

    again = fetch(client, url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert_media_headers(again)


def test_pages_keep_the_page_policy(app, client, owner, org):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    page = client.get(f"/en/my/organisations/{org.id}/edit")
    assert "'nonce-" in page.headers["Content-Security-Policy"]
    assert page.headers["Content-Security-Policy"] != logo_views.MEDIA_POLICY
    missing = fetch(client, f"/media/logos/{org.id}/{'0' * 32}.webp")
    assert missing.status_code == 404
    assert "'nonce-" in missing.headers["Content-Security-Policy"]
