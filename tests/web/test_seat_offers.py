"""Waiting lists with offers: a freed seat is offered to the first in line, who confirms it
before a deadline the organiser sets (or declines, or lets it lapse: then it is offered to
the next); reminders, mails and notifications in each person's language; the organisers'
view. The seats' races are in test_event_concurrency.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from matchmaker import jobs
from matchmaker.events import notify, seats, times
from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from tests.conftest import body_text
from tests.web.helpers import translated
from tests.web.test_events import (  # noqa: F401  (fixtures)
    app,
    edit,
    followed,
    fresh,
    make_event,
    person,
    post,
    registrations,
    sign_up,
    state,
    text,
    world,
)

HOURS = 48
POLICY_OFFER = (
    "Waiting list: first come, first served. When a seat frees up, the first person in line "
    "is offered it and has 48 hours to confirm."
)
POLICY_AUTOMATIC = (
    "Waiting list: first come, first served. When a seat frees up, the first person in line "
    "gets it automatically."
)
OFFERED = "A seat has become free and is offered to you."
RUN_OUT = "The time to confirm this seat has run out: it goes to the next person in line."


@pytest.fixture
def request_context(app):  # noqa: F811
    """The jobs' e-mails link to pages: a request context, as the worker's job has."""
    with app.test_request_context():
        yield


def full_event(app, world, hours: int = HOURS, **fields):  # noqa: F811
    """One seat: Alice (pl) has it; Bob (nb) and Carol (da) wait, in that order."""
    event = make_event(world, capacity=1, offer_hours=hours, **fields)
    clients = {name: person(app, world, name) for name in ("alice", "bob", "carol")}
    for client in clients.values():
        sign_up(client, event)
    assert state(event) == {
        "Alice": ("confirmed", None),
        "Bob": ("waiting", 1),
        "Carol": ("waiting", 2),
    }
    return event, clients


def of(event: Event, name: str) -> Registration:
    [found] = [r for r in registrations(event) if r.user.name == name]
    return found


def cancel_alices_seat(event: Event, clients) -> None:
    alices = of(event, "Alice")
    response = post(clients["alice"], f"/en/events/registrations/{alices.id}/cancel", htmx=True)
    assert response.status_code == 200


def statuses(event: Event) -> dict[str, str]:
    return {r.user.name: r.status for r in registrations(event)}


def age_offers(event: Event, by: timedelta) -> None:
    """Move the event's pending offers `by` into the past (as if that time had gone by)."""
    for registration in registrations(event):
        if registration.status == "offered":
            db.session.execute(
                update(Registration)
                .where(Registration.id == registration.id)
                .values(
                    offered_at=registration.offered_at - by,
                    offer_expires_at=registration.offer_expires_at - by,
                )
            )
    db.session.commit()
    db.session.expire_all()


def aware(moment: datetime) -> datetime:
    return times.aware(moment)


# --- the policy, stated ----------------------------------------------------------------------


def test_the_event_page_states_the_waiting_list_policy(app, world, client):  # noqa: F811
    with_offers = make_event(world, offer_hours=HOURS)
    automatic = make_event(world, title="Automatic")
    without = make_event(world, title="No list", waiting_list=False)
    page = text(client.get(f"/en/events/{with_offers.id}"))
    assert POLICY_OFFER in page
    assert POLICY_AUTOMATIC in text(client.get(f"/en/events/{automatic.id}"))
    page = text(client.get(f"/en/events/{without.id}"))
    assert "first come, first served" not in page
    one_hour = make_event(world, title="Quick", offer_hours=1)
    assert "is offered it and has 1 hour to confirm." in text(
        client.get(f"/en/events/{one_hour.id}")
    )


# --- an offer, and its answers ---------------------------------------------------------------


def test_a_freed_seat_is_offered_to_the_first_in_line_who_is_told_the_deadline_in_their_language(
    app,  # noqa: F811
    world,  # noqa: F811
    smtp_server,
):
    event, clients = full_event(app, world)
    smtp_server.clear()  # the sign-up receipts
    before = datetime.now(UTC)
    cancel_alices_seat(event, clients)
    # The seat is held for Bob: still taken, nobody else can sign up into it.
    assert statuses(event) == {"Alice": "cancelled", "Bob": "offered", "Carol": "waiting"}
    assert fresh(event).taken == 1
    bobs = of(event, "Bob")
    assert before <= aware(bobs.offered_at) <= datetime.now(UTC)
    assert aware(bobs.offer_expires_at) == aware(bobs.offered_at) + timedelta(hours=HOURS)
    assert bobs.active_key == f"{event.id}-{world['bob'].id}"
    # His sign-up box: the offer, its deadline at the place, confirm or decline.
    deadline_en = times.moment(bobs.offer_expires_at, "Europe/Oslo", "en")
    page = text(clients["bob"].get(f"/en/events/{event.id}"))
    assert OFFERED in page
    assert deadline_en in page
    assert ">Confirm my seat<" in page and "Decline and leave the waiting list" in page
    assert f"Seat offered: confirm by {deadline_en}" in text(clients["bob"].get("/en/events/mine"))
    # Told by e-mail in Norwegian: the deadline written the Norwegian way, a link to answer.
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == "nb"
    body = body_text(mail)
    assert times.moment(bobs.offer_expires_at, "Europe/Oslo", "nb") in body
    assert f"/nb/events/{event.id}#signup" in body
    assert translated("nb", "Hello %(name)s,", name="Bob") in body
    # And in the app.
    [note] = db.session.scalars(
        select(Notification).where(Notification.user_id == world["bob"].id)
    ).all()
    assert note.kind == "event_offered"
    assert note.data["deadline"] == times.moment(bobs.offer_expires_at, "Europe/Oslo", "nb")
    assert f"/nb/events/{event.id}#signup" in note.link
    assert "is offered to you: confirm it by" in text(clients["bob"].get("/en/notifications/"))
    # Carol is still second in line and hears nothing yet.
    assert "You're on the waiting list — position 1." in text(
        clients["carol"].get(f"/en/events/{event.id}")
    )
    assert smtp_server.to("carol@example.org") == []


def test_accepting_the_offer_confirms_the_seat_and_sends_a_receipt(app, world, smtp_server):  # noqa: F811
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    smtp_server.clear()
    bobs = of(event, "Bob")
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept", htmx=True)
    assert response.status_code == 200
    assert "You're registered." in text(response)
    assert statuses(event) == {"Alice": "cancelled", "Bob": "confirmed", "Carol": "waiting"}
    assert fresh(event).taken == 1
    assert of(event, "Bob").confirmed_at is not None
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Subject"] == translated(
        "nb", "You're registered: %(title)s", title="Visit to Alma House"
    )
    assert smtp_server.to("carol@example.org") == []
    # A second click: already confirmed, nothing changes.
    again = post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept", htmx=True)
    assert again.status_code == 409
    assert "You have already confirmed this seat." in text(again)
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept")
    assert "You have already confirmed this seat." in followed(clients["bob"], response)
    assert fresh(event).taken == 1


def test_accepting_without_javascript_redirects_to_the_event_with_a_message(app, world):  # noqa: F811
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    bobs = of(event, "Bob")
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept")
    page = followed(clients["bob"], response)
    assert "Your seat is confirmed." in page and "You're registered." in page


def test_declining_passes_the_offer_to_the_next_in_line(app, world, smtp_server):  # noqa: F811
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    smtp_server.clear()
    bobs = of(event, "Bob")
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/decline", htmx=True)
    assert response.status_code == 200
    assert "You declined the seat and left the waiting list." in text(response)
    assert statuses(event) == {"Alice": "cancelled", "Bob": "cancelled", "Carol": "offered"}
    assert fresh(event).taken == 1
    [mail] = smtp_server.wait_for("carol@example.org")
    assert mail["Content-Language"] == "da"
    assert times.moment(of(event, "Carol").offer_expires_at, "Europe/Oslo", "da") in body_text(mail)
    assert smtp_server.to("bob@example.org") == []
    # Declining again: there is no offer any more.
    again = post(clients["bob"], f"/en/events/registrations/{bobs.id}/decline", htmx=True)
    assert again.status_code == 409
    assert "No seat is offered to you at this event any more." in text(again)


def test_a_waiting_person_cannot_decline_an_offer_they_do_not_have(app, world):  # noqa: F811
    event, clients = full_event(app, world)
    carols = of(event, "Carol")
    response = post(clients["carol"], f"/en/events/registrations/{carols.id}/decline", htmx=True)
    assert response.status_code == 409
    response = post(clients["carol"], f"/en/events/registrations/{carols.id}/accept", htmx=True)
    assert response.status_code == 409
    assert "No seat is offered to you at this event any more." in text(response)
    assert statuses(event)["Carol"] == "waiting"


def test_leaving_the_waiting_list_at_any_time(app, world):  # noqa: F811
    event, clients = full_event(app, world)
    bobs = of(event, "Bob")
    page = text(clients["bob"].get(f"/en/events/{event.id}"))
    assert "Leave the waiting list" in page
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/cancel", htmx=True)
    assert "You have left the waiting list." in text(response)
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/cancel")
    assert "This registration had already ended." in followed(clients["bob"], response)
    assert statuses(event) == {"Alice": "confirmed", "Bob": "cancelled", "Carol": "waiting"}
    assert "You're on the waiting list — position 1." in text(
        clients["carol"].get(f"/en/events/{event.id}")
    )
    # Without JavaScript too, with the same words.
    carols = of(event, "Carol")
    response = post(clients["carol"], f"/en/events/registrations/{carols.id}/cancel")
    assert "You have left the waiting list." in followed(clients["carol"], response)
    assert fresh(event).taken == 1


# --- deadlines -----------------------------------------------------------------------------------


def test_a_lapsed_offer_goes_to_the_next_in_line_when_the_job_runs(app, world, smtp_server):  # noqa: F811
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    smtp_server.clear()
    jobs.run_job("seat-offers")  # nothing is due yet
    assert statuses(event)["Bob"] == "offered"
    age_offers(event, timedelta(hours=HOURS, minutes=1))
    bobs_deadline = of(event, "Bob").offer_expires_at
    jobs.run_job("seat-offers")
    assert statuses(event) == {"Alice": "cancelled", "Bob": "lapsed", "Carol": "offered"}
    assert fresh(event).taken == 1
    bobs = of(event, "Bob")
    assert bobs.active_key is None and bobs.ended_at is not None
    # Bob hears that the offer lapsed (in Norwegian, with the deadline he missed); Carol
    # that it is hers now.
    [lapsed] = smtp_server.wait_for("bob@example.org")
    assert lapsed["Content-Language"] == "nb"
    assert times.moment(bobs_deadline, "Europe/Oslo", "nb") in body_text(lapsed)
    [offer] = smtp_server.wait_for("carol@example.org")
    assert f"/da/events/{event.id}#signup" in body_text(offer)
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == world["bob"].id)
    ).all()
    assert sorted(kinds) == ["event_offer_lapsed", "event_offered"]
    assert "was not confirmed in time" in text(clients["bob"].get("/en/notifications/"))
    # Running again changes nothing: Carol's offer is fresh.
    jobs.run_job("seat-offers")
    assert statuses(event)["Carol"] == "offered"
    # Bob may sign up again, at the end of the queue.
    assert "You're on the waiting list — position 1." in text(sign_up(clients["bob"], event))


def test_accepting_after_the_deadline_is_refused_with_a_clear_reason(
    app,  # noqa: F811
    world,  # noqa: F811
    request_context,
):
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    bobs = of(event, "Bob")
    deadline = aware(bobs.offer_expires_at)
    # At the deadline itself it is too late; a moment before it is not.
    with pytest.raises(seats.OfferRefused) as refused:
        seats.accept_offer(bobs.id, now=deadline)
    assert refused.value.code == "lapsed"
    assert statuses(event)["Bob"] == "offered"
    # Through the page, once the time has run out (the job has not run yet).
    age_offers(event, timedelta(hours=HOURS, seconds=1))
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept", htmx=True)
    assert response.status_code == 409
    assert RUN_OUT in text(response)
    assert statuses(event)["Bob"] == "offered"
    # After the lapse, the same answer; the seat went on to Carol.
    seats.expire_offers(then=notify.offer_lapsed)
    response = post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept")
    assert RUN_OUT in followed(clients["bob"], response)
    assert statuses(event) == {"Alice": "cancelled", "Bob": "lapsed", "Carol": "offered"}
    carols = of(event, "Carol")
    assert seats.accept_offer(carols.id, now=aware(carols.offer_expires_at) - timedelta(seconds=1))
    assert statuses(event)["Carol"] == "confirmed"


def test_the_reminder_goes_once_some_hours_before_the_deadline(
    app,  # noqa: F811
    world,  # noqa: F811
    smtp_server,
    request_context,
):
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    smtp_server.clear()
    bobs = of(event, "Bob")
    offered_at = aware(bobs.offered_at)
    # 48 hours to confirm: reminded when 12 are left.
    assert seats.remind_offers(offered_at + timedelta(hours=35), then=notify.offer_reminder) == 0
    reminded_at = offered_at + timedelta(hours=37)
    assert seats.remind_offers(reminded_at, then=notify.offer_reminder) == 1
    assert seats.remind_offers(reminded_at + timedelta(hours=1), then=notify.offer_reminder) == 0
    assert aware(of(event, "Bob").reminded_at) == reminded_at
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == "nb"
    body = body_text(mail)
    assert " 11 " in body  # hours left, in whatever words the language has
    assert times.moment(bobs.offer_expires_at, "Europe/Oslo", "nb") in body
    assert len(smtp_server.to("bob@example.org")) == 1
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == world["bob"].id)
    ).all()
    assert sorted(kinds) == ["event_offer_reminder", "event_offered"]
    # Nobody is reminded of an offer they have answered.
    post(clients["bob"], f"/en/events/registrations/{bobs.id}/accept")
    assert seats.remind_offers(reminded_at + timedelta(hours=2)) == 0


def test_an_offer_never_outlasts_the_start_of_the_event(app, world):  # noqa: F811
    event, clients = full_event(app, world)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=10)
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(starts_at=starts, ends_at=starts + timedelta(hours=6), registration_deadline=starts)
    )
    db.session.commit()
    cancel_alices_seat(event, clients)
    assert aware(of(event, "Bob").offer_expires_at) == starts


def test_with_no_hours_to_confirm_a_freed_seat_is_given_at_once(app, world, smtp_server):  # noqa: F811
    event, clients = full_event(app, world, hours=0)
    smtp_server.clear()
    cancel_alices_seat(event, clients)
    assert statuses(event) == {"Alice": "cancelled", "Bob": "confirmed", "Carol": "waiting"}
    bobs = of(event, "Bob")
    assert (bobs.offered_at, bobs.offer_expires_at) == (None, None)
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Subject"] == translated(
        "nb", "You have a seat: %(title)s", title="Visit to Alma House"
    )
    assert POLICY_AUTOMATIC in text(clients["carol"].get(f"/en/events/{event.id}"))


def test_offers_at_a_cancelled_event_lapse_without_another_mail(
    app,  # noqa: F811
    world,  # noqa: F811
    smtp_server,
    request_context,
):
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    olga = person(app, world, "olga")
    post(olga, f"/en/my/events/{event.id}/cancel", confirm="y")
    bobs = of(event, "Bob")
    with pytest.raises(seats.OfferRefused) as refused:
        seats.accept_offer(bobs.id)
    assert refused.value.code == "cancelled"
    smtp_server.wait_for("bob@example.org", count=2)  # the offer, the cancellation
    smtp_server.clear()
    lapsed = seats.expire_offers(
        aware(bobs.offer_expires_at) + timedelta(minutes=1), then=notify.offer_lapsed
    )
    assert [o.registration.id for o in lapsed] == [bobs.id]
    assert statuses(event) == {"Alice": "cancelled", "Bob": "lapsed", "Carol": "waiting"}
    assert smtp_server.to("bob@example.org") == [] and smtp_server.to("carol@example.org") == []


# --- who may answer ------------------------------------------------------------------------------


def test_nobody_answers_another_persons_offer(app, world):  # noqa: F811
    event, clients = full_event(app, world)
    cancel_alices_seat(event, clients)
    bobs = of(event, "Bob")
    dave = person(app, world, "dave")
    for action in ("accept", "decline"):
        url = f"/en/events/registrations/{bobs.id}/{action}"
        assert post(dave, url).status_code == 404
        assert post(dave, url, htmx=True).status_code == 404
        # Carol, next in line, would gain from it most.
        assert post(clients["carol"], url, htmx=True).status_code == 404
    assert statuses(event) == {"Alice": "cancelled", "Bob": "offered", "Carol": "waiting"}
    anonymous = app.test_client()
    response = anonymous.post(f"/en/events/registrations/{bobs.id}/accept")
    assert response.status_code in (302, 303, 400)
    assert statuses(event)["Bob"] == "offered"


# --- organisers ----------------------------------------------------------------------------------


def test_the_organiser_sets_the_hours_to_confirm_in_the_event_form(app, world):  # noqa: F811
    event = make_event(world, capacity=2)
    olga = person(app, world, "olga")
    page = text(olga.get(f"/en/my/events/{event.id}/edit"))
    assert "Hours to confirm a seat offered from the waiting list" in page
    for wrong in ("169", "-1"):
        response = edit(olga, event, offer_hours=wrong)
        assert response.status_code == 422
        assert "Enter between 0 and 168 hours (a week)." in text(response)
        assert fresh(event).offer_hours == 0
    assert edit(olga, event, offer_hours="48").status_code == 303
    assert fresh(event).offer_hours == 48
    assert 'name="offer_hours" type="number" value="48"' in text(
        olga.get(f"/en/my/events/{event.id}/edit")
    )
    assert POLICY_OFFER in text(olga.get(f"/en/events/{event.id}"))


def test_the_organiser_sees_pending_offers_with_their_deadlines(app, world):  # noqa: F811
    event, clients = full_event(app, world)
    olga = person(app, world, "olga")
    page = text(olga.get(f"/en/my/events/{event.id}"))
    assert "No offers are waiting for an answer." in page
    cancel_alices_seat(event, clients)
    bobs = of(event, "Bob")
    page = text(olga.get(f"/en/my/events/{event.id}"))
    assert "1 seat offered, not yet confirmed" in page
    offered = page.split('id="offered"')[1].split("</table>")[0]
    assert "Bob" in offered and "Carol" not in offered
    assert times.moment(bobs.offer_expires_at, "Europe/Oslo", "en") in offered
    waiting = page.split('id="waiting"')[1].split("</table>")[0]
    assert "Carol" in waiting and "Bob" not in waiting
    # The CSV says so too.
    csv_text = olga.get(f"/en/my/events/{event.id}/participants.csv").get_data(as_text=True)
    assert "Seat offered" in csv_text
    # Removing the person with the offer offers the seat to the next.
    response = post(olga, f"/en/my/events/{event.id}/registrations/{bobs.id}/remove")
    assert "Bob is removed from the event." in followed(olga, response)
    assert statuses(event) == {"Alice": "cancelled", "Bob": "removed", "Carol": "offered"}
    assert fresh(event).taken == 1


def test_added_seats_are_offered_under_the_hours_saved_with_them(app, world, smtp_server):  # noqa: F811
    event, _clients = full_event(app, world, hours=0)
    smtp_server.clear()
    olga = person(app, world, "olga")
    assert edit(olga, event, capacity="3", offer_hours="24").status_code == 303
    assert statuses(event) == {"Alice": "confirmed", "Bob": "offered", "Carol": "offered"}
    assert fresh(event).taken == 3
    carols = of(event, "Carol")
    assert aware(carols.offer_expires_at) == aware(carols.offered_at) + timedelta(hours=24)
    for address in ("bob@example.org", "carol@example.org"):
        [mail] = smtp_server.wait_for(address)
        assert "#signup" in body_text(mail)
    # Fewer seats than those held (confirmed or offered) is refused.
    response = edit(olga, event, capacity="2")
    assert response.status_code == 422
    assert fresh(event).capacity == 3
