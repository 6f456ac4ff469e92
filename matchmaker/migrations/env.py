"""Alembic environment: the app's own engine and metadata, on SQLite and PostgreSQL."""

from alembic import context
from flask import current_app

db = current_app.extensions["migrate"].db
config = context.config
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)
# Full-text search objects made by hand in a migration (FTS5 tables, the tsvector column).
MANUAL_OBJECTS = ("search_fts", "search_vector", "ix_search_document_vector")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (reflected and compare_to is None and name and name.startswith(MANUAL_OBJECTS))


options = {
    "include_object": include_object,
    "target_metadata": db.metadata,
    "compare_type": True,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    "render_as_batch": db.engine.dialect.name == "sqlite",
    **current_app.extensions["migrate"].configure_args,
}


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    def skip_empty(ctx, revision, directives):
        # `flask db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    with db.engine.connect() as connection:
        context.configure(connection=connection, process_revision_directives=skip_empty, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
