"""``flask taxonomy ...`` commands: keep the database's tags in step with the data file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from matchmaker.taxonomy.loader import VOCABULARIES, TaxonomyError, load_taxonomy

taxonomy_cli = AppGroup("taxonomy", help="Manage the tag vocabularies (taxonomy).")

_path_option = click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Taxonomy TOML file (default: the one shipped with the app).",
)


@taxonomy_cli.command("sync")
@_path_option
def sync_command(path: Path | None) -> None:
    """Create, update and retire tags so the database matches the taxonomy file."""
    from matchmaker.extensions import db
    from matchmaker.taxonomy.services import sync_taxonomy

    try:
        taxonomy = load_taxonomy(path)
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from exc
    result = sync_taxonomy(db.session, taxonomy)
    click.echo(result.summary())


@taxonomy_cli.command("check")
@_path_option
def check_command(path: Path | None) -> None:
    """Validate the taxonomy file without touching the database; print tags per vocabulary."""
    try:
        taxonomy = load_taxonomy(path)
    except TaxonomyError as exc:
        raise click.ClickException(str(exc)) from exc
    counts = Counter(tag.vocabulary for tag in taxonomy.tags)
    click.echo(f"Taxonomy {taxonomy.version}: {len(taxonomy.tags)} tags, valid.")
    for name in VOCABULARIES:
        click.echo(f"  {name}: {counts.get(name, 0)}")


def init_app(app: Flask) -> None:
    """Register the ``taxonomy`` command group on the app's CLI."""
    app.cli.add_command(taxonomy_cli)
