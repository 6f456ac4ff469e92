"""Imports every model so that Alembic and `db.create_all` see the whole schema."""

from matchmaker.accounts.models import User
from matchmaker.taxonomy.models import Tag

__all__ = ["Tag", "User"]
