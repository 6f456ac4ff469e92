"""Migrations, SQLite settings and commands, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import check
from sqlalchemy import inspect, text

from matchmaker import create_app
from matchmaker.accounts.models import User, utcnow
from matchmaker.events.times import aware
from matchmaker.extensions import db
from tests.conftest import make_config, reset_schema
from tests.factories import UserFactory


def test_migrations_build_every_table_and_match_the_models(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {"user_account", "tag", "alembic_version"} <= tables
    check()  # raises when the models and the migrations differ


def test_migrations_upgrade_an_empty_database(tmp_path, smtp_server):
    fresh = create_app(make_config("sqlite:///" + str(tmp_path / "fresh.sqlite"), smtp_server.port))
    reset_schema(fresh)
    with fresh.app_context():
        assert "user_account" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_email_is_unique_in_the_database(app):
    from sqlalchemy.exc import IntegrityError

    UserFactory(email="u@example.org")
    db.session.add(User(email="u@example.org", name="x", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_role_is_checked_by_the_database(app):
    from sqlalchemy.exc import IntegrityError

    db.session.add(User(email="r@example.org", name="x", password_hash="x", role="emperor"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_create_admin_makes_a_confirmed_admin(runner):
    result = runner.invoke(
        args=["create-admin", "boss@example.org", "--password", "a long admin passphrase"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="boss@example.org").one()
    assert user.role == "admin" and user.is_confirmed


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-admin", "boss@example.org", "--password", "short"])
    assert result.exit_code != 0
    assert db.session.query(User).count() == 0


def test_set_role_promotes_and_reports_unknown_users(runner):
    UserFactory(email="mod@example.org")
    result = runner.invoke(args=["set-role", "mod@example.org", "moderator"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.query(User).one().role == "moderator"
    missing = runner.invoke(args=["set-role", "ghost@example.org", "admin"])
    assert missing.exit_code != 0 and "No account uses ghost@example.org" in missing.output
    bad_role = runner.invoke(args=["set-role", "mod@example.org", "emperor"])
    assert bad_role.exit_code != 0


def test_seed_demo_builds_the_demo_once(runner):
    """Seeding takes about 15 s (30 s on PostgreSQL): one seeded database, three checks,
    the one that changes the data last."""
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "moderator@example.org" in first.output
    check_past_matchmaking_days_have_outcomes()
    check_seeding_again_changes_nothing(runner)
    check_the_coming_matchmaking_day_has_meetings_in_every_state()


def check_seeding_again_changes_nothing(runner):
    count = db.session.query(User).count()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.query(User).count() == count
    assert all(u.email.endswith("@example.org") for u in db.session.query(User))


def test_seed_demo_refuses_a_database_with_real_accounts(runner):
    UserFactory(email="real.person@hospital.example")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert db.session.query(User).count() == 1
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert db.session.query(User).count() == 1


def check_the_coming_matchmaking_day_has_meetings_in_every_state():
    from sqlalchemy import func, select

    from matchmaker.events.models import Event
    from matchmaker.meetings import services as meetings
    from matchmaker.meetings.models import Meeting, MeetingRequest

    days = [e for e in db.session.query(Event) if meetings.active_setup(e) is not None]
    coming = [e for e in days if aware(e.starts_at) > utcnow()]
    assert len(days) == 3 and len(coming) == 1
    day = coming[0]
    assert len(meetings.participants(day.id)) >= 20
    states = dict(
        db.session.execute(
            select(MeetingRequest.status, func.count())
            .where(MeetingRequest.event_id == day.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    assert set(states) == {"pending", "accepted", "declined", "withdrawn", "expired"}
    # The organisers have taken the agenda over: some accepted requests wait for their
    # "schedule all", which places them in one click.
    from matchmaker.meetings import scheduling

    booked = db.session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.event_id == day.id)
    )
    waiting = scheduling.waiting_requests(day.id)
    assert booked + len(waiting) == states["accepted"] and len(waiting) >= 5
    setup = meetings.setup_of(day.id)
    assert setup.organiser_schedules
    run = scheduling.build(day, setup)
    assert run.report["placed"] - run.report["kept"] >= 5
    publication = scheduling.publish(day)
    assert len(publication.booked) == len(run.placements) and publication.skipped == 0
    # The demo accounts can try both sides: something to answer, and a booked meeting.
    for email in ("sme@example.org", "investor@example.org"):
        user = db.session.query(User).filter_by(email=email).one()
        mine = meetings.requests_of(day.id, user.id)
        assert any(r.recipient_id == user.id and r.status == "pending" for r in mine), email
        assert meetings.booked_meetings(day.id, user.id), email


def check_past_matchmaking_days_have_outcomes():
    """A day three days ago and one three months ago: meetings held or missed, rated by
    the participants, the outcome questions asked; the demo accounts' answers wait."""
    from sqlalchemy import select

    from matchmaker.events.models import Event
    from matchmaker.meetings import services as meetings
    from matchmaker.meetings.models import MeetingSeat

    past = sorted(
        (e for e in db.session.query(Event) if meetings.active_setup(e) is not None
         and aware(e.ends_at) < utcnow()),
        key=lambda e: e.starts_at,
    )  # fmt: skip
    assert len(past) == 2
    three_months_ago, days_ago = past
    sme = db.session.query(User).filter_by(email="sme@example.org").one()
    for event in past:
        seats = db.session.scalars(select(MeetingSeat).where(MeetingSeat.event_id == event.id))
        seats = list(seats)
        assert len(meetings.participants(event.id)) >= 20 and len(seats) >= 40
        assert {s.presence for s in seats} >= {"held", "no_show"}
        assert {s.outcome for s in seats} >= {"none", "talks", "agreement", None}
        assert all(s.asked_at for s in seats if s.presence != "no_show")
        mine = [s for s in seats if s.user_id == sme.id]
        assert mine and all(s.outcome is None for s in mine)  # for the newcomer to answer
    later = list(db.session.scalars(select(MeetingSeat).where(
        MeetingSeat.event_id == three_months_ago.id, MeetingSeat.later_asked_at.is_not(None)
    )))  # fmt: skip
    assert later and all(s.outcome != "none" for s in later)
    assert not db.session.scalar(select(MeetingSeat.meeting_id).where(
        MeetingSeat.event_id == days_ago.id, MeetingSeat.later_asked_at.is_not(None)
    ))  # fmt: skip
