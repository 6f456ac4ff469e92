"""``flask matching report``: acceptance of answered contact requests by score band and
by rule, the evidence that a higher score means a better match."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from matchmaker.matching import report, service

matching_cli = AppGroup("matching", help="The matcher.")


@matching_cli.command("report")
def report_command() -> None:
    """Acceptance rate of answered contact requests (accepted, declined, expired) by the
    score the pair has now and by the rules that counted for it."""
    outcomes = service.contact_outcomes()
    if not outcomes:
        click.echo("No answered contact request between published items yet.")
        return
    for line in report.lines_of(report.acceptance(outcomes)):
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(matching_cli)
