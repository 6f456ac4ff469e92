"""Demo meetings for `flask seed-demo`: a matchmaking day a newcomer can click through in
both roles (the organiser's figures and table plan; a participant's suggestions,
requests in every state and a partly booked agenda).

Everything goes through the services, as people would do it; the participants are
fictional people with example.org addresses, one per demo organisation.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from matchmaker.accounts.models import User, utcnow
from matchmaker.accounts.passwords import hash_password
from matchmaker.events import seats
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.meetings import grid, notify, outcomes, profile, services
from matchmaker.meetings.models import OUTCOMES, MeetingRequest
from matchmaker.meetings.services import MeetingRefused, SetupInput
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.taxonomy import load_taxonomy

PARTICIPANT_EMAIL = "participant{:02d}@example.org"
PARTICIPANTS = 22
LANGUAGE_OF_COUNTRY = {"PL": "pl", "DK": "da", "NO": "nb"}
# Fictional first and last names per country, combined in order.
NAMES = {
    "PL": (["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Michał", "Agnieszka",
            "Paweł", "Joanna", "Krzysztof"],
           ["Nowak", "Wiśniewski", "Zielińska", "Kowalczyk", "Lewandowska", "Kamiński",
            "Dąbrowska", "Szymański", "Woźniak", "Mazur"]),
    "DK": (["Mette", "Lars", "Sofie", "Rasmus", "Camilla", "Mads"],
           ["Holm", "Kjær", "Lund", "Mortensen", "Bech", "Thomsen"]),
    "NO": (["Ingrid", "Ola", "Kari", "Henrik", "Silje", "Eirik"],
           ["Haugen", "Berg", "Lie", "Dahl", "Strand", "Bakken"]),
}  # fmt: skip
SEED = 2026


def participant_emails() -> set[str]:
    return {PARTICIPANT_EMAIL.format(n) for n in range(1, PARTICIPANTS + 1)}


def load(event: Event, settings: dict, password: str, demo_people: list[User]) -> None:
    """Turn meetings on for `event` with `settings` (from events.toml), sign up the demo
    participants and make requests in every state, with a partly booked agenda."""
    day = _event_day(event)
    services.save_setup(event, _setup(settings, day))
    people = _sign_up_participants(event, password)
    demo_people = [p for p in demo_people if services.takes_part(event.id, p.id)]
    _opportunities(event, people)
    _requests(event, people)
    for index, person in enumerate(demo_people):
        _try_both_sides(event, person, people[3 * index : 3 * index + 3])
    # Then the organisers take the agenda over: the meetings booked so far stay, and
    # what is accepted from now on waits for their "schedule all".
    services.save_setup(
        event,
        dataclasses.replace(_setup(settings, day), organiser_schedules=True, solver_seconds=5),
    )
    _accept_for_the_schedule(event, people)


def load_past(event: Event, settings: dict, password: str, demo_people: list[User]) -> None:
    """A matchmaking day that has taken place, so that a newcomer sees what comes after:
    eight days before it the participants signed up, asked and were booked (the services
    told that time); on the day most meetings were held; afterwards some were rated, and
    the outcome questions went out when the worker sends them (a day after the event and,
    for a day three months back, again). The demo accounts' own meetings wait for their
    answers."""
    before = aware(event.starts_at) - timedelta(days=8)
    services.save_setup(event, _setup(settings, _event_day(event)))
    people = _sign_up_participants(event, password, now=before)
    demo_people = [p for p in demo_people if services.takes_part(event.id, p.id)]
    rng = random.Random(SEED + event.id)  # noqa: S311  # nosec B311  # demo data, not a secret
    everyone = people + demo_people
    for asker in everyone:
        for asked in rng.sample([p for p in everyone if p.id != asker.id], 2):
            request, created = _ask(event, asker, asked, rng.choice(MESSAGES), now=before)
            if created:
                _answer(event, request, "book", now=before)
    _held_and_rated(event, {p.id for p in demo_people})
    ended = aware(event.ends_at)
    with current_app.test_request_context():  # the questions link to the agenda
        for when in (ended + outcomes.FIRST_QUESTION_AFTER, utcnow()):
            if when <= utcnow():
                outcomes.ask_outcomes(when, then=notify.outcome_question)


def _held_and_rated(event: Event, waiting: set[int]) -> None:
    """Every sixth meeting a no-show, the others held; the people not in `waiting` rate
    each held meeting (no follow-up, talks started, an agreement, in turn)."""
    for number, meeting in enumerate(services.booked_meetings(event.id)):
        first, second = sorted(meeting.seats, key=lambda seat: seat.user_id)
        if number % 6 == 5:
            services.mark_presence(event, meeting.id, _person(first), "no_show")
            continue
        services.mark_presence(event, meeting.id, _person(first), "held")
        for seat in (first, second):
            if seat.user_id not in waiting:
                outcome = OUTCOMES[(number + seat.user_id) % len(OUTCOMES)]
                services.rate(event, meeting.id, _person(seat), outcome)


def _person(seat) -> User:
    return db.session.get(User, seat.user_id)


def _event_day(event: Event):
    from matchmaker.events.times import at_place

    return at_place(event.starts_at, event.timezone).date()


def _setup(settings: dict, day) -> SetupInput:
    sessions = "\n".join(f"{day} {window}" for window in settings["sessions"])
    return SetupInput(
        enabled=True,
        windows=grid.parse_windows(sessions),
        length_minutes=settings.get("length", 20),
        break_minutes=settings.get("break", 5),
        table_count=settings.get("tables", 10),
        table_names=[],
        video_pattern=None,
        max_meetings=settings.get("max_meetings", 8),
        max_open_requests=settings.get("max_open_requests", 10),
        requests_open_at=None,
        requests_close_at=None,
        expiry_days=7,
    )


def _organisations() -> list[Organisation]:
    """Published demo organisations of the three countries, in a stable order."""
    found = db.session.scalars(
        select(Organisation)
        .where(Organisation.status == "published", Organisation.country.in_(("PL", "DK", "NO")))
        .order_by(Organisation.id)
    ).all()
    return list(found)


def _sign_up_participants(event: Event, password: str, now=None) -> list[User]:
    people = []
    counters = {country: 0 for country in NAMES}
    password_hash = hash_password(password)
    for number, organisation in enumerate(_organisations()[:PARTICIPANTS], start=1):
        email = PARTICIPANT_EMAIL.format(number)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            firsts, lasts = NAMES[organisation.country]
            index = counters[organisation.country]
            counters[organisation.country] += 1
            user = User(
                email=email,
                name=f"{firsts[index % len(firsts)]} {lasts[(index * 3) % len(lasts)]}",
                role="member",
                locale=LANGUAGE_OF_COUNTRY[organisation.country],
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                share_name=True,
                share_email=True,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Membership(user_id=user.id, organisation_id=organisation.id, role="editor")
            )
            db.session.commit()
        try:
            seats.sign_up(event.id, user.id, organisation_id=organisation.id, now=now)
        except seats.SignUpRefused:
            continue
        people.append(user)
    return people


OPPORTUNITIES = (
    ("technology_offer", "Remote patient monitoring kit, CE marked",
     "A home kit for heart-failure patients with a clinician dashboard; looking for pilots.",
     ["remote_monitoring"]),
    ("technology_request", "Validation partner for an AI triage tool",
     "We need a hospital department to validate our emergency triage model on real data.",
     ["clinical_validation", "health_data_access"]),
    ("business_request", "Distributor for the Nordic market",
     "We sell in Poland and Germany and look for a distributor in Denmark or Norway.",
     ["internationalisation", "reimbursement_market_access"]),
    ("rnd_partner", "Horizon Europe consortium: elderly care at home",
     "We coordinate a proposal on independent living and seek a university and an SME.",
     ["eu_project_management", "living_lab"]),
    ("business_offer", "Test bed for digital health start-ups",
     "Our living lab offers six-month test periods in real wards, with ethics support.",
     ["test_bed", "living_lab"]),
)  # fmt: skip


def _opportunities(event: Event, people: list[User]) -> None:
    """Every other participant posts one of the demo opportunities (known topics only)."""
    known = {tag.code for tag in load_taxonomy().by_vocabulary("capability")}
    for index, person in enumerate(people[::2]):
        kind, title, text, tags = OPPORTUNITIES[index % len(OPPORTUNITIES)]
        if profile.opportunities_of(event.id, person.id) or not set(tags) <= known:
            continue
        profile.add_opportunity(
            event.id, person.id, profile.OpportunityInput(kind, title, text, tags)
        )


def _requests(event: Event, people: list[User]) -> None:
    """Each participant asks three others; the answers cover every state."""
    rng = random.Random(SEED)  # noqa: S311  # nosec B311  # demo data: the same every time, not a secret
    made = []
    for asker in people:
        for asked in rng.sample([p for p in people if p.id != asker.id], 3):
            request, created = _ask(event, asker, asked, rng.choice(MESSAGES))
            if created:
                made.append(request)
    for index, request in enumerate(made):
        _answer(event, request, ("book", "book", "book", "decline", "withdraw", "expire",
                                 "pending")[index % 7])  # fmt: skip


def _accept_for_the_schedule(event: Event, people: list[User]) -> None:
    """The demo participants accept the requests still open to them (the demo accounts'
    own stay open, for a newcomer to answer)."""
    ids = {p.id for p in people}
    pending = db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id, MeetingRequest.status == "pending")
        .order_by(MeetingRequest.id)
    ).all()
    for request in pending:
        if request.recipient_id in ids and request.requester_id in ids:
            try:
                services.accept_for_schedule(event, request.id, request.recipient)
            except MeetingRefused:
                continue


def _try_both_sides(event: Event, person: User, others: list[User]) -> None:
    """A demo account gets a request to answer, a booked meeting and a request it sent."""
    if len(others) < 3:
        return
    _ask(event, others[0], person, MESSAGES[0])
    booked, _created = _ask(event, others[1], person, MESSAGES[1])
    if booked is not None:
        _answer(event, booked, "book")
    _ask(event, person, others[2], MESSAGES[2])


def _ask(event: Event, asker: User, asked: User, message: str, now=None):
    try:
        return services.send_request(event, asker, asked.id, message, now=now)
    except MeetingRefused:
        return None, False


MESSAGES = (
    "We are looking for a hospital to pilot our remote monitoring kit: could we talk?",
    "Your work on clinical validation fits our next project. Twenty minutes?",
    "We invest in early-stage telemedicine companies and would like to hear your plans.",
    "Our cluster members look for partners in Denmark and Norway: shall we meet?",
)


def _answer(event: Event, request, how: str, now=None) -> None:
    recipient = db.session.get(User, request.recipient_id)
    if how == "book":
        slots = services.free_slots(
            services.setup_of(event.id), event, request.requester_id, request.recipient_id, now=now
        )
        for slot in slots[:3]:
            try:
                services.accept(event, request.id, recipient, slot.starts_at, now=now)
                return
            except MeetingRefused:
                continue
    elif how == "decline":
        services.decline(event, request.id, recipient, "Not this time, thank you.")
    elif how == "withdraw":
        services.withdraw(event, request.id, db.session.get(User, request.requester_id))
    elif how == "expire":  # as if nobody had answered in time
        request.expires_at = utcnow()
        db.session.commit()
        services.expire_requests(utcnow())
