"""Operator commands: create an admin, change a user's role."""

from __future__ import annotations

import click
from flask import Flask

from matchmaker.accounts import services
from matchmaker.accounts.models import ROLES
from matchmaker.accounts.passwords import password_problem


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a confirmed admin account for EMAIL, or promote the existing one."""
    existing = services.find_by_email(email)
    if existing is None:
        problem = password_problem(password, email=email)
        if problem:
            raise click.ClickException(f"The password is not accepted ({problem}).")
    user = services.create_admin(email, name, password)
    click.echo(f"{user.email} is now an admin.")


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Give the user with EMAIL the ROLE member, moderator or admin."""
    try:
        user = services.set_role(email, role)
    except services.UnknownUser as exc:
        raise click.ClickException(f"No account uses {email}.") from exc
    click.echo(f"{user.email} is now a {user.role}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(set_role)
