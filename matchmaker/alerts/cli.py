"""``flask alerts send-digests``: what the worker does daily, now."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from matchmaker.alerts import tasks

alerts_cli = AppGroup("alerts", help="Saved searches and their weekly e-mail digest.")


@alerts_cli.command("send-digests")
def send_digests() -> None:
    """E-mail each opted-in user whose last digest is a week old the new matches since."""
    sent = tasks.send_digests()
    click.echo(f"{sent} digest(s) sent")


def init_app(app: Flask) -> None:
    app.cli.add_command(alerts_cli)
