"""Operator commands: create an admin, change a user's role."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask

from matchmaker.accounts import services, twofactor
from matchmaker.accounts.models import ROLES
from matchmaker.accounts.passwords import password_problem


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a confirmed admin account for EMAIL, or promote the existing one."""
    try:
        # The same check as the login form's, so that the admin can log in.
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid e-mail address ({error}).") from error
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


@click.group("two-factor")
def two_factor() -> None:
    """Two-step sign-in of an account."""


@two_factor.command("reset")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Remove the second factor of EMAIL's account and end its sessions.

    For someone who lost both their phone and their recovery codes: check who they are
    another way first (a call to a known number, in person). They set it up again at
    their next sign-in (moderators and admins must).
    """
    user = services.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    twofactor.reset(user)
    click.echo(f"Two-step sign-in is off for {user.email}; all its sessions have ended.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(set_role)
    app.cli.add_command(two_factor)
