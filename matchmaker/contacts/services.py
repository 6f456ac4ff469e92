"""Contact requests: the rules of sending, answering, seeing and sharing.

Every function takes the acting user and checks, here on the server, that they may act:
a request is visible only to members of its two organisations, answered only by the
recipient's members and withdrawn only by the sender's. Answers are single UPDATEs
conditioned on the request still being pending, so two answers (two members, two
tabs, a double click, or a withdrawal meanwhile) cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from matchmaker.accounts.models import User, utcnow
from matchmaker.accounts.sharing import Person, shared_details
from matchmaker.contacts.models import MAX_MESSAGE, REPORT_REASONS, ContactRequest, open_key
from matchmaker.database import commit_with
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.projects.models import Project
from matchmaker.register import queries as register_queries


class ContactError(Exception):
    """A request that cannot be made or answered; ``code`` names the reason for the view."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NotFound(Exception):
    """No such request for this user (also when it exists but is none of theirs)."""


@dataclass(frozen=True)
class Limits:
    per_user_per_day: int = 20
    per_organisation_per_day: int = 50


# --- who is who ------------------------------------------------------------------------


def member_ids(organisation_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Membership.user_id).where(Membership.organisation_id == organisation_id)
        )
    )


def _memberships(user: User):
    """The user's organisation ids as a subquery, so a list query stays one statement."""
    return select(Membership.organisation_id).where(Membership.user_id == user.id)


def organisations_of(user: User) -> list[int]:
    return list(db.session.scalars(_memberships(user)))


def is_published(organisation_id: int) -> bool:
    return register_queries.entry("organisation", organisation_id) is not None


def sender_organisations(user: User) -> list[Organisation]:
    """The user's organisations that may send requests: the published ones."""
    return [
        org
        for org in db.session.scalars(
            select(Organisation)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
        if is_published(org.id)
    ]


def people(organisation_id: int) -> list[User]:
    """Members of an organisation, by name: the people a request may name as contacts."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(User.name, User.id)
        )
    )


# --- sending -----------------------------------------------------------------------------


def existing_open(sender_org_id: int, recipient_org_id: int, project_id: int | None):
    return db.session.scalar(
        select(ContactRequest).where(
            ContactRequest.open_key == open_key(sender_org_id, recipient_org_id, project_id)
        )
    )


def send(
    user: User,
    *,
    sender_org_id: int,
    recipient_org_id: int,
    message: str,
    project_id: int | None = None,
    contact_ids: list[int] | None = None,
    limits: Limits = Limits(),
    then=None,
) -> tuple[ContactRequest, bool]:
    """Send a request; (request, created). An open request for the same organisations and
    project is returned instead of a second one. `then(request)` runs in the same
    transaction when one is created (to tell the receiving side)."""
    message = message.strip()
    if not message:
        raise ContactError("empty")
    if len(message) > MAX_MESSAGE:
        raise ContactError("too_long")
    if user.id not in member_ids(sender_org_id):
        raise NotFound
    if sender_org_id == recipient_org_id:
        raise ContactError("own_organisation")
    if not is_published(sender_org_id):
        raise ContactError("sender_not_published")
    if not is_published(recipient_org_id):
        raise NotFound
    if project_id is not None:
        project = db.session.get(Project, project_id)
        if (
            project is None
            or project.organisation_id != recipient_org_id
            or register_queries.entry("project", project_id) is None
        ):
            raise ContactError("wrong_project")
    found = existing_open(sender_org_id, recipient_org_id, project_id)
    if found is not None:
        return found, False
    since = utcnow() - timedelta(days=1)
    sent_by_user = db.session.scalar(
        select(func.count())
        .select_from(ContactRequest)
        .where(ContactRequest.sender_user_id == user.id, ContactRequest.created_at > since)
    )
    if sent_by_user >= limits.per_user_per_day:
        raise ContactError("user_limit")
    sent_by_org = db.session.scalar(
        select(func.count())
        .select_from(ContactRequest)
        .where(ContactRequest.sender_org_id == sender_org_id, ContactRequest.created_at > since)
    )
    if sent_by_org >= limits.per_organisation_per_day:
        raise ContactError("organisation_limit")
    allowed = member_ids(sender_org_id)
    contacts = sorted({i for i in (contact_ids or [user.id]) if i in allowed}) or [user.id]
    request = ContactRequest(
        sender_org_id=sender_org_id,
        sender_user_id=user.id,
        recipient_org_id=recipient_org_id,
        project_id=project_id,
        message=message,
        sender_contact_ids=contacts,
        open_key=open_key(sender_org_id, recipient_org_id, project_id),
    )
    db.session.add(request)
    try:
        db.session.flush()
        commit_with(then, request)
    except IntegrityError:  # the same request sent a moment ago (a double click)
        db.session.rollback()
        found = existing_open(sender_org_id, recipient_org_id, project_id)
        if found is None:
            raise
        return found, False
    return request, True


# --- seeing ------------------------------------------------------------------------------


def visible(user: User, request_id: int) -> tuple[ContactRequest, str]:
    """The request and the user's side ("sender" or "recipient"); NotFound otherwise."""
    request = db.session.get(ContactRequest, request_id)
    if request is None:
        raise NotFound
    mine = set(organisations_of(user))
    if request.recipient_org_id in mine:
        return request, "recipient"
    if request.sender_org_id in mine:
        return request, "sender"
    raise NotFound


def inbox(user: User) -> list[ContactRequest]:
    return _requests(ContactRequest.recipient_org_id.in_(_memberships(user)))


def outbox(user: User) -> list[ContactRequest]:
    return _requests(ContactRequest.sender_org_id.in_(_memberships(user)))


def _requests(condition) -> list[ContactRequest]:
    return list(
        db.session.scalars(
            select(ContactRequest)
            .where(condition)
            .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
            .limit(200)
        )
    )


def unread_count(user: User) -> int:
    """Pending requests to the user's organisations that no member has opened yet."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ContactRequest)
            .where(
                ContactRequest.recipient_org_id.in_(_memberships(user)),
                ContactRequest.status == "pending",
                ContactRequest.recipient_read_at.is_(None),
            )
        )
        or 0
    )


def mark_inbox_read(user: User) -> None:
    db.session.execute(
        update(ContactRequest)
        .where(
            ContactRequest.recipient_org_id.in_(_memberships(user)),
            ContactRequest.recipient_read_at.is_(None),
        )
        .values(recipient_read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def open_requests_from(user: User, recipient_org_id: int) -> list[ContactRequest]:
    """The user's organisations' requests to one organisation that are pending or were
    accepted: what the "Request contact" button shows instead of itself."""
    return list(
        db.session.scalars(
            select(ContactRequest)
            .where(
                ContactRequest.sender_org_id.in_(_memberships(user)),
                ContactRequest.recipient_org_id == recipient_org_id,
                ContactRequest.status.in_(("pending", "accepted")),
            )
            .order_by(ContactRequest.id.desc())
        )
    )


def shared_people(request: ContactRequest, side: str) -> list[Person]:
    """The other side's contacts as the viewer (on ``side``) may see them: nothing at all
    before the request is accepted; then each person's own choice of details."""
    if request.status != "accepted":
        return []
    if side == "sender":
        ids, organisation_id = request.recipient_contact_ids, request.recipient_org_id
    else:
        ids, organisation_id = request.sender_contact_ids, request.sender_org_id
    still_members = member_ids(organisation_id)
    found = []
    for user_id in ids or []:
        user = db.session.get(User, user_id)
        if user is None or user_id not in still_members:
            continue
        person = shared_details(user)
        if person is not None:
            found.append(person)
    return found


# --- answering ---------------------------------------------------------------------------


def _answer(request: ContactRequest, status: str, values: dict, then=None) -> None:
    """Close a pending request once; `then(request)` runs in the same transaction."""
    done = db.session.execute(
        update(ContactRequest)
        .where(ContactRequest.id == request.id, ContactRequest.status == "pending")
        .values(status=status, open_key=None, **values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        db.session.refresh(request)
        raise ContactError(f"already_{request.status}")
    db.session.refresh(request)
    commit_with(then, request)


def accept(
    user: User,
    request_id: int,
    reply: str = "",
    contact_ids: list[int] | None = None,
    then=None,
):
    request, side = visible(user, request_id)
    if side != "recipient":
        raise NotFound
    if len(reply) > MAX_MESSAGE:
        raise ContactError("too_long")
    allowed = member_ids(request.recipient_org_id)
    contacts = sorted({i for i in (contact_ids or [user.id]) if i in allowed}) or [user.id]
    _answer(
        request,
        "accepted",
        {
            "reply": reply.strip(),
            "recipient_contact_ids": contacts,
            "answered_by": user.id,
            "answered_at": utcnow(),
        },
        then,
    )
    return request


def decline(user: User, request_id: int, reason: str = "", then=None) -> ContactRequest:
    request, side = visible(user, request_id)
    if side != "recipient":
        raise NotFound
    if len(reason) > MAX_MESSAGE:
        raise ContactError("too_long")
    values = {"reply": reason.strip(), "answered_by": user.id, "answered_at": utcnow()}
    _answer(request, "declined", values, then)
    return request


def withdraw(user: User, request_id: int) -> ContactRequest:
    request, side = visible(user, request_id)
    if side != "sender":
        raise NotFound
    _answer(request, "withdrawn", {"answered_at": utcnow()})
    return request


def lift_exclusion(user: User, request_id: int) -> ContactRequest:
    """The decliner lets the matcher offer the pair again."""
    request, side = visible(user, request_id)
    if side != "recipient" or request.status != "declined":
        raise NotFound
    request.exclusion_lifted = True
    db.session.commit()
    return request


def declined_organisations(organisation_id: int) -> frozenset[int]:
    """Organisations in a declined request with this one, either way, not lifted: the
    matcher leaves them out of each other's lists."""
    rows = db.session.execute(
        select(ContactRequest.sender_org_id, ContactRequest.recipient_org_id).where(
            ContactRequest.status == "declined",
            ContactRequest.exclusion_lifted.is_(False),
            or_(
                ContactRequest.sender_org_id == organisation_id,
                ContactRequest.recipient_org_id == organisation_id,
            ),
        )
    )
    return frozenset(other for pair in rows for other in pair if other != organisation_id)


# --- reminders and expiry (run by `flask contacts remind`) -------------------------------


def due_reminders(now, after_days: int) -> list[ContactRequest]:
    """Pending requests unanswered for ``after_days`` that have had no reminder yet."""
    return list(
        db.session.scalars(
            select(ContactRequest)
            .where(
                ContactRequest.status == "pending",
                ContactRequest.reminded_at.is_(None),
                ContactRequest.created_at <= now - timedelta(days=after_days),
            )
            .order_by(ContactRequest.id)
        )
    )


def mark_reminded(request: ContactRequest, now, then=None) -> bool:
    """Claim the reminder (once, even with two schedulers running); `then(request)`, the
    reminder itself, runs in the same transaction."""
    done = db.session.execute(
        update(ContactRequest)
        .where(ContactRequest.id == request.id, ContactRequest.reminded_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return False
    commit_with(then, request)
    return True


def expire(now, after_days: int, then=None) -> list[ContactRequest]:
    """Close every request pending for ``after_days``; returns those it closed (each
    with `then(request)` in its own transaction)."""
    expired = []
    for request in db.session.scalars(
        select(ContactRequest)
        .where(
            ContactRequest.status == "pending",
            ContactRequest.created_at <= now - timedelta(days=after_days),
        )
        .order_by(ContactRequest.id)
    ).all():
        try:
            _answer(request, "expired", {"answered_at": now}, then)
        except ContactError:
            continue  # answered meanwhile
        expired.append(request)
    return expired


# --- reports and suspension ---------------------------------------------------------------


def report(user: User, request_id: int, reason: str, note: str = "") -> ContactRequest:
    """The receiving side reports a request as spam or abusive (once)."""
    request, side = visible(user, request_id)
    if side != "recipient":
        raise NotFound
    if reason not in REPORT_REASONS:
        raise ContactError("report_reason")
    if request.report_status is not None:
        raise ContactError("already_reported")
    request.report_reason, request.report_note = reason, note.strip()[:MAX_MESSAGE]
    request.reported_by, request.reported_at = user.id, utcnow()
    request.report_status = "open"
    db.session.commit()
    return request


def open_reports() -> list[ContactRequest]:
    return list(
        db.session.scalars(
            select(ContactRequest)
            .where(ContactRequest.report_status == "open")
            .order_by(ContactRequest.reported_at, ContactRequest.id)
        )
    )


def decide_report(moderator: User, request_id: int, suspend: bool) -> ContactRequest:
    """Dismiss a report, or suspend the sender's account (which also ends its sessions)."""
    request = db.session.get(ContactRequest, request_id)
    if request is None or request.report_status != "open":
        raise NotFound
    if suspend and request.sender is not None:
        request.sender.suspended_at = utcnow()
        request.sender.session_version += 1
    request.report_status = "suspended" if suspend else "dismissed"
    db.session.commit()
    return request
