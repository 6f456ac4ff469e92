"""``flask contacts remind``: reminders for unanswered requests, then expiry (run daily)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from matchmaker.accounts.models import utcnow
from matchmaker.contacts import notify, services

contacts_cli = AppGroup("contacts", help="Contact requests.")


@contacts_cli.command("remind")
def remind() -> None:
    """Remind the receiving organisation of requests unanswered for CONTACT_REMINDER_DAYS
    and expire those unanswered for CONTACT_EXPIRY_DAYS (telling the sender)."""
    config = current_app.config
    now = utcnow()
    # Links in the e-mails use SERVER_NAME (and PREFERRED_URL_SCHEME) outside a request.
    with current_app.test_request_context():
        expired = services.expire(now, config["CONTACT_EXPIRY_DAYS"])
        for request in expired:
            notify.expired(request)
        reminded = 0
        for request in services.due_reminders(now, config["CONTACT_REMINDER_DAYS"]):
            if services.mark_reminded(request, now):
                notify.reminder(request)
                reminded += 1
    click.echo(f"{reminded} reminder(s) sent, {len(expired)} request(s) expired")


def init_app(app: Flask) -> None:
    app.cli.add_command(contacts_cli)
