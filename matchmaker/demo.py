"""`flask seed-demo`: demo content for a new installation.

Only example.org addresses: demo data never names real people.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from matchmaker.accounts import services as accounts
from matchmaker.accounts.models import User, utcnow
from matchmaker.accounts.passwords import hash_password
from matchmaker.events import questions as event_questions
from matchmaker.events import seats
from matchmaker.events import services as event_services
from matchmaker.events import times as event_times
from matchmaker.events.models import Event
from matchmaker.events.services import EventInput
from matchmaker.extensions import db
from matchmaker.meetings import demo as meetings_demo
from matchmaker.moderation import services as moderation
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.organisations.services import (
    OrganisationInput,
    create_organisation,
    submit_organisation,
)
from matchmaker.projects.services import ProjectInput, create_project, submit_project
from matchmaker.taxonomy import load_taxonomy
from matchmaker.taxonomy.services import sync_taxonomy

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  # nosec B105  # demo accounts only, printed by seed-demo, which refuses a database with real accounts
DEMO_USERS = (
    # email, name, role, language
    ("admin@example.org", "Demo Admin", "admin", "en"),
    ("moderator@example.org", "Demo Moderator", "moderator", "pl"),
    ("sme@example.org", "Demo SME Owner", "member", "pl"),
    ("hospital@example.org", "Demo Hospital Innovation Office", "member", "nb"),
    ("investor@example.org", "Demo Investor", "member", "da"),
    ("cluster@example.org", "Demo Cluster Manager", "member", "en"),
)


REGISTER_FILE = Path(__file__).with_name("demo_data") / "register.toml"
EVENTS_FILE = Path(__file__).with_name("demo_data") / "events.toml"
# Which demo account owns the demo organisations of each kind.
OWNER_BY_KIND = {
    "investor": "investor@example.org",
    "cluster": "cluster@example.org",
    "hospital": "hospital@example.org",
    "university": "hospital@example.org",
    "public_authority": "moderator@example.org",
}
DEFAULT_OWNER = "sme@example.org"
# Left waiting in the review queue, so that the moderator's demo has work to do.
WAITING_FOR_REVIEW = 3


class RealDataPresent(Exception):
    """The database holds accounts that are not demo accounts."""


def seed_demo(force: bool = False) -> list[User]:
    """Fill the database with demo content; idempotent."""
    demo_emails = {email for email, *_ in DEMO_USERS} | meetings_demo.participant_emails()
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
    by_email = {u.email: u for u in users}
    if db.session.scalar(select(func.count()).select_from(Organisation)) == 0:
        load_register(users_by_email=by_email)
    if db.session.scalar(select(func.count()).select_from(Event)) == 0:
        load_events(users_by_email=by_email)
    return users


def _organisation_input(item: dict) -> OrganisationInput:
    return OrganisationInput(
        name=item["name"],
        kind=item["kind"],
        country=item["country"],
        region=item.get("region"),
        city=item.get("city"),
        website=item.get("website"),
        year_founded=item.get("year_founded"),
        size_band=item.get("size_band"),
        working_languages=item.get("working_languages", []),
        original_language=item["original_language"],
        ticket_min_eur=item.get("ticket_min_eur"),
        ticket_max_eur=item.get("ticket_max_eur"),
        members=item.get("members"),
        cluster_labels=item.get("cluster_labels", []),
        regions_covered=item.get("regions_covered", []),
        texts=item.get("texts", {}),
        tags={
            "capability": item.get("capabilities", []),
            "need": item.get("needs", []),
            "category": item.get("categories", []),
            "specialisation": item.get("specialisations", []),
            "focus_area": item.get("focus_areas", []),
            "preferred_stage": item.get("preferred_stages", []),
        },
    )


def _project_input(item: dict, organisation: Organisation) -> ProjectInput:
    return ProjectInput(
        stage=item["stage"],
        country=item.get("country", organisation.country),
        region=item.get("region", organisation.region),
        funding_min_eur=item.get("funding_min_eur"),
        funding_max_eur=item.get("funding_max_eur"),
        start_date=item.get("start_date"),
        links=item.get("links", []),
        original_language=item["original_language"],
        texts=item.get("texts", {}),
        tags={
            "category": item.get("categories", []),
            "specialisation": item.get("specialisations", []),
            "seeks": item.get("seeks", []),
            "need": item.get("needs", []),
            "capability": item.get("offers", []),
        },
    )


def load_register(users_by_email: dict[str, User]) -> tuple[int, int]:
    """Create, submit and approve the demo organisations and projects, as people would."""
    with REGISTER_FILE.open("rb") as f:
        data = tomllib.load(f)
    moderator = users_by_email["moderator@example.org"]
    organisations: dict[str, Organisation] = {}
    for item in data["organisations"]:
        owner = users_by_email[OWNER_BY_KIND.get(item["kind"], DEFAULT_OWNER)]
        org = create_organisation(owner, _organisation_input(item))
        submit_organisation(org)
        moderation.approve("organisation", org, moderator)
        organisations[item["key"]] = org
    projects = data["projects"]
    for index, item in enumerate(projects):
        organisation = organisations[item["organisation"]]
        project = create_project(organisation, _project_input(item, organisation))
        submit_project(project)
        if index < len(projects) - WAITING_FOR_REVIEW:
            moderation.approve("project", project, moderator)
    return len(organisations), len(projects)


def _questions(item: dict) -> list[dict]:
    """An event's `questions` in events.toml: a table of texts by language, or the text in
    the original language."""
    written = item.get("questions", "")
    texts = written if isinstance(written, dict) else {item["original_language"]: written}
    return event_questions.compose(texts, item["original_language"])


def load_events(users_by_email: dict[str, User], today: date | None = None) -> int:
    """Create, publish and fill the demo events, as organisers and participants would."""
    with REGISTER_FILE.open("rb") as f:
        names = {item["key"]: item["name"] for item in tomllib.load(f)["organisations"]}
    with EVENTS_FILE.open("rb") as f:
        items = tomllib.load(f)["events"]
    organisations = {
        org.name: org
        for org in db.session.scalars(
            select(Organisation).where(Organisation.name.in_(names.values()))
        )
    }
    today = today or utcnow().date()
    for item in items:
        host = organisations[names[item["host"]]]
        owner = db.session.scalar(
            select(User).join(Membership).where(Membership.organisation_id == host.id).limit(1)
        )
        day = today + timedelta(days=item["start_day"])
        zone = item["timezone"]

        def at(when: date, clock: str, zone: str = zone) -> datetime:
            return event_times.to_utc(datetime.combine(when, time.fromisoformat(clock)), zone)

        starts = at(day, item["start_time"])
        data = EventInput(
            kind=item["kind"],
            original_language=item["original_language"],
            online=item.get("online", False),
            venue=item.get("venue", ""),
            address=item.get("address", ""),
            city=item.get("city", ""),
            country=item.get("country"),
            online_url=item.get("online_url", ""),
            timezone=zone,
            starts_at=starts,
            ends_at=at(day, item["end_time"]),
            registration_deadline=min(
                at(day - timedelta(days=item["deadline_days_before"]), "23:59"), starts
            ),
            capacity=item["capacity"],
            waiting_list=item["waiting_list"],
            max_per_organisation=item.get("max_per_organisation"),
            languages=item.get("languages", []),
            audience_kinds=item.get("audience_kinds", []),
            audience_countries=item.get("audience_countries", []),
            questions=_questions(item),
            texts=item["texts"],
            tags={"category": item.get("categories", [])},
            co_host_ids=[organisations[names[key]].id for key in item.get("co_hosts", [])],
        )
        event = event_services.create_event(owner, host, data)
        event_services.publish_event(event)
        past = day < today
        # An event that has taken place was signed up for before its deadline.
        signed_up_at = starts - timedelta(days=item["deadline_days_before"] + 1) if past else None
        for email in item.get("sign_ups", []):
            person = users_by_email[email]
            membership = db.session.scalar(
                select(Membership).where(Membership.user_id == person.id).limit(1)
            )
            answers = {
                q["key"]: (q["options"][0]["key"] if q["options"] else "") for q in event.questions
            }
            try:
                seats.sign_up(
                    event.id,
                    person.id,
                    organisation_id=membership.organisation_id if membership else None,
                    answers=answers,
                    now=signed_up_at,
                )
            except seats.SignUpRefused:
                continue  # a full event without a waiting list, or a per-organisation limit
        if "meetings" in item:
            demo_people = [users_by_email[email] for email in item.get("sign_ups", [])]
            load = meetings_demo.load_past if past else meetings_demo.load
            load(event, item["meetings"], DEMO_PASSWORD, demo_people)
    return len(items)


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
    organisations = db.session.scalar(select(func.count()).select_from(Organisation))
    events = db.session.scalar(select(func.count()).select_from(Event))
    click.echo(f"Demo register: {organisations} organisations and their projects; {events} events.")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for user in users:
        click.echo(f"  {user.email:<28} {user.role:<10} {user.locale}")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
