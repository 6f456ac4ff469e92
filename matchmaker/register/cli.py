"""``flask register read-texts``: read the texts of every published entry again."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from matchmaker.extensions import db
from matchmaker.register.services import refresh_text_tags

register_cli = AppGroup("register", help="The public register.")


@register_cli.command("read-texts")
def read_texts() -> None:
    """Read the needs and offers in every published entry's texts again (after an
    upgrade that reads texts, or after the taxonomy's keywords changed)."""
    changed = refresh_text_tags()
    db.session.commit()
    click.echo(f"{changed} published entr{'y' if changed == 1 else 'ies'} changed")


def init_app(app: Flask) -> None:
    app.cli.add_command(register_cli)
