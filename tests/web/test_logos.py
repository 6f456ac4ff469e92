"""Organisation logos: upload, replace, remove, bad files, and who may see which logo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

import matchmaker
from matchmaker.extensions import db
from matchmaker.organisations import logos
from matchmaker.organisations.models import Organisation
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, translated

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

LANGS = ["pl", "en", "da", "nb"]
NOT_AN_IMAGE = (
    "This file is not a PNG, JPEG or WebP image. Choose an image in one of these formats."
)
TOO_LARGE = "This file is larger than %(megabytes)d MB. Choose a smaller image."
TOO_MANY_PIXELS = "This image is too large. Choose one at most %(pixels)d pixels wide and high."


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "MEDIA_ROOT": str(tmp_path / "media")}


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy()


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org")


@pytest.fixture
def moderator():
    return UserFactory(email="mod@example.org", role="moderator")


@pytest.fixture
def org(owner):
    return make_organisation(owner)


def image(fmt: str = "PNG", size=(320, 160), colour="#0b5cad") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def logo_dir(app, org) -> Path:
    return Path(app.config["MEDIA_ROOT"]) / "logos" / str(org.id)


def stored(app, org) -> set[str]:
    folder = logo_dir(app, org)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def post_multipart(client, url: str, data: dict):
    # Encoded here, in memory: the test client would spool a large body to a temporary
    # file that it never closes.
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def save(client, org, lang: str = "en", **fields):
    """Post the edit form as the owner would, with `fields` (a logo, remove_logo) added."""
    db.session.expire_all()
    url = f"/{lang}/my/organisations/{org.id}/edit"
    data = {
        "csrf_token": csrf_token(client, url),
        "revision": str(org.revision),
        "name": org.name,
        "kind": org.kind,
        "country": org.country,
        "region": org.region,
        "original_language": org.original_language,
        "working_languages": org.working_languages,
        "texts_en-description": org.text("en").description,
        "capabilities": org.tag_codes("capability"),
        "needs": org.tag_codes("need"),
        **fields,
    }
    return post_multipart(client, url, data)


def as_file(content: bytes, filename: str = "logo.png") -> FileStorage:
    return FileStorage(io.BytesIO(content), filename=filename, content_type="image/png")


def upload(client, org, content: bytes, filename: str = "logo.png", **kwargs):
    return save(client, org, logo=as_file(content, filename), **kwargs)


def test_uploaded_logo_is_reencoded_and_stored_outside_static_under_a_generated_name(
    app, client, owner, org
):
    log_in(client, "owner@example.org")
    response = upload(client, org, image("JPEG"), filename="Our logo (final).jpg")
    assert response.status_code == 303
    db.session.expire_all()
    assert logos.is_valid_name(org.logo_filename)
    assert stored(app, org) == {org.logo_filename}
    with Image.open(logo_dir(app, org) / org.logo_filename) as saved:
        assert (saved.format, saved.size) == ("WEBP", (320, 160))
    static = Path(matchmaker.__file__).parent / "static"
    assert not list(static.rglob(org.logo_filename))
    page = client.get(f"/en/my/organisations/{org.id}/edit").get_data(as_text=True)
    assert f'src="/media/logos/{org.id}/{org.logo_filename}" alt="{org.name}"' in page


def test_organisation_created_with_a_logo_keeps_it(app, client, owner):
    log_in(client, "owner@example.org")
    url = "/en/my/organisations/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Telemed Sp. z o.o.",
        "kind": "sme",
        "country": "PL",
        "original_language": "pl",
        "texts_pl-description": "Rozwijamy telemedycynę.",
        "logo": as_file(image("WEBP"), "logo.webp"),
    }
    assert post_multipart(client, url, data).status_code == 303
    org = db.session.query(Organisation).one()
    assert stored(app, org) == {org.logo_filename}


def test_new_logo_replaces_the_old_one_and_its_file(app, client, owner, org):
    log_in(client, "owner@example.org")
    upload(client, org, image("PNG"))
    db.session.expire_all()
    first = org.logo_filename
    upload(client, org, image("WEBP", colour="#a4161a"), filename="new.webp")
    db.session.expire_all()
    assert org.logo_filename not in (None, first)
    assert stored(app, org) == {org.logo_filename}


def test_remove_logo_forgets_it_and_deletes_its_file(app, client, owner, org):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    response = save(client, org, remove_logo="y")
    assert response.status_code == 303
    db.session.expire_all()
    assert org.logo_filename is None
    assert stored(app, org) == set()


def test_edit_without_a_file_keeps_the_logo(app, client, owner, org):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    db.session.expire_all()
    logo = org.logo_filename
    assert save(client, org, name="Renamed").status_code == 303
    db.session.expire_all()
    assert (org.name, org.logo_filename) == ("Renamed", logo)


@pytest.mark.parametrize(
    ("content", "filename", "message", "variables"),
    [
        (b"I am text, whatever my name says.\n", "logo.png", NOT_AN_IMAGE, {}),
        (image("GIF"), "logo.gif", NOT_AN_IMAGE, {}),
        (image("PNG")[:300], "logo.png", NOT_AN_IMAGE, {}),
        (b"\0" * (logos.MAX_BYTES + 1), "logo.png", TOO_LARGE, {"megabytes": 2}),
        (image("PNG", size=(logos.MAX_SIDE + 1, 1)), "wide.png", TOO_MANY_PIXELS, {"pixels": 4096}),
    ],
    ids=["text-named-png", "gif", "truncated", "over-2-mb", "too-wide"],
)
def test_bad_logo_is_refused_next_to_the_field_and_changes_nothing(
    app, client, owner, org, content, filename, message, variables
):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    db.session.expire_all()
    before = (org.logo_filename, org.revision, stored(app, org))
    response = upload(client, org, content, filename=filename, name="Not saved")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="logo-error">{translated("en", message, **variables)}</p>' in page
    assert 'aria-describedby="logo-hint logo-error"' in page
    db.session.expire_all()
    assert (org.logo_filename, org.revision, stored(app, org)) == before
    assert org.name == "Nordic Telecare AS"


@pytest.mark.parametrize("lang", LANGS)
def test_logo_errors_are_in_the_readers_language(client, owner, org, lang):
    log_in(client, "owner@example.org", lang=lang)
    response = upload(client, org, b"plain text", lang=lang)
    assert response.status_code == 422
    assert translated(lang, NOT_AN_IMAGE) in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGS)
def test_request_over_the_size_limit_gets_a_translated_page_and_changes_nothing(
    app, client, owner, org, lang
):
    log_in(client, "owner@example.org", lang=lang)
    too_big = b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, org, too_big, lang=lang)
    assert response.status_code == 413
    assert translated(lang, "What you sent is too large.") in response.get_data(as_text=True)
    db.session.expire_all()
    assert (org.logo_filename, org.revision) == (None, 1)
    assert stored(app, org) == set()


def test_another_organisations_member_cannot_upload(app, client, owner, org):
    UserFactory(email="stranger@example.org")
    log_in(client, "stranger@example.org")
    token = csrf_token(client, "/en/my/organisations/new")
    response = post_multipart(
        client,
        f"/en/my/organisations/{org.id}/edit",
        {"csrf_token": token, "revision": "1", "name": "Hijacked", "logo": as_file(image())},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert org.logo_filename is None
    assert stored(app, org) == set()


def fetch(client, url: str, **kwargs):
    # Buffered, so the test client closes the file the response streams from.
    return client.get(url, buffered=True, **kwargs)


def logo_url(org) -> str:
    db.session.expire_all()
    return f"/media/logos/{org.id}/{org.logo_filename}"


def test_unpublished_logo_is_served_only_to_members_and_moderators(app, owner, moderator, org):
    owner_client = app.test_client()
    log_in(owner_client, "owner@example.org")
    upload(owner_client, org, image())
    url = logo_url(org)

    assert fetch(app.test_client(), url).status_code == 404
    UserFactory(email="stranger@example.org")
    stranger = app.test_client()
    log_in(stranger, "stranger@example.org")
    assert fetch(stranger, url).status_code == 404

    for client in (owner_client, app.test_client()):
        if client is not owner_client:
            log_in(client, "mod@example.org")
        response = fetch(client, url)
        assert response.status_code == 200
        assert response.mimetype == "image/webp"
        assert "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]


def test_published_logo_is_served_to_everyone_and_shown_on_public_pages(
    app, client, owner, moderator, org
):
    owner_client = app.test_client()
    log_in(owner_client, "owner@example.org")
    upload(owner_client, org, image())
    publish("organisation", org, moderator)
    url = logo_url(org)

    response = fetch(client, url)
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert response.data == (logo_dir(app, org) / org.logo_filename).read_bytes()
    assert (
        fetch(client, url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    )
    assert f'src="{url}" alt=""' in client.get(f"/en/organisations/{org.id}").get_data(as_text=True)
    assert f'src="{url}" alt=""' in client.get("/en/organisations").get_data(as_text=True)


def test_public_keeps_the_approved_logo_until_the_new_one_is_approved(
    app, client, owner, moderator, org
):
    owner_client = app.test_client()
    log_in(owner_client, "owner@example.org")
    upload(owner_client, org, image())
    publish("organisation", org, moderator)
    approved = logo_url(org)
    upload(owner_client, org, image(colour="#1d6b34"))
    waiting = logo_url(org)
    assert org.status == "draft"  # like any edit of a published profile

    public_page = client.get(f"/en/organisations/{org.id}").get_data(as_text=True)
    assert approved in public_page and waiting not in public_page
    assert fetch(client, approved).status_code == 200
    assert fetch(client, waiting).status_code == 404
    assert fetch(owner_client, waiting).status_code == 200

    publish("organisation", org, moderator)
    public_page = client.get(f"/en/organisations/{org.id}").get_data(as_text=True)
    assert waiting in public_page and approved not in public_page
    assert fetch(client, waiting).status_code == 200


def test_file_replaced_by_an_approval_is_deleted_when_approved(app, client, owner, moderator, org):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    publish("organisation", org, moderator)
    upload(client, org, image(colour="#1d6b34"))
    assert len(stored(app, org)) == 2  # the public one and the one under review
    publish("organisation", org, moderator)
    db.session.expire_all()
    assert stored(app, org) == {org.logo_filename}


@pytest.mark.parametrize(
    "name", ["..%2F..%2Fsecret_key", "logo.png", "0" * 32 + ".webp", "0" * 32 + ".WEBP"]
)
def test_names_that_are_not_a_logo_of_the_organisation_get_404(client, org, name):
    assert fetch(client, f"/media/logos/{org.id}/{name}").status_code == 404


def test_logo_of_another_organisation_is_not_served_under_this_one(
    app, client, owner, moderator, org
):
    log_in(client, "owner@example.org")
    upload(client, org, image())
    publish("organisation", org, moderator)
    other = make_organisation(owner, name="Other AS")
    publish("organisation", other, moderator)
    db.session.expire_all()
    assert fetch(client, f"/media/logos/{other.id}/{org.logo_filename}").status_code == 404
