"""Seeded benchmark of a member's home page; prints figures, asserts nothing.

A register of N organisations and M projects (bulk-inserted as bench/matching.py does), and
one member of five published organisations with thirty published projects between them,
contact requests waiting for their answer, a draft, a returned project and an event they
signed up for. About 2 % of the register was published since their last visit. Times, with
Flask's test client in this process (server time, no network):

- ``/en/``: the home page (to do, coming up, the match-list links, the news placeholder);
- ``/en/news``: the news block the home page loads on its own (every list of every
  published item of theirs ranked against what is new).

    python bench/home.py --organisations 10000 --projects 50000

SQLite in a temporary file. Each page is asked for --requests times after two warm-ups (the
first builds the match and register indexes); p50, p95 and max in ms, and SQL statements
per request.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # `python bench/home.py` from anywhere
    sys.path.insert(0, str(BENCH))

import register_search as rs  # noqa: E402
from matching import SqlClock, generate, load  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from matchmaker.accounts.models import User, utcnow  # noqa: E402
from matchmaker.accounts.passwords import hash_password  # noqa: E402
from matchmaker.contacts import services as contacts  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.moderation import services as moderation  # noqa: E402
from matchmaker.organisations.services import (  # noqa: E402
    OrganisationInput,
    create_organisation,
    submit_organisation,
)
from matchmaker.projects.services import ProjectInput, create_project, submit_project  # noqa: E402
from matchmaker.register.models import RegisterEntry  # noqa: E402

PASSWORD = "bench home passphrase"  # noqa: S105 (a benchmark's throwaway account)
# The generated register's ids start here, above those the member's items get.
ID_OFFSET = 1_000_000
ORGANISATIONS, PROJECTS_EACH, SENDERS = 5, 6, 4
NEW_SHARE = 0.02  # of the register, published since the member's last visit


def shifted(data):
    """The generated items with ids above ID_OFFSET (the member's own come first)."""
    return dataclasses.replace(
        data,
        items=[
            dataclasses.replace(
                item,
                item_id=item.item_id + ID_OFFSET,
                organisation_id=item.organisation_id + ID_OFFSET,
            )
            for item in data.items
        ],
    )


def person(email: str, name: str, role: str = "member") -> User:
    user = User(email=email, name=name, role=role, locale="en", email_confirmed_at=utcnow(),
                password_hash=hash_password(PASSWORD))  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


def organisation(owner: User, name: str, kind: str, tags: dict):
    return create_organisation(
        owner,
        OrganisationInput(
            name=name,
            kind=kind,
            country="DK",
            region="DK-84",
            original_language="en",
            working_languages=["en", "da"],
            texts={"en": {"description": f"{name}: remote monitoring and clinical trials."}},
            tags=tags,
        ),
    )


def project(owner_org, title: str):
    return create_project(
        owner_org,
        ProjectInput(
            stage="pilot",
            country="DK",
            region="DK-84",
            original_language="en",
            texts={"en": {"title": title, "summary": "Sensors.", "description": "A pilot."}},
            tags={
                "category": ["ehealth_telemedicine"],
                "seeks": ["pilot_site"],
                "need": ["clinical_validation"],
            },
        ),
    )


def publish(item_type: str, item, moderator: User) -> None:
    (submit_organisation if item_type == "organisation" else submit_project)(item)
    moderation.approve(item_type, item, moderator)


def the_member(app) -> None:
    """The member, their organisations and projects, what waits for them."""
    with app.app_context():
        moderator = person("moderator@bench.example", "Moderator", role="moderator")
        member = person("member@bench.example", "Member")
        tags = {"category": ["ehealth_telemedicine"], "capability": ["remote_monitoring"],
                "need": ["clinical_validation"]}  # fmt: skip
        mine = []
        for number in range(ORGANISATIONS):
            org = organisation(member, f"Member Org {number}", "sme", tags)
            publish("organisation", org, moderator)
            for count in range(PROJECTS_EACH):
                publish("project", project(org, f"Project {number}.{count}"), moderator)
            mine.append(org)
        project(mine[0], "A draft")  # to do: submit it
        returned = project(mine[1], "Sent back")
        submit_project(returned)
        moderation.return_for_changes("project", returned, moderator, "Add the pilot site.")
        for number in range(SENDERS):
            sender = person(f"sender{number}@bench.example", f"Sender {number}")
            org = organisation(sender, f"Sender Hospital {number}", "hospital", tags)
            publish("organisation", org, moderator)
            contacts.send(sender, sender_org_id=org.id, recipient_org_id=mine[number].id,
                          message="Shall we pilot together?")  # fmt: skip
        # Their last visit: before the newest NEW_SHARE of the register.
        published = sorted(db.session.scalars(select(RegisterEntry.published_at)))
        last_visit = published[int(len(published) * (1 - NEW_SHARE))]
        db.session.execute(
            update(User).where(User.id == member.id).values(previous_login_at=last_visit)
        )
        db.session.commit()


def timed(client, path: str, clock: SqlClock, requests: int) -> tuple[list[float], int]:
    for _ in range(2):  # warm-ups: the indexes are built by the first
        assert client.get(path).status_code == 200
    times, statements = [], []
    for _ in range(requests):
        clock.reset()
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        statements.append(clock.statements)
        assert response.status_code == 200
    return times, int(statistics.median(statements))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/home.sqlite"
        app = rs.make_app(url)
        rs.reset_schema(app)
        data = shifted(generate(args.organisations, args.projects, args.seed, False, 1))
        load(app, data)
        the_member(app)
        client = app.test_client()
        page = client.get("/en/account/login").get_data(as_text=True)
        token = rs_token(page)
        client.post("/en/account/login", data={"csrf_token": token,
                    "email": "member@bench.example", "password": PASSWORD})  # fmt: skip
        with app.app_context():
            clock = SqlClock(db.engine)
        print(f"register: {args.organisations:,} organisations, {args.projects:,} projects; "
              f"the member: {ORGANISATIONS} organisations, {ORGANISATIONS * PROJECTS_EACH} "
              f"projects, {SENDERS} contact requests waiting")  # fmt: skip
        print(f"{'page':<10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'statements':>11}")
        for path in ("/en/", "/en/news"):
            times, statements = timed(client, path, clock, args.requests)
            print(f"{path:<10} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f} "
                  f"{max(times):8.1f} {statements:11d}")  # fmt: skip
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}, after: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    return 0


def rs_token(page: str) -> str:
    import re

    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else ""


if __name__ == "__main__":
    sys.exit(main())
