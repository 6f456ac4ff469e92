"""A change and the mail it causes are one transaction: committed together, or neither.

Each check reads from a second connection right after the service returns, before the
request could commit anything else: what another process (the worker) would see if this
one died at that moment.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.contacts import notify as contact_notify
from matchmaker.contacts import services as contacts
from matchmaker.contacts.models import ContactRequest
from matchmaker.events import notify, seats
from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from matchmaker.outbox.models import OutboxMessage
from tests.web.test_events import app, make_event, world  # noqa: F401  (fixtures)


def committed(model, *conditions) -> int:
    """Rows another connection sees now."""
    with Session(db.engine) as other:
        return other.scalar(select(func.count()).select_from(model).where(*conditions))


def mails_to(address: str) -> int:
    return committed(OutboxMessage, OutboxMessage.to_address == address)


@pytest.fixture
def request_context(app):  # noqa: F811
    with app.test_request_context():
        yield


def test_a_sign_up_and_its_receipt_are_committed_together(world, request_context):  # noqa: F811
    event = make_event(world, capacity=1)
    outcome = seats.sign_up(event.id, world["bob"].id, then=notify.receipt)
    assert outcome.created
    assert committed(Registration, Registration.user_id == world["bob"].id) == 1
    assert mails_to("bob@example.org") == 1


def test_when_the_mail_cannot_be_written_the_sign_up_is_not_kept(
    world,  # noqa: F811
    request_context,
):
    event = make_event(world, capacity=1)

    def broken(outcome):
        raise RuntimeError("the outbox is unavailable")

    with pytest.raises(RuntimeError):
        seats.sign_up(event.id, world["bob"].id, then=broken)
    assert committed(Registration, Registration.event_id == event.id) == 0
    assert committed(Event, Event.id == event.id, Event.taken == 0) == 1
    # The seat is still there for the next person.
    assert seats.sign_up(event.id, world["carol"].id).registration.status == "confirmed"


def test_a_cancellation_and_the_promotion_it_causes_are_told_in_its_transaction(
    world,  # noqa: F811
    request_context,
):
    event = make_event(world, capacity=1)
    first = seats.sign_up(event.id, world["bob"].id).registration
    waiting = seats.sign_up(event.id, world["carol"].id).registration
    assert waiting.status == "waiting"

    seats.release(first.id, "cancelled", then=notify.promotions)

    assert committed(
        Registration, Registration.id == waiting.id, Registration.status == "confirmed"
    )
    assert committed(Notification, Notification.user_id == world["carol"].id) == 1
    assert mails_to("carol@example.org") == 1


def test_a_contact_request_and_the_mail_to_the_receiving_side_are_committed_together(
    world,  # noqa: F811
    request_context,
):
    sent, created = contacts.send(
        world["alice"],
        sender_org_id=world["telecare"].id,
        recipient_org_id=world["host"].id,
        message="Could we test our telecare kit in your living lab?",
        then=contact_notify.new_request,
    )
    assert created
    assert committed(ContactRequest, ContactRequest.id == sent.id) == 1
    assert mails_to("olga@example.org") == 1

    contacts.accept(world["olga"], sent.id, "Yes, gladly.", then=contact_notify.answered)
    assert committed(ContactRequest, ContactRequest.status == "accepted") == 1
    assert mails_to("alice@example.org") == 1


def test_a_moderators_decision_and_the_mail_to_the_members_are_committed_together(
    world,  # noqa: F811
    request_context,
):
    from matchmaker.moderation import services as moderation
    from matchmaker.moderation.notify import tell_members
    from matchmaker.organisations.services import submit_organisation
    from tests.factories import make_organisation

    draft = make_organisation(world["dave"], name="Dave's Draft Lab")
    submit_organisation(draft)

    def tell(record):
        tell_members("organisation", draft, draft, record)

    moderation.return_for_changes("organisation", draft, world["moderator"], "Add a website.", tell)
    assert mails_to("dave@example.org") == 1

    def broken(record):
        raise RuntimeError("the outbox is unavailable")

    submit_organisation(draft)
    with pytest.raises(RuntimeError):
        moderation.reject("organisation", draft, world["moderator"], "Not health care.", broken)
    assert mails_to("dave@example.org") == 1
    with Session(db.engine) as other:
        from matchmaker.organisations.models import Organisation

        assert other.get(Organisation, draft.id).status == "submitted"


def test_a_new_account_and_its_confirmation_are_committed_together(world, request_context):  # noqa: F811
    from matchmaker.accounts import emails
    from matchmaker.accounts import services as accounts

    user = accounts.register(
        "newcomer@example.org",
        "Newcomer",
        "a long pass phrase",
        "da",
        then=emails.send_confirmation,
    )
    assert committed(OutboxMessage, OutboxMessage.to_address == "newcomer@example.org") == 1
    assert user.id is not None


def test_when_the_confirmation_cannot_be_written_no_account_is_kept(world, request_context):  # noqa: F811
    from matchmaker.accounts import services as accounts
    from matchmaker.accounts.models import User

    def broken(user):
        raise RuntimeError("the outbox is unavailable")

    with pytest.raises(RuntimeError):
        accounts.register(
            "newcomer@example.org", "Newcomer", "a long pass phrase", "pl", then=broken
        )
    assert committed(User, User.email == "newcomer@example.org") == 0


def test_two_step_sign_in_and_its_notice_are_committed_together(world, request_context):  # noqa: F811
    import pyotp

    from matchmaker.accounts import emails, twofactor
    from matchmaker.accounts.models import User

    bob = world["bob"]
    secret = twofactor.pending_secret(bob)

    def broken(user):
        raise RuntimeError("the outbox is unavailable")

    with pytest.raises(RuntimeError):
        twofactor.enable(bob, pyotp.TOTP(secret).now(), then=broken)
    assert committed(User, User.id == bob.id, User.totp_enabled_at.is_not(None)) == 0

    def notice(turned_on):
        return lambda user: emails.send_two_factor_changed(user, turned_on=turned_on)

    bob = db.session.get(User, bob.id)
    twofactor.enable(bob, pyotp.TOTP(twofactor.pending_secret(bob)).now(), then=notice(True))
    assert committed(User, User.id == bob.id, User.totp_enabled_at.is_not(None)) == 1
    assert mails_to("bob@example.org") == 1

    twofactor.disable(bob, then=notice(False))
    assert committed(User, User.id == bob.id, User.totp_enabled_at.is_not(None)) == 0
    assert mails_to("bob@example.org") == 2


def test_an_invitation_and_its_link_are_committed_together(world, request_context):  # noqa: F811
    from matchmaker.organisations import members
    from matchmaker.organisations.models import Invitation

    olga, host = world["olga"], world["host"]

    def mail(invitation, token):
        members.send_invitation(invitation, token, olga, "nb")

    first, _token = members.invite(host, olga, "guest@example.org", then=mail)
    first_id = first.id
    assert committed(Invitation, Invitation.id == first_id) == 1
    assert mails_to("guest@example.org") == 1
    db.session.expunge(first)  # as in a new request, which replaces it

    def broken(invitation, token):
        raise RuntimeError("the outbox is unavailable")

    with pytest.raises(RuntimeError):
        members.invite(host, olga, "guest@example.org", then=broken)
    # The first link still works: it is not replaced by one nobody was sent.
    assert committed(Invitation, Invitation.email == "guest@example.org") == 1
    assert committed(Invitation, Invitation.id == first_id) == 1
