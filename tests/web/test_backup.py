"""Backups: `flask backup` and `flask restore` bring every organisation, project, event
registration and logo back into an empty instance. On the suite's database: SQLite, or
PostgreSQL with TEST_DATABASE_URL (the empty instance then gets a scratch database
`backup_test_…` beside the suite's, dropped after). A restore over data needs --force; a
backup from newer code, or an archive with paths out of its folder, is refused and
changes nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import secrets
import sqlite3
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from matchmaker import backup, create_app
from matchmaker.accounts.models import User
from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting, MeetingRequest, MeetingSeat
from matchmaker.organisations.models import Organisation
from matchmaker.projects.models import Project
from tests.conftest import XDIST_WORKER, reset_schema
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web import test_events as events
from tests.web import test_meetings as meetings
from tests.web.helpers import log_in
from tests.web.test_events import make_event, person, sign_up
from tests.web.test_logos import fetch, image, upload

# The events tests' world (people, three published organisations, a moderator) and their
# app with its shared template cache: pytest finds these fixtures by name here.
app = events.app
world = events.world

ARCHIVE_NAME = re.compile(r"matchmaker-backup-\d{8}T\d{6}Z\.tar\.gz")


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "MEDIA_ROOT": str(tmp_path / "media")}


def is_postgres(url: str) -> bool:
    return backup.database_kind(url) == "postgresql"


def on_server(url: str, statement: str) -> None:
    """Run CREATE or DROP DATABASE through the suite's own database."""
    engine = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def fresh(app_config, tmp_path):
    """Another instance, empty: its own database built by the migrations, its own media."""
    suite_url = app_config["SQLALCHEMY_DATABASE_URI"]
    if is_postgres(suite_url):
        name = f"backup_test_{XDIST_WORKER or 'main'}_{secrets.token_hex(4)}"
        on_server(suite_url, f'CREATE DATABASE "{name}"')
        url = make_url(suite_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = "sqlite:///" + str(tmp_path / "restored" / "matchmaker.sqlite")
        (tmp_path / "restored").mkdir()
    other = create_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": url,
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
        }
    )
    try:
        reset_schema(other)
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        if is_postgres(suite_url):
            on_server(suite_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def contents() -> dict[str, list[tuple]]:
    """What must survive, row by row, read from the database of the current app."""
    db.session.expire_all()

    def rows(*columns) -> list[tuple]:
        return sorted(tuple(row) for row in db.session.execute(select(*columns)).all())

    return {
        "users": rows(User.id, User.email, User.name, User.password_hash, User.role),
        "organisations": rows(
            Organisation.id, Organisation.name, Organisation.status, Organisation.logo_filename
        ),
        "projects": rows(Project.id, Project.organisation_id, Project.status, Project.revision),
        "events": rows(Event.id, Event.status, Event.capacity, Event.taken),
        "registrations": rows(
            Registration.id,
            Registration.event_id,
            Registration.user_id,
            Registration.status,
            Registration.ticket,
        ),
        "meeting requests": rows(
            MeetingRequest.id,
            MeetingRequest.requester_id,
            MeetingRequest.recipient_id,
            MeetingRequest.status,
            MeetingRequest.message,
        ),
        "meetings": rows(
            Meeting.id, Meeting.request_id, Meeting.starts_at, Meeting.table_number, Meeting.status
        ),
        "meeting seats": rows(MeetingSeat.meeting_id, MeetingSeat.user_id),
    }


def some_data() -> None:
    sync_taxonomy()
    make_organisation(UserFactory())


def run(app, *args: str):
    """`flask ARGS` for `app` (in its app context, as `flask --app` would run it)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def make_backup(app, tmp_path) -> Path:
    db.session.remove()  # the test's own session holds no transaction over the database
    result = run(app, "backup", "--to", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    return Path(result.output.splitlines()[0])


def logo_path(app, organisation_id: int, filename: str) -> Path:
    return Path(app.config["MEDIA_ROOT"]) / "logos" / str(organisation_id) / filename


def empty(app) -> bool:
    """The instance has no rows in the main tables and no media files."""
    counts = backup._database_counts(app.config["SQLALCHEMY_DATABASE_URI"])
    media = Path(app.config["MEDIA_ROOT"])
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return not any(counts.values()) and not files


def test_a_backup_restores_into_an_empty_instance_with_everything_in_it(
    app, world, fresh, tmp_path
):
    moderator, telecare = world["moderator"], world["telecare"]
    for number in range(3):
        texts = {
            "en": {"title": f"Pilot {number}", "summary": "Sensors.", "description": "A pilot."}
        }
        project = make_project(telecare, texts=texts)
        if number:  # the first stays a draft
            publish("project", project, moderator)
    # A logo, uploaded through the edit form by the organisation's owner, then approved.
    imaging = make_organisation(
        world["dave"], name="Aarhus Imaging", kind="sme", country="DK", region="DK-82"
    )
    owner = app.test_client()
    log_in(owner, world["dave"].email)
    assert upload(owner, imaging, image("PNG")).status_code == 303
    publish("organisation", imaging, moderator)
    db.session.refresh(imaging)
    logo_id, logo_name = imaging.id, imaging.logo_filename
    logo = logo_path(app, logo_id, logo_name).read_bytes()
    # A matchmaking day: two seats taken and one person waiting; the two with a seat
    # have booked a 1:1 meeting.
    event = make_event(world, kind="matchmaking", capacity=2)
    organiser = person(app, world, "olga")
    settings = meetings.post(
        organiser, f"/en/my/events/{event.id}/meetings/settings", **meetings.settings_form()
    )
    assert settings.status_code == 303
    people = {}
    for name in ("alice", "bob", "carol"):
        people[name] = person(app, world, name)
        assert sign_up(people[name], event).status_code == 200
    meeting = meetings.book(people, world, event, "alice", "bob", meetings.SLOT_1)
    assert meeting is not None and meeting.status == "booked"
    before = contents()
    assert len(before["meetings"]) == 1 and len(before["meeting seats"]) == 2
    assert [status for *_, status, _ in before["registrations"]] == [
        "confirmed",
        "confirmed",
        "waiting",
    ]

    archive = make_backup(app, tmp_path)
    assert ARCHIVE_NAME.fullmatch(archive.name)
    assert archive.stat().st_mode & 0o777 == 0o600  # password hashes and personal data
    kind = backup.database_kind(app.config["SQLALCHEMY_DATABASE_URI"])
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert names == {
        "manifest.json",
        backup.DATABASE_FILES[kind],
        "media",
        "media/logos",
        f"media/logos/{logo_id}",
        f"media/logos/{logo_id}/{logo_name}",
    }
    manifest = backup.read_manifest(archive)
    assert manifest["database"] == kind
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert backup.schema_status(manifest["alembic_revisions"]) == "current"
    assert manifest["media_files"] == 1
    counts = manifest["counts"]
    assert (counts["organisation"], counts["project"], counts["event"]) == (4, 3, 1)
    assert (counts["registration"], counts["user_account"]) == (3, 8)
    assert (counts["meeting_request"], counts["meeting"], counts["meeting_seat"]) == (1, 1, 2)

    result = run(fresh, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Restart the web and worker processes." in result.output
    assert "db upgrade" not in result.output
    assert "  registration: 3" in result.output

    with fresh.app_context():
        assert contents() == before
        assert logo_path(fresh, logo_id, logo_name).read_bytes() == logo
        # The restored instance serves it, and its public register lists everyone.
        visitor = fresh.test_client()
        served = fetch(visitor, f"/media/logos/{logo_id}/{logo_name}")
        assert (served.status_code, served.data) == (200, logo)
        register = visitor.get("/en/organisations").get_data(as_text=True)
        for name in ("Oslo Living Lab", "Bergen Clinic", "Wroclaw Telecare", "Aarhus Imaging"):
            assert name in register
        db.session.remove()


def test_a_restore_over_data_needs_force_and_then_puts_the_backup_back(app, tmp_path):
    sync_taxonomy()
    owner = UserFactory()
    owner_id = owner.id
    make_organisation(owner, name="Before the backup")
    archive = make_backup(app, tmp_path)
    make_organisation(db.session.get(User, owner_id), name="After the backup")
    stray = Path(app.config["MEDIA_ROOT"]) / "logos" / "999" / "stray.webp"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not in the backup")
    db.session.remove()

    refused = run(app, "restore", str(archive))
    assert refused.exit_code != 0
    assert "already has accounts or organisations" in refused.output
    assert "--force" in refused.output
    assert stray.exists()
    names = db.session.scalars(select(Organisation.name).order_by(Organisation.id)).all()
    assert names == ["Before the backup", "After the backup"]
    db.session.remove()

    forced = run(app, "restore", str(archive), "--force")
    assert forced.exit_code == 0, forced.output
    assert not stray.exists()
    assert db.session.scalars(select(Organisation.name)).all() == ["Before the backup"]
    db.session.remove()


def rewrite(archive: Path, target: Path, manifest: dict | None = None, extra=()) -> Path:
    """A copy of `archive` with another manifest and `extra` (TarInfo, bytes) members added."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json" and manifest is not None:
                content = json.dumps(manifest).encode()
                member.size, data = len(content), io.BytesIO(content)
            copy.addfile(member, data)
        for member, content in extra:
            copy.addfile(member, io.BytesIO(content) if content is not None else None)
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"alembic_revisions": ["ffffffffffff"]}, "revision ffffffffffff is newer than"),
        ({"format_version": backup.FORMAT_VERSION + 1}, "format version 2 is newer"),
    ],
)
def test_a_backup_from_newer_code_is_refused_and_changes_nothing(
    app, fresh, tmp_path, change, message
):
    some_data()
    archive = make_backup(app, tmp_path)
    newer = rewrite(archive, tmp_path / "newer.tar.gz", {**backup.read_manifest(archive), **change})
    result = run(fresh, "restore", str(newer))
    assert result.exit_code != 0
    assert message in result.output
    assert empty(fresh)


def test_an_older_backup_is_restored_and_the_operator_told_to_upgrade(app, fresh, tmp_path):
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(backup.MIGRATIONS_DIR))
    [head] = scripts.get_heads()
    older = scripts.get_revision(head).down_revision
    assert backup.schema_status([head]) == "current"
    assert backup.schema_status([older]) == "older"
    some_data()
    archive = make_backup(app, tmp_path)
    # Only the manifest says so here: the database in it is the current one.
    relabelled = rewrite(
        archive,
        tmp_path / "older.tar.gz",
        {**backup.read_manifest(archive), "alembic_revisions": [older]},
    )
    result = run(fresh, "restore", str(relabelled))
    assert result.exit_code == 0, result.output
    assert "run `flask --app matchmaker db upgrade` now" in result.output


def hostile_members(tmp_path: Path) -> dict[str, list[tuple[tarfile.TarInfo, bytes | None]]]:
    def file(name: str) -> tuple[tarfile.TarInfo, bytes]:
        member = tarfile.TarInfo(name)
        member.size = len(b"evil")
        return member, b"evil"

    def link(name: str, target: str, kind=tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
        member = tarfile.TarInfo(name)
        member.type, member.linkname = kind, target
        return member, None

    return {
        "parent": [file("../evil")],
        "absolute": [file(str(tmp_path / "absolute-evil"))],
        "parent inside media": [file("media/../../evil")],
        "symlink out": [link("media/escape", "../../.."), file("media/escape/evil")],
        "hard link": [link("media/passwd", "/etc/passwd", tarfile.LNKTYPE)],
        "not a backup's": [file("evil")],
    }


@pytest.mark.parametrize(
    "case",
    ["parent", "absolute", "parent inside media", "symlink out", "hard link", "not a backup's"],
)
def test_a_hostile_archive_is_refused_and_writes_nothing(app, fresh, tmp_path, case):
    some_data()
    archive = make_backup(app, tmp_path)
    hostile = rewrite(archive, tmp_path / "hostile.tar.gz", extra=hostile_members(tmp_path)[case])
    result = run(fresh, "restore", str(hostile))
    assert result.exit_code != 0
    assert "The archive is refused" in result.output
    assert not [p for p in tmp_path.rglob("*evil*") if p.is_file()]
    assert not Path("/evil").exists()
    assert empty(fresh)


def test_a_backup_taken_during_a_write_has_the_committed_data_only(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if is_postgres(url):
        pytest.skip("SQLite's online backup; pg_dump works in a snapshot of its own")
    sync_taxonomy()
    make_organisation(UserFactory(), name="Committed")
    db.session.remove()
    path = make_url(url).database
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # the app's write lock, held through the backup
        writer.execute("UPDATE organisation SET name = 'Half-written'")
        archive = backup.create_backup(url, app.config["MEDIA_ROOT"], tmp_path / "backups")
        writer.execute("ROLLBACK")
    with tarfile.open(archive) as tar:
        tar.extract("database.sqlite", tmp_path, filter="data")
    with contextlib.closing(sqlite3.connect(tmp_path / "database.sqlite")) as copy:
        assert copy.execute("SELECT name FROM organisation").fetchall() == [("Committed",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_the_postgresql_password_goes_to_pg_dump_in_its_environment_not_its_arguments():
    uri, env = backup._libpq(
        "postgresql+psycopg://matchmaker:s3cr%40t@db.internal:5433/mm?sslmode=require"
    )
    assert "s3cr" not in uri
    assert uri == "postgresql://matchmaker@db.internal:5433/mm?sslmode=require"
    assert env["PGPASSWORD"] == "s3cr@t"


def test_a_backup_never_goes_into_the_media_folder(app, tmp_path):
    media = Path(app.config["MEDIA_ROOT"])
    result = run(app, "backup", "--to", str(media / "backups"))
    assert result.exit_code != 0
    assert "cannot go into the media folder" in result.output
    assert not (media / "backups").exists()
