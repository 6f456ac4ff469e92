"""Matchmaker: health-innovation register and B2B matchmaking."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from matchmaker import config as config_module

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    load_configuration(app, config)
    trust_proxies(app)
    register_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_jobs(app)
    register_personal_data()
    register_commands(app)
    return app


def load_configuration(app: Flask, overrides: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config_module.DEFAULTS)
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.from_mapping(overrides)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    config_module.finalise(app.config, app.instance_path)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the visitor's address and scheme from them.

    The Host header is not taken from X-Forwarded-Host: a proxy that does not set it would
    let a visitor choose the host in e-mailed links (set SERVER_NAME, or pass Host on).
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_converters(app: Flask) -> None:
    """Before any route: `<int:…>` takes only ids the database can hold."""
    from matchmaker.web import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter


def register_extensions(app: Flask) -> None:
    from matchmaker import caching, database, display, i18n, jobs, logs, metrics, models, security  # noqa: F401
    from matchmaker.accounts import auth
    from matchmaker.extensions import babel, compress, csrf, db, htmx, limiter, migrate
    from matchmaker.outbox import services as outbox

    logs.init_app(app)
    metrics.init_app(app)  # GET /metrics with METRICS_TOKEN; request counts and durations
    database.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    caching.init_app(app)  # before compression in each response (after_request runs last first)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    security.init_app(app)
    display.init_app(app)
    auth.init_app(app)
    outbox.init_app(app)
    jobs.configure(app)


def register_blueprints(app: Flask) -> None:
    from matchmaker import api
    from matchmaker.accounts.security_log_views import bp as security_events_bp
    from matchmaker.accounts.two_factor_views import bp as two_factor_bp
    from matchmaker.accounts.views import bp as accounts_bp
    from matchmaker.alerts.views import bp as alerts_bp
    from matchmaker.contacts import views as contacts_views
    from matchmaker.core.sitemap import bp as sitemap_bp
    from matchmaker.core.views import bp as core_bp
    from matchmaker.core.views import root_bp
    from matchmaker.events import manage_views as event_admin_views
    from matchmaker.events import views as events_views
    from matchmaker.insights.report_views import bp as reports_bp
    from matchmaker.insights.views import bp as insights_bp
    from matchmaker.matching import load_rules
    from matchmaker.matching.views import bp as matching_bp
    from matchmaker.meetings import manage_views as meeting_admin_views
    from matchmaker.meetings import profile_views as meeting_profile_views
    from matchmaker.meetings import schedule_views as meeting_schedule_views
    from matchmaker.meetings import views as meetings_views
    from matchmaker.moderation.views import bp as moderation_bp
    from matchmaker.notifications.views import bp as notifications_bp
    from matchmaker.onboarding.views import bp as onboarding_bp
    from matchmaker.open_data import views as open_data_views
    from matchmaker.organisations.logo_views import bp as logos_bp
    from matchmaker.organisations.members_views import bp as members_bp
    from matchmaker.organisations.members_views import invitations_bp
    from matchmaker.organisations.views import bp as organisations_bp
    from matchmaker.outbox.views import bp as outbox_bp
    from matchmaker.projects.views import bp as projects_bp
    from matchmaker.register.views import bp as register_bp

    app.register_blueprint(root_bp)
    app.register_blueprint(sitemap_bp)
    app.register_blueprint(core_bp, url_prefix="/<lang:lang>")
    app.register_blueprint(onboarding_bp, url_prefix="/<lang:lang>")
    app.register_blueprint(accounts_bp, url_prefix="/<lang:lang>/account")
    app.register_blueprint(two_factor_bp, url_prefix="/<lang:lang>/account/two-step")
    app.register_blueprint(alerts_bp, url_prefix="/<lang:lang>/account/saved-searches")
    app.register_blueprint(contacts_views.bp, url_prefix="/<lang:lang>/contacts")
    contacts_views.init_app(app)
    app.register_blueprint(events_views.bp, url_prefix="/<lang:lang>/events")
    events_views.init_app(app)
    app.register_blueprint(event_admin_views.bp, url_prefix="/<lang:lang>/my/events")
    app.register_blueprint(
        meetings_views.bp, url_prefix="/<lang:lang>/events/<int:event_id>/meetings"
    )
    meetings_views.init_app(app)
    app.register_blueprint(
        meeting_profile_views.bp, url_prefix="/<lang:lang>/events/<int:event_id>/meetings"
    )
    app.register_blueprint(
        meeting_admin_views.bp, url_prefix="/<lang:lang>/my/events/<int:event_id>/meetings"
    )
    app.register_blueprint(
        meeting_schedule_views.bp,
        url_prefix="/<lang:lang>/my/events/<int:event_id>/meetings/schedule",
    )
    app.register_blueprint(register_bp, url_prefix="/<lang:lang>")
    app.register_blueprint(insights_bp, url_prefix="/<lang:lang>/insights")
    api.init_app(app)  # /api/v1/ and its guide at /<lang>/api
    app.register_blueprint(open_data_views.bp, url_prefix="/<lang:lang>")
    app.register_blueprint(open_data_views.files_bp, url_prefix="/open-data")
    app.register_blueprint(matching_bp, url_prefix="/<lang:lang>")
    load_rules()  # a mistake in matching/rules.toml stops the start, naming the file and key
    app.register_blueprint(organisations_bp, url_prefix="/<lang:lang>/my/organisations")
    app.register_blueprint(projects_bp, url_prefix="/<lang:lang>/my/projects")
    app.register_blueprint(moderation_bp, url_prefix="/<lang:lang>/moderation")
    app.register_blueprint(outbox_bp, url_prefix="/<lang:lang>/admin/outbox")
    app.register_blueprint(security_events_bp, url_prefix="/<lang:lang>/admin/security-events")
    app.register_blueprint(notifications_bp, url_prefix="/<lang:lang>/notifications")
    app.register_blueprint(
        members_bp, url_prefix="/<lang:lang>/my/organisations/<int:organisation_id>/members"
    )
    app.register_blueprint(
        reports_bp, url_prefix="/<lang:lang>/my/organisations/<int:organisation_id>"
    )
    app.register_blueprint(invitations_bp, url_prefix="/<lang:lang>/invitations")
    app.register_blueprint(logos_bp, url_prefix="/media/logos")


def register_errorhandlers(app: Flask) -> None:
    from matchmaker.core import errors

    errors.init_app(app)


def register_jobs(app: Flask) -> None:
    """Each feature declares its background work in its own `tasks` module."""
    from matchmaker.accounts import tasks as accounts_tasks  # noqa: F401
    from matchmaker.alerts import tasks as alerts_tasks  # noqa: F401
    from matchmaker.contacts import tasks as contacts_tasks  # noqa: F401
    from matchmaker.events import tasks as events_tasks  # noqa: F401
    from matchmaker.insights import tasks as insights_tasks  # noqa: F401
    from matchmaker.meetings import tasks as meetings_tasks  # noqa: F401
    from matchmaker.open_data import tasks as open_data_tasks  # noqa: F401
    from matchmaker.outbox import tasks as outbox_tasks  # noqa: F401


def register_personal_data() -> None:
    """Each feature declares what it holds about a person in its own `personal_data` module
    (the export and erasure on the account's "your data" page collect them)."""
    from matchmaker.accounts import data as accounts_data  # noqa: F401
    from matchmaker.alerts import personal_data as alerts_data  # noqa: F401
    from matchmaker.contacts import personal_data as contacts_data  # noqa: F401
    from matchmaker.events import personal_data as events_data  # noqa: F401
    from matchmaker.matching import personal_data as matching_data  # noqa: F401
    from matchmaker.meetings import personal_data as meetings_data  # noqa: F401
    from matchmaker.notifications import personal_data as notifications_data  # noqa: F401
    from matchmaker.organisations import personal_data as organisations_data  # noqa: F401


def register_commands(app: Flask) -> None:
    from matchmaker import backup, demo, worker_cli
    from matchmaker.accounts import cli as accounts_cli
    from matchmaker.alerts import cli as alerts_cli
    from matchmaker.contacts import cli as contacts_cli
    from matchmaker.matching import cli as matching_cli
    from matchmaker.open_data import cli as open_data_cli
    from matchmaker.register import cli as register_cli
    from matchmaker.taxonomy import cli as taxonomy_cli

    accounts_cli.init_app(app)
    alerts_cli.init_app(app)
    contacts_cli.init_app(app)
    matching_cli.init_app(app)
    open_data_cli.init_app(app)
    register_cli.init_app(app)
    taxonomy_cli.init_app(app)
    worker_cli.init_app(app)
    demo.init_app(app)
    backup.init_app(app)
