"""A person's data: everything the platform holds about them, and erasing it.

The export is what the person can see of themselves, as JSON: each feature declares its
own section in its `personal_data` module (see matchmaker/personal_data.py), and this
module declares the account's own: the account and its security events. Other people's
contact details are not in it (they are not the person's data).

Deleting an account runs each feature's erasure (their seats at events are freed for the
people waiting, for example), then removes the person; the database's foreign keys remove
what is only theirs and anonymise what stays with others (requests they sent show as sent
by a "deleted user"). An organisation whose only owner they are must first be handed over
or deleted, or it would be left without an owner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from matchmaker import personal_data
from matchmaker.accounts import security_log
from matchmaker.accounts.models import User
from matchmaker.accounts.passwords import verify_password
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership, Organisation

FORMAT_VERSION = 1


def export(user: User) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, **personal_data.export(user)}


def export_account(user: User) -> dict[str, Any]:
    when = personal_data.when
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "language": user.locale,
        "role": user.role,
        "created_at": when(user.created_at),
        "email_confirmed_at": when(user.email_confirmed_at),
        "last_login_at": when(user.last_login_at),
        "previous_login_at": when(user.previous_login_at),
        "job_title": user.job_title,
        "phone": user.phone,
        "shares": {
            "name": user.share_name,
            "job_title": user.share_job_title,
            "email": user.share_email,
            "phone": user.share_phone,
        },
        "weekly_digest": user.digest_weekly,
        # Whether and since when, never the secret or the recovery codes.
        "two_step_sign_in_since": when(user.totp_enabled_at),
    }


def export_security_events(user: User) -> list[dict[str, Any]]:
    """Sign-ins and changes to how the account signs in, with the address they came from."""
    return [
        {"at": personal_data.when(e.at), "event": e.kind, "address": e.address, **(e.detail or {})}
        for e in security_log.of_user(user)
    ]


personal_data.declare("account", export=export_account, order=10)
personal_data.declare("security_events", export=export_security_events, order=20)


def sole_owned(user: User) -> list[tuple[Organisation, int]]:
    """Organisations whose only owner is the user, with how many other members they have."""
    found = []
    for membership in db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.role == "owner")
    ):
        owners = db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.organisation_id == membership.organisation_id,
                Membership.role == "owner",
            )
        )
        if owners == 1:
            others = db.session.scalar(
                select(func.count())
                .select_from(Membership)
                .where(
                    Membership.organisation_id == membership.organisation_id,
                    Membership.user_id != user.id,
                )
            )
            found.append((db.session.get(Organisation, membership.organisation_id), others))
    return sorted(found, key=lambda pair: pair[0].name)


class StillOwner(Exception):
    """The user is the only owner of an organisation (see sole_owned)."""


class WrongPassword(Exception):
    pass


def check_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise WrongPassword


def delete_account(user: User, password: str) -> None:
    """Erase the account: each feature's erasure, then the user row (foreign keys do the rest).

    What the erasures cause (telling those promoted to the person's seats, for example) is
    committed with the deletion.
    """
    check_password(user, password)
    if sole_owned(user):
        raise StillOwner
    personal_data.erase(user)
    user_id = user.id
    db.session.expunge(user)
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()
