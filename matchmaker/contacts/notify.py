"""Tell people about contact requests: in the app and by e-mail, in their own language.

Nothing here commits: what it writes belongs to the transaction of the change it reports
(the services take these functions as `then`).
"""

from __future__ import annotations

from flask import current_app, url_for

from matchmaker.accounts.models import User
from matchmaker.contacts.models import ContactRequest
from matchmaker.contacts.services import member_ids
from matchmaker.extensions import db
from matchmaker.i18n import language_of
from matchmaker.mail import send_mail
from matchmaker.notifications.services import notify


def _tell(user_ids, kind: str, request: ContactRequest, **extra) -> None:
    for user_id in sorted(set(user_ids)):
        user = db.session.get(User, user_id)
        if user is None:
            continue
        lang = language_of(user)
        link = url_for("contacts.show", lang=lang, request_id=request.id, _external=True)
        data = {
            "request_id": request.id,
            "sender": request.sender_org.name,
            "recipient": request.recipient_org.name,
        }
        notify(user, kind, data, link=link)
        if kind not in (user.email_off or ()):
            send_mail(user.email, kind, lang, user=user, request=request, link=link, **extra)


def new_request(request: ContactRequest) -> None:
    """Every member of the receiving organisation."""
    _tell(member_ids(request.recipient_org_id), "contact_request", request)


def answered(request: ContactRequest) -> None:
    """The sender and the people they named, if still members; nobody for a withdrawal."""
    kind = {"accepted": "contact_accepted", "declined": "contact_declined"}.get(request.status)
    if kind is not None:
        _tell(_sender_side(request), kind, request)


def _sender_side(request: ContactRequest) -> list[int]:
    """The sender and the people they named, as long as they are still members."""
    members = member_ids(request.sender_org_id)
    people = {request.sender_user_id, *(request.sender_contact_ids or [])}
    return [i for i in people if i in members]


def reminder(request: ContactRequest) -> None:
    """The receiving organisation's members, once."""
    days = current_app.config["CONTACT_EXPIRY_DAYS"]
    _tell(member_ids(request.recipient_org_id), "contact_reminder", request, expiry_days=days)


def expired(request: ContactRequest) -> None:
    """The sender's side: nobody answered in time."""
    _tell(_sender_side(request), "contact_expired", request)
