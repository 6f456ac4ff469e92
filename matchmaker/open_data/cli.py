"""``flask open-data build``: the open data files, now rather than at night."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from matchmaker.open_data import files

open_data_cli = AppGroup("open-data", help="The register as open data files.")


@open_data_cli.command("build")
def build() -> None:
    """Write the open data files again (the worker does it each night)."""
    count = files.build()
    click.echo(f"{count} records in each file, written to {files.folder()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(open_data_cli)
