"""Backups that restore: the database and the media folder in one archive, and back again.

`create_backup` writes one `matchmaker-backup-<UTC time>.tar.gz` holding

- `manifest.json`: format version, time, database kind, Alembic revision, row counts of the
  main tables and the number of media files (checked again after a restore), app version;
- `database.sqlite`, made with SQLite's online backup API (a consistent copy while the app
  writes), or `database.dump`, made by `pg_dump --format=custom --no-owner` inside the
  snapshot the counts were read in (so the counts describe exactly what was dumped);
- `media/`: the MEDIA_ROOT tree (logos).

`restore_backup` puts both back: it refuses a database that already has accounts or
organisations unless forced, and a backup from a newer schema than this code knows.

Plain functions taking the database URL and the media folder; the `flask backup` and
`flask restore` commands at the bottom are the only part that needs the app.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, with fixed argument lists
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click
from sqlalchemy import Select, create_engine, func, make_url, select, text
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.sqlite import dialect as SQLiteDialect
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from flask import Flask

FORMAT = "matchmaker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
POSTGRES_FILE = "database.dump"
MEDIA = "media"
DATABASE_FILES = {"sqlite": SQLITE_FILE, "postgresql": POSTGRES_FILE}
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Counted into the manifest and checked after a restore (a table the schema of the backup
# does not have yet is left out).
MAIN_TABLES = (
    "user_account",
    "organisation",
    "membership",
    "project",
    "event",
    "registration",
    "contact_request",
    "saved_search",
    "notification",
    "moderation_decision",
    "register_entry",
    "tag",
    "outbox_message",
    "meeting_setup",
    "meeting_request",
    "meeting",
    "meeting_seat",
)
# A database with a row in any of these is in use: a restore over it needs `force`.
IN_USE_TABLES = ("user_account", "organisation")
SQLITE_TIMEOUT_SECONDS = 30


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why, for the operator."""


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    media_files: int
    # "current": the backup's schema is this code's; "older": run `flask db upgrade` now.
    schema: str
    replaced_data: bool = False


# --- the database URL ------------------------------------------------------------------------


def database_kind(database_url: str) -> str:
    """`sqlite` or `postgresql`, whatever the driver named in the URL."""
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        return "sqlite"
    if backend in ("postgresql", "postgres"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL databases, not {backend}.")


def _sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"{database_url} is not an SQLite database file.")
    return Path(name)


def _postgres_engine(database_url: str) -> Engine:
    url = make_url(database_url).set(drivername="postgresql+psycopg")
    return create_engine(url, poolclass=NullPool)


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and an environment that carries it (PGPASSWORD).

    The password never appears on a command line, where other users of the machine could
    read it in the process list.
    """
    url: URL = make_url(database_url)
    query = dict(url.query)
    password = url.password or query.pop("password", None)
    uri = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=query,
    )
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return uri.render_as_string(hide_password=False), env


def _run(arguments: list[str], env: dict[str, str]) -> None:
    program = arguments[0]
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (it comes with the PostgreSQL client).")
    try:
        subprocess.run(  # noqa: S603  # a fixed argument list, no shell
            arguments, env=env, check=True, capture_output=True, text=True
        )  # nosec B603  # a fixed argument list, no shell; the password is in env
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{program} failed: {error.stderr.strip()}") from error


# --- reading a database ----------------------------------------------------------------------


def _count(name: str) -> Select:
    return select(func.count()).select_from(sql_table(name))


def _sqlite_facts(path: Path) -> tuple[list[str], dict[str, int]]:
    """The Alembic revisions and the main tables' row counts of an SQLite file."""
    with contextlib.closing(sqlite3.connect(path, timeout=SQLITE_TIMEOUT_SECONDS)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        revisions = []
        if "alembic_version" in tables:
            revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        counts = {
            name: conn.execute(str(_count(name).compile(dialect=SQLiteDialect()))).fetchone()[0]
            for name in MAIN_TABLES
            if name in tables
        }
    return sorted(revisions), counts


def _postgres_facts(conn) -> tuple[list[str], dict[str, int]]:
    """The same from a PostgreSQL connection, in its transaction."""

    def exists(name: str) -> bool:
        return conn.execute(text("SELECT to_regclass(:t)"), {"t": name}).scalar() is not None

    revisions = []
    if exists("alembic_version"):
        revisions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    counts = {name: conn.execute(_count(name)).scalar() for name in MAIN_TABLES if exists(name)}
    return sorted(revisions), counts


def _database_counts(database_url: str) -> dict[str, int]:
    if database_kind(database_url) == "sqlite":
        path = _sqlite_path(database_url)
        return _sqlite_facts(path)[1] if path.exists() else {}
    engine = _postgres_engine(database_url)
    try:
        with engine.connect() as conn:
            return _postgres_facts(conn)[1]
    finally:
        engine.dispose()


def database_in_use(database_url: str) -> bool:
    """Whether the database has any account or organisation."""
    counts = _database_counts(database_url)
    return any(counts.get(table) for table in IN_USE_TABLES)


# --- backup ----------------------------------------------------------------------------------


def create_backup(database_url: str, media_root: str | Path, destination_dir: str | Path) -> Path:
    """Write a backup of the database and the media folder into `destination_dir`.

    The archive is readable by its owner only (it holds password hashes and personal
    data), and appears under its final name only once complete.
    """
    kind = database_kind(database_url)
    media_root = Path(media_root)
    destination = Path(destination_dir)
    if destination.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(f"Backups cannot go into the media folder ({media_root}).")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=destination) as work:
        database_file = Path(work) / DATABASE_FILES[kind]
        if kind == "sqlite":
            revisions, counts = _copy_sqlite(_sqlite_path(database_url), database_file)
        else:
            revisions, counts = _dump_postgres(database_url, database_file)
        # After the database: a logo replaced in between is in the folder but unnamed
        # (harmless); only one deleted in those seconds could be missing.
        media = list(_media_members(media_root))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "database": kind,
            "alembic_revisions": revisions,
            "counts": counts,
            "media_files": sum(1 for _, path in media if path.is_file()),
            "app_version": app_version(),
        }
        manifest_file = Path(work) / MANIFEST
        manifest_file.write_text(json.dumps(manifest, indent=2) + "\n")
        partial = Path(work) / "backup.tar.gz"
        try:
            with _private_file(partial) as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                archive.add(manifest_file, arcname=MANIFEST)
                archive.add(database_file, arcname=DATABASE_FILES[kind])
                _add_media_folder(archive, media_root, created)
                for name, path in media:
                    archive.add(path, arcname=name, recursive=False)
        except OSError as error:  # a full disk, a media file deleted meanwhile: try again
            raise BackupError(f"The archive could not be written ({error}).") from error
        return _move_into_place(partial, destination, created)


def _copy_sqlite(source: Path, copy: Path) -> tuple[list[str], dict[str, int]]:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    with (
        contextlib.closing(sqlite3.connect(source, timeout=SQLITE_TIMEOUT_SECONDS)) as src,
        contextlib.closing(sqlite3.connect(copy)) as dst,
    ):
        # All pages in one step, under one read transaction: a consistent snapshot even
        # while the app writes (WAL lets it go on writing meanwhile).
        src.backup(dst)
        # A single self-contained file, without a -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(dst, "The copy of the database")
    return _sqlite_facts(copy)


def _check_sqlite(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} is damaged: {result}")


def _dump_postgres(database_url: str, dump: Path) -> tuple[list[str], dict[str, int]]:
    """pg_dump inside an exported snapshot, in which the counts are read too."""
    uri, env = _libpq(database_url)
    engine = _postgres_engine(database_url)
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            facts = _postgres_facts(conn)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    f"--dbname={uri}",
                ],
                env,
            )
    finally:
        engine.dispose()
    return facts


def _media_members(media_root: Path) -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of the folders and regular files under `media_root`.

    Links and special files are left out: the app writes neither, and a restore refuses them.
    """
    if not media_root.is_dir():
        return
    for folder, dirs, files in os.walk(media_root):
        base = Path(folder)
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            path = base / name
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                continue
            yield f"{MEDIA}/{path.relative_to(media_root).as_posix()}", path


def _add_media_folder(archive: tarfile.TarFile, media_root: Path, created: datetime) -> None:
    """The `media/` entry itself, there even when MEDIA_ROOT does not exist yet."""
    if media_root.is_dir():
        archive.add(media_root, arcname=MEDIA, recursive=False)
    else:
        folder = tarfile.TarInfo(MEDIA)
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, created.timestamp()
        archive.addfile(folder)


@contextlib.contextmanager
def _private_file(path: Path):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        yield file


def _move_into_place(partial: Path, destination: Path, created: datetime) -> Path:
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(100):
        suffix = f"-{attempt}" if attempt else ""
        target = destination / f"matchmaker-backup-{stamp}{suffix}.tar.gz"
        try:
            os.link(partial, target)  # fails, rather than replaces, when the name is taken
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            if target.exists():
                continue
            os.replace(partial, target)
        return target
    raise BackupError(f"Too many backups named matchmaker-backup-{stamp} in {destination}.")


def app_version() -> str:
    try:
        return metadata.version("matchmaker")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- restore ---------------------------------------------------------------------------------


def read_manifest(archive: str | Path) -> dict:
    """The manifest of `archive`, after checking that every member is one a backup has."""
    with _open_archive(archive) as tar:
        _check_members(tar)
        return _load_manifest(tar)


def schema_status(revisions: list[str]) -> str:
    """`current` when the backup's schema is this code's, `older` when `db upgrade` will
    bring it up to date; a BackupError for a schema this code does not know (newer)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if not revisions:
        raise BackupError("The backup names no schema revision (alembic_version is empty).")
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    heads = set(scripts.get_heads())
    for revision in revisions:
        try:
            scripts.get_revision(revision)
        except CommandError as error:
            raise BackupError(
                f"The backup's schema revision {revision} is newer than this code knows "
                f"(its latest is {', '.join(sorted(heads))}): restore it with the version "
                "of Matchmaker that made it, or a later one."
            ) from error
    return "current" if set(revisions) <= heads else "older"


def restore_backup(
    archive: str | Path, database_url: str, media_root: str | Path, force: bool = False
) -> RestoreResult:
    """Replace the database and the media folder's content with those in `archive`.

    Everything is checked before anything is written: the archive's members, its
    manifest and schema revision, and that the database is empty (unless `force`).
    For SQLite, dispose of the app's engine first; stop the web and worker processes.
    """
    kind = database_kind(database_url)
    media_root = Path(media_root)
    with _open_archive(archive) as tar:
        members = _check_members(tar)
        manifest = _load_manifest(tar)
        if manifest["database"] != kind:
            raise BackupError(
                f"This is a backup of a {manifest['database']} database; "
                f"the database to restore into is {kind}."
            )
        if DATABASE_FILES[kind] not in {m.name for m in members}:
            raise BackupError(f"The archive has no {DATABASE_FILES[kind]}.")
        schema = schema_status(manifest["alembic_revisions"])
        in_use = database_in_use(database_url)
        if in_use and not force:
            raise BackupError(
                "The database already has accounts or organisations; a restore would "
                "replace them. Use --force to replace them."
            )
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work:
            tar.extractall(work, members=members, filter="data")
            extracted = Path(work)
            if kind == "sqlite":
                _restore_sqlite(extracted / SQLITE_FILE, _sqlite_path(database_url))
            else:
                _restore_postgres(extracted / POSTGRES_FILE, database_url)
            counts = _database_counts(database_url)
            media_files = _replace_media(extracted / MEDIA, media_root)
    _verify(manifest, counts, media_files)
    return RestoreResult(manifest, counts, media_files, schema, replaced_data=in_use)


@contextlib.contextmanager
def _open_archive(archive: str | Path) -> Iterator[tarfile.TarFile]:
    path = Path(archive)
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    try:
        tar = tarfile.open(path, mode="r:gz")  # noqa: SIM115  # closed by the `with` below
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{path} is not a readable backup archive ({error}).") from error
    with tar:
        yield tar


def _check_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Every member, if each is a plain file or folder where a backup puts one.

    An absolute name, a `..`, a link or a device is refused here, before anything is
    extracted; the extraction's "data" filter would refuse them again.
    """
    try:
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"The archive cannot be read ({error}).") from error
    top_files = {MANIFEST, *DATABASE_FILES.values()}
    for member in members:
        path = PurePosixPath(member.name)
        problem = None
        if path.is_absolute() or member.name.startswith(("/", "\\")):
            problem = "an absolute path"
        elif ".." in path.parts or "\\" in member.name:
            problem = "a path outside the archive"
        elif not (member.isfile() or member.isdir()):
            problem = "neither a file nor a folder"
        elif not (
            (member.isfile() and member.name in top_files)
            or (path.parts and path.parts[0] == MEDIA and (len(path.parts) > 1 or member.isdir()))
        ):
            problem = "not part of a backup"
        if problem:
            raise BackupError(f"The archive is refused: member {member.name!r} is {problem}.")
    return members


def _load_manifest(tar: tarfile.TarFile) -> dict:
    try:
        file = tar.extractfile(MANIFEST)
    except KeyError:
        file = None
    if file is None:
        raise BackupError("The archive has no manifest.json: it is not a Matchmaker backup.")
    with file:
        try:
            manifest = json.load(file)
        except ValueError as error:
            raise BackupError(f"The manifest cannot be read ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("The manifest is not that of a Matchmaker backup.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"The backup's format version {version!r} is newer than this code reads "
            f"({FORMAT_VERSION}): restore it with the version of Matchmaker that made it."
        )
    if manifest.get("database") not in DATABASE_FILES:
        raise BackupError(f"The manifest names an unknown database: {manifest.get('database')!r}.")
    if not isinstance(manifest.get("alembic_revisions"), list):
        raise BackupError("The manifest names no schema revision.")
    return manifest


def _restore_sqlite(copy: Path, target: Path) -> None:
    if not copy.is_file():
        raise BackupError(f"The archive has no {SQLITE_FILE}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        contextlib.closing(sqlite3.connect(copy)) as src,
        contextlib.closing(sqlite3.connect(target, timeout=SQLITE_TIMEOUT_SECONDS)) as dst,
    ):
        _check_sqlite(src, "The database in the backup")
        # Page by page into the live file, under its locks: another connection never sees
        # half a database, and the file keeps its journal mode (WAL).
        src.backup(dst)


def _restore_postgres(dump: Path, database_url: str) -> None:
    uri, env = _libpq(database_url)
    engine = _postgres_engine(database_url)
    try:
        # Tables the dump does not have (from a newer schema than the backup's) would stay
        # behind --clean and make `db upgrade` fail: the database becomes the backup's.
        with engine.begin() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            quote = conn.dialect.identifier_preparer.quote
            for table in list(tables):
                conn.execute(text(f"DROP TABLE IF EXISTS {quote(table)} CASCADE"))
    finally:
        engine.dispose()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            # Grants name roles the server may not have; the app's own role owns everything.
            "--no-privileges",
            # All or nothing: a failure leaves the database as it was before pg_restore.
            "--single-transaction",
            f"--dbname={uri}",
            str(dump),
        ],
        env,
    )


def _replace_media(extracted: Path, media_root: Path) -> int:
    """Empty `media_root` (kept itself: it may be a mount point) and move the backup's in."""
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if extracted.is_dir():
        for child in extracted.iterdir():
            shutil.move(child, media_root / child.name)
    return sum(1 for path in media_root.rglob("*") if path.is_file())


def _verify(manifest: dict, counts: dict[str, int], media_files: int) -> None:
    expected = manifest.get("counts") or {}
    wrong = [
        f"{table}: {counts.get(table)} rows, the backup had {number}"
        for table, number in expected.items()
        if counts.get(table) != number
    ]
    if manifest.get("media_files") not in (None, media_files):
        wrong.append(f"media: {media_files} files, the backup had {manifest['media_files']}")
    if wrong:
        raise BackupError("The restored data differs from the backup: " + "; ".join(wrong))


# --- commands --------------------------------------------------------------------------------


def _database_url() -> str:
    from flask import current_app

    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def _shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def _echo_counts(counts: dict[str, int], media_files: int) -> None:
    for table, number in counts.items():
        click.echo(f"  {table}: {number}")
    click.echo(f"  media files: {media_files}")


@click.command("backup")
@click.option(
    "--to",
    "destination",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the archive (default: instance/backups).",
)
def backup_command(destination: Path | None) -> None:
    """Write the database and the media folder into one archive, and print its path."""
    from flask import current_app

    destination = destination or Path(current_app.instance_path) / "backups"
    try:
        path = create_backup(_database_url(), current_app.config["MEDIA_ROOT"], destination)
        manifest = read_manifest(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(str(path))
    click.echo(
        f"{manifest['database']} database at revision "
        f"{', '.join(manifest['alembic_revisions'])}, {path.stat().st_size:,} bytes:"
    )
    _echo_counts(manifest["counts"], manifest["media_files"])


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that has data.")
def restore_command(archive: Path, force: bool) -> None:
    """Replace the database and the media folder with those in ARCHIVE.

    Stop the web and worker processes first, and start them again after.
    """
    from flask import current_app

    from matchmaker.extensions import db

    database_url = _database_url()
    media_root = current_app.config["MEDIA_ROOT"]
    db.engine.dispose()  # no pooled connection of ours holds the old database
    try:
        result = restore_backup(archive, database_url, media_root, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.engine.dispose()
    manifest = result.manifest
    click.echo(
        f"Restored the backup of {manifest['created_at']} (revision "
        f"{', '.join(manifest['alembic_revisions'])}) into {_shown(database_url)}, "
        f"media into {media_root}:"
    )
    _echo_counts(result.counts, result.media_files)
    if result.schema == "older":
        click.echo(
            "The backup's schema is older than this code's: run "
            "`flask --app matchmaker db upgrade` now."
        )
    click.echo("Restart the web and worker processes.")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
