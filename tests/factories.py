"""factory_boy factories for test data."""

from __future__ import annotations

import factory

from matchmaker.accounts.models import User, utcnow
from matchmaker.accounts.passwords import hash_password
from matchmaker.extensions import db

PASSWORD = "correct horse battery"


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"Test User {n}")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    locale = "en"
    role = "member"
    email_confirmed_at = factory.LazyFunction(utcnow)
