"""``flask alerts send-digests``: the weekly e-mail of new matches (run it daily from cron)."""

from __future__ import annotations

import click
from flask import Flask, url_for
from flask.cli import AppGroup

from matchmaker.alerts import services
from matchmaker.mail import send_mail

alerts_cli = AppGroup("alerts", help="Saved searches and their weekly e-mail digest.")


def _send(user, items) -> None:
    lang = user.locale or "en"
    try:  # links need SERVER_NAME outside a request
        manage_link = url_for("alerts.index", lang=lang, _external=True)
    except RuntimeError:
        manage_link = None
    send_mail(
        user.email, "saved_search_digest", lang, user=user, items=items, manage_link=manage_link
    )


@alerts_cli.command("send-digests")
def send_digests() -> None:
    """E-mail each opted-in user whose last digest is a week old the new matches since."""
    sent = services.send_digests(_send)
    click.echo(f"{sent} digest(s) sent")


def init_app(app: Flask) -> None:
    app.cli.add_command(alerts_cli)
