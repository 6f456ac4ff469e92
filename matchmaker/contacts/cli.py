"""``flask contacts remind``: what the worker does daily, now (reminders, then expiry)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from matchmaker.contacts.tasks import remind_and_expire

contacts_cli = AppGroup("contacts", help="Contact requests.")


@contacts_cli.command("remind")
def remind() -> None:
    """Remind the receiving organisation of requests unanswered for CONTACT_REMINDER_DAYS
    and expire those unanswered for CONTACT_EXPIRY_DAYS (telling the sender)."""
    reminded, expired = remind_and_expire()
    click.echo(f"{reminded} reminder(s) sent, {expired} request(s) expired")


def init_app(app: Flask) -> None:
    app.cli.add_command(contacts_cli)
