"""What a person shares with someone they agreed to be in touch with (an accepted contact
request, a booked meeting): each detail only if they chose to share it."""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.accounts.models import User


@dataclass(frozen=True)
class Person:
    name: str | None
    job_title: str | None
    email: str | None
    phone: str | None


def shared_details(user: User) -> Person | None:
    """The details `user` chose to share; None when they share nothing."""
    person = Person(
        name=user.name if user.share_name else None,
        job_title=user.job_title if user.share_job_title and user.job_title else None,
        email=user.email if user.share_email else None,
        phone=user.phone if user.share_phone and user.phone else None,
    )
    return person if any((person.name, person.job_title, person.email, person.phone)) else None
