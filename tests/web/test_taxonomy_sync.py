"""Syncing the taxonomy file into the ``tag`` table: create, update, retire, revive."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.taxonomy import Taxonomy, load_taxonomy
from matchmaker.taxonomy.cli import taxonomy_cli
from matchmaker.taxonomy.models import Tag
from matchmaker.taxonomy.services import sync_taxonomy


def tag_row(code: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.code == code))


def tag_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Tag))


def with_label(taxonomy: Taxonomy, code: str, lang: str, text: str) -> Taxonomy:
    tags = tuple(
        dataclasses.replace(t, labels=MappingProxyType({**t.labels, lang: text}))
        if t.code == code
        else t
        for t in taxonomy.tags
    )
    return dataclasses.replace(taxonomy, tags=tags)


def without(taxonomy: Taxonomy, code: str) -> Taxonomy:
    return dataclasses.replace(taxonomy, tags=tuple(t for t in taxonomy.tags if t.code != code))


def test_first_sync_creates_every_tag(app):
    taxonomy = load_taxonomy()

    result = sync_taxonomy(db.session, taxonomy)

    assert (result.created, result.updated, result.retired, result.unchanged) == (
        len(taxonomy.tags),
        0,
        0,
        0,
    )
    assert tag_count() == len(taxonomy.tags)
    row = tag_row("hospital")
    assert row.vocabulary == "org_kind"
    assert row.label("da") == taxonomy.get("hospital").label("da")
    assert row.keywords["nb"] == list(taxonomy.get("hospital").keywords["nb"])
    assert row.retired is False


def test_second_sync_changes_nothing(app):
    taxonomy = load_taxonomy()
    sync_taxonomy(db.session, taxonomy)

    result = sync_taxonomy(db.session, taxonomy)

    assert not result.changed
    assert result.unchanged == len(taxonomy.tags)


def test_renamed_label_updates_the_row(app):
    taxonomy = load_taxonomy()
    sync_taxonomy(db.session, taxonomy)
    renamed = with_label(taxonomy, "telemedicine_platform", "pl", "Platforma do telemedycyny")

    result = sync_taxonomy(db.session, renamed)

    assert (result.created, result.updated, result.retired) == (0, 1, 0)
    db.session.expire_all()
    assert tag_row("telemedicine_platform").label("pl") == "Platforma do telemedycyny"


def test_removed_tag_is_retired_not_deleted(app):
    taxonomy = load_taxonomy()
    sync_taxonomy(db.session, taxonomy)

    result = sync_taxonomy(db.session, without(taxonomy, "biobank"))

    assert (result.created, result.updated, result.retired) == (0, 0, 1)
    db.session.expire_all()
    assert tag_count() == len(taxonomy.tags)
    assert tag_row("biobank").retired is True


def test_retired_tag_comes_back_unretired_when_readded(app):
    taxonomy = load_taxonomy()
    sync_taxonomy(db.session, taxonomy)
    sync_taxonomy(db.session, without(taxonomy, "biobank"))
    biobank_id = tag_row("biobank").id

    result = sync_taxonomy(db.session, taxonomy)

    assert (result.created, result.updated, result.retired) == (0, 1, 0)
    db.session.expire_all()
    row = tag_row("biobank")
    assert row.retired is False
    assert row.id == biobank_id


def test_cli_sync_prints_the_counts(app):
    taxonomy = load_taxonomy()

    output = app.test_cli_runner().invoke(taxonomy_cli, ["sync"]).output

    assert output.strip() == (
        f"Taxonomy {taxonomy.version}: {len(taxonomy.tags)} created, 0 updated, "
        "0 retired, 0 unchanged."
    )
    assert tag_count() == len(taxonomy.tags)
