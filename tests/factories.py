"""factory_boy factories for test data."""

from __future__ import annotations

import functools

import factory
from werkzeug.security import generate_password_hash

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db

PASSWORD = "correct horse battery"
# Moderators and admins must have two-step sign-in; theirs is on with this secret.
TOTP_SECRET = "MATCHMAKERTESTSECRETFORTOTP2FA23"
PRIVILEGED = ("moderator", "admin")


@functools.cache
def password_hash_of_test_users() -> str:
    """One hash of PASSWORD per test process, with a cheap method: the suite makes thousands
    of users and logs in hundreds of times, and scrypt costs about 0.15 s of CPU for each
    hash and each check. Sign-in checks it as it checks any stored hash; the accounts'
    own tests see that a real sign-up stores scrypt."""
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"Test User {n}")
    password_hash = factory.LazyFunction(password_hash_of_test_users)
    locale = "en"
    role = "member"
    email_confirmed_at = factory.LazyFunction(utcnow)
    totp_secret = factory.LazyAttribute(lambda u: TOTP_SECRET if u.role in PRIVILEGED else None)
    totp_enabled_at = factory.LazyAttribute(lambda u: utcnow() if u.role in PRIVILEGED else None)


def sync_taxonomy() -> None:
    from matchmaker.taxonomy import load_taxonomy
    from matchmaker.taxonomy.services import sync_taxonomy as sync

    sync(db.session, load_taxonomy())


def make_organisation(owner: User, **fields):
    """A draft organisation owned by `owner`, built through the service as a member would."""
    from matchmaker.organisations.services import OrganisationInput, create_organisation

    values = {
        "name": "Nordic Telecare AS",
        "kind": "sme",
        "country": "NO",
        "region": "NO-03",
        "original_language": "en",
        "working_languages": ["en", "nb"],
        "texts": {"en": {"description": "We build remote monitoring for heart patients."}},
        "tags": {"capability": ["remote_monitoring"], "need": ["clinical_validation"]},
    }
    values.update(fields)
    return create_organisation(owner, OrganisationInput(**values))


def publish(item_type: str, item, moderator: User) -> None:
    """Submit and approve, as the owner and a moderator would."""
    from matchmaker.moderation import services as moderation
    from matchmaker.organisations.services import submit_organisation

    if item_type == "organisation":
        submit_organisation(item)
    else:
        from matchmaker.projects.services import submit_project

        submit_project(item)
    moderation.approve(item_type, item, moderator)


def make_project(organisation, **fields):
    """A draft project of `organisation`, built through the service."""
    from matchmaker.projects.services import ProjectInput, create_project

    values = {
        "stage": "pilot",
        "country": organisation.country,
        "region": organisation.region,
        "original_language": "en",
        "texts": {
            "en": {
                "title": "Home monitoring for heart failure",
                "summary": "Sensors and a nurse dashboard.",
                "description": "A pilot with two hospitals.",
            }
        },
        "tags": {"category": ["ehealth_telemedicine"], "seeks": ["pilot_site"]},
    }
    values.update(fields)
    return create_project(organisation, ProjectInput(**values))


def make_held_event(owner, organisation, guests=(), days_ago: int = 3, title="Oslo study visit"):
    """A published study visit of `organisation` that ended `days_ago` days ago, with each
    (user, organisation) of `guests` signed up (a seat each) a week before it."""
    from datetime import timedelta

    from sqlalchemy import update

    from matchmaker.events import seats
    from matchmaker.events.models import Event, Registration
    from matchmaker.events.services import EventInput, create_event, publish_event

    soon = utcnow() + timedelta(days=30)
    values = EventInput(
        kind="study_visit",
        original_language="en",
        city="Oslo",
        country="NO",
        timezone="Europe/Oslo",
        starts_at=soon,
        ends_at=soon + timedelta(hours=6),
        registration_deadline=soon - timedelta(days=1),
        capacity=max(len(guests), 1),
        languages=["en"],
        texts={"en": {"title": title, "description": "A living lab.", "programme": ""}},
    )
    event = create_event(owner, organisation, values)
    publish_event(event)
    for user, guest_organisation in guests:
        seats.sign_up(event.id, user.id, organisation_id=guest_organisation.id)
    shift = utcnow() - timedelta(days=days_ago) - values.ends_at
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(
            starts_at=values.starts_at + shift,
            ends_at=values.ends_at + shift,
            registration_deadline=values.registration_deadline + shift,
        )
    )
    signed_up = values.starts_at + shift - timedelta(days=7)
    db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id)
        .values(created_at=signed_up, confirmed_at=signed_up)
    )
    db.session.commit()
    return event
