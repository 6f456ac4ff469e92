"""Writing and finding the open data files.

Each record is the register's export row (:func:`matchmaker.register.export.row`, the same
as the open API's), so the files hold what the register shows to everyone and nothing
else: the register tables hold approved versions only, and a row names no person.

A build writes every file under a temporary name beside its final one and renames them
only once all are complete: a reader (or the web app serving them) sees either the
previous files or the new ones, never a half-written file, and a failed build leaves the
previous files in place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.api.records import records
from matchmaker.csv_writer import CsvStream
from matchmaker.extensions import db
from matchmaker.open_data.readme import readme
from matchmaker.register.export import ORGANISATION_TAG_ROLES, PROJECT_TAG_ROLES
from matchmaker.register.models import RegisterEntry

README = "README.txt"
FORMATS = ("csv", "json")
BATCH = 1_000
# Organisations and projects share one CSV file: the tag columns of both kinds, in turn.
TAG_COLUMNS = [
    f"{role}_{part}"
    for role in dict.fromkeys(ORGANISATION_TAG_ROLES + PROJECT_TAG_ROLES)
    for part in ("codes", "labels")
]


@dataclass(frozen=True)
class DataFile:
    name: str
    language: str | None  # None: the README
    format: str
    size: int
    modified: datetime


def data_name(lang: str, fmt: str) -> str:
    return f"register-{lang}.{fmt}"


def names() -> list[str]:
    """Every file a build writes; the only names served."""
    languages = current_app.config["LANGUAGES"]
    return [data_name(lang, fmt) for lang in languages for fmt in FORMATS] + [README]


def folder() -> Path:
    return Path(current_app.config["OPEN_DATA_DIR"])


def path_of(name: str) -> Path | None:
    """The file called `name` if a build wrote it (any other name: None)."""
    if name not in names():
        return None
    path = folder() / name
    return path if path.is_file() else None


def built_files() -> list[DataFile]:
    """The files of the last build, in the order of names(); empty before the first."""
    found = []
    for name in names():
        path = path_of(name)
        if path is None:
            continue
        stat = path.stat()
        lang, fmt = (None, "txt") if name == README else name[9:].split(".")
        modified = datetime.fromtimestamp(stat.st_mtime, UTC)
        found.append(DataFile(name, lang, fmt, stat.st_size, modified))
    return found


def last_built() -> datetime | None:
    return max((file.modified for file in built_files()), default=None)


def build() -> int:
    """Write every file again; returns the number of records (per language)."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    parts: dict[str, Path] = {}
    try:
        count = _write_parts(target, parts)
        for name, part in parts.items():
            os.replace(part, target / name)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    return count


def _part(target: Path, name: str, parts: dict[str, Path]):
    """A new file beside `name`, to be renamed to it; readable by the web server."""
    handle, path = tempfile.mkstemp(dir=target, prefix=f".{name}.", suffix=".part")
    parts[name] = Path(path)
    os.chmod(handle, 0o644)
    return os.fdopen(handle, "w", encoding="utf-8", newline="")


def _write_parts(target: Path, parts: dict[str, Path]) -> int:
    config = current_app.config
    about = {
        "licence": config["OPEN_DATA_LICENCE"],
        "licence_url": config["OPEN_DATA_LICENCE_URL"],
        "generated_at": utcnow().isoformat(timespec="seconds"),
    }
    writers = {}
    for lang in config["LANGUAGES"]:
        writers[lang] = (
            CsvFile(_part(target, data_name(lang, "csv"), parts)),
            JsonFile(_part(target, data_name(lang, "json"), parts), {**about, "language": lang}),
        )
    count = 0
    try:
        # Outside a request, page addresses are built with SERVER_NAME.
        with current_app.test_request_context():
            for batch in _batches():
                count += len(batch)
                for lang, files in writers.items():
                    rows = records(batch, lang)
                    for file in files:
                        file.add(rows)
                for entry in batch:
                    db.session.expunge(entry)  # a big register need not stay in memory
    finally:
        for files in writers.values():
            for file in files:
                file.close()
    with _part(target, README, parts) as stream:
        stream.write(readme(about, names(), count))
    return count


def _batches() -> Iterator[list[RegisterEntry]]:
    """Every entry: organisations, then projects, each by id (stable files to compare)."""
    ids = db.session.scalars(
        select(RegisterEntry.id).order_by(RegisterEntry.item_type, RegisterEntry.item_id)
    ).all()
    for start in range(0, len(ids), BATCH):
        chosen = ids[start : start + BATCH]
        found = {
            e.id: e
            for e in db.session.scalars(select(RegisterEntry).where(RegisterEntry.id.in_(chosen)))
        }
        yield [found[entry_id] for entry_id in chosen if entry_id in found]


class CsvFile:
    """Rows as the register's CSV download writes them (one header for both kinds)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.writer = CsvStream(stream)
        self.header: list[str] | None = None

    def add(self, rows: list[dict]) -> None:
        for row in rows:
            if self.header is None:
                self.header = [key for key in row if key not in TAG_COLUMNS] + TAG_COLUMNS
                self.writer.row(self.header)
            self.writer.row(row.get(key) for key in self.header)

    def close(self) -> None:
        self.stream.close()


class JsonFile:
    """One object: what the file is (`about`), then "items", then "count"."""

    def __init__(self, stream, about: dict) -> None:
        self.stream = stream
        self.count = 0
        # The object without its closing brace, then the list the rows go into.
        stream.write(json.dumps(about, ensure_ascii=False)[:-1] + ', "items": [')

    def add(self, rows: list[dict]) -> None:
        for row in rows:
            self.stream.write(",\n" if self.count else "\n")
            self.stream.write(json.dumps(row, ensure_ascii=False))
            self.count += 1

    def close(self) -> None:
        if not self.stream.closed:
            self.stream.write(f'\n], "count": {self.count}}}\n')
            self.stream.close()
