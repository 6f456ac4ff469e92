"""`flask seed-demo`: demo content for a new installation.

Only example.org addresses: demo data never names real people.
"""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from matchmaker.accounts import services as accounts
from matchmaker.accounts.models import User, utcnow
from matchmaker.accounts.passwords import hash_password
from matchmaker.extensions import db
from matchmaker.taxonomy import load_taxonomy
from matchmaker.taxonomy.services import sync_taxonomy

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (demo accounts only; printed by seed-demo)
DEMO_USERS = (
    # email, name, role, language
    ("admin@example.org", "Demo Admin", "admin", "en"),
    ("moderator@example.org", "Demo Moderator", "moderator", "pl"),
    ("sme@example.org", "Demo SME Owner", "member", "pl"),
    ("hospital@example.org", "Demo Hospital Innovation Office", "member", "nb"),
    ("investor@example.org", "Demo Investor", "member", "da"),
    ("cluster@example.org", "Demo Cluster Manager", "member", "en"),
)


class RealDataPresent(Exception):
    """The database holds accounts that are not demo accounts."""


def seed_demo(force: bool = False) -> list[User]:
    """Fill the database with demo content; idempotent."""
    demo_emails = {email for email, *_ in DEMO_USERS}
    others = db.session.scalars(select(User.email).where(User.email.not_in(demo_emails))).all()
    if others and not force:
        raise RealDataPresent(len(others))
    sync_taxonomy(db.session, load_taxonomy())
    users = []
    for email, name, role, lang in DEMO_USERS:
        user = accounts.find_by_email(email)
        if user is None:
            user = User(
                email=email,
                name=name,
                role=role,
                locale=lang,
                password_hash=hash_password(DEMO_PASSWORD),
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
        users.append(user)
    db.session.commit()
    return users


def database_is_empty() -> bool:
    return accounts.count_users() == 0


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Add demo data even when real accounts exist.")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database has no accounts.")
def seed_demo_command(force: bool, if_empty: bool) -> None:
    """Add demo accounts (and the taxonomy) to the database."""
    if if_empty and not database_is_empty():
        click.echo("The database already has accounts; demo data not added.")
        return
    try:
        users = seed_demo(force=force)
    except RealDataPresent as exc:
        raise click.ClickException(
            f"The database has {exc.args[0]} non-demo account(s); use --force to add demo data anyway."
        ) from exc
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for user in users:
        click.echo(f"  {user.email:<28} {user.role:<10} {user.locale}")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
