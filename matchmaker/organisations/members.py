"""Who belongs to an organisation: invitations, requests to join, leaving, handing over.

Plain functions, one transaction each; the rules are enforced here, not in the views,
and every refusal is a `MembersError` that the views turn into a translated message.

An invitation link carries a random token; only its SHA-256 is stored, so the
database alone cannot be used to join an organisation.

A person may also ask to join a published organisation; an owner accepts (the person
becomes an editor) or declines. One pending request per person and organisation is kept
by a unique key set only while the request is pending.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import url_for
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from matchmaker.accounts.models import User, utcnow
from matchmaker.accounts.services import find_by_email, normalise_email
from matchmaker.database import commit_with
from matchmaker.extensions import db
from matchmaker.i18n import language_of, normalise_language
from matchmaker.mail import send_mail
from matchmaker.notifications.services import notify
from matchmaker.organisations.models import (
    MAX_JOIN_MESSAGE,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    pending_key,
)
from matchmaker.register.models import RegisterEntry
from matchmaker.register.queries import public_snapshot

INVITATION_DAYS = 14
# Longer than any token we make; anything longer is refused without a database look-up.
MAX_TOKEN_LENGTH = 100
# Requests to join one person may send in a day (every request counts, withdrawn or not).
JOIN_REQUESTS_PER_DAY = 5


class MembersError(Exception):
    """Base of the errors that views turn into translated messages."""


class NotAllowed(MembersError):
    """The acting user's role does not allow this (only owners manage members)."""


class AlreadyMember(MembersError):
    """The invited address belongs to someone who is already a member."""


class UnknownMember(MembersError):
    """No such membership in this organisation."""


class UnknownInvitation(MembersError):
    """No such open invitation in this organisation."""


class LastOwner(MembersError):
    """The organisation would be left without an owner."""


class NotAnEditor(MembersError):
    """Ownership can only be handed over to an editor of the organisation."""


class NotPublished(MembersError):
    """Only organisations on the public register can be asked to join."""


class TooManyJoinRequests(MembersError):
    """The person has sent JOIN_REQUESTS_PER_DAY requests to join in the last day."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


class MessageTooLong(MembersError):
    """The message with a request to join is longer than MAX_JOIN_MESSAGE characters."""


class UnknownJoinRequest(MembersError):
    """No such request to join (for this organisation, or of this person)."""


class JoinRequestClosed(MembersError):
    """The request was answered or withdrawn already, differently from what is asked now."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


class InvitationInvalid(MembersError):
    """The invitation link is unknown (forged, damaged, revoked), expired or already used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "unknown", "expired" or "used"


class InvitationForAnotherAddress(MembersError):
    """The invitation was sent to another address than the signed-in account's."""

    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_expired(invitation: Invitation) -> bool:
    return _aware(invitation.expires_at) <= utcnow()


# --- reading ---------------------------------------------------------------------------


def membership_of(organisation: Organisation, user: User) -> Membership | None:
    return _membership_by_ids(organisation.id, user.id)


def role_of(organisation: Organisation, user: User) -> str | None:
    """'owner', 'editor', or None for someone who does not belong to the organisation."""
    membership = membership_of(organisation, user)
    return membership.role if membership else None


def members_of(organisation: Organisation) -> list[Membership]:
    """Owners first, then editors, each by name."""
    owners_first = case((Membership.role == "owner", 0), else_=1)
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(owners_first, User.name, Membership.id)
        )
    )


def open_invitations(organisation: Organisation) -> list[Invitation]:
    """Invitations not yet accepted and not yet expired, oldest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at, Invitation.id)
        )
    )


def find_invitation(token: str) -> Invitation:
    """The invitation a link is for, whatever its state; InvitationInvalid('unknown') if none."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvitationInvalid("unknown")
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise InvitationInvalid("unknown")
    return invitation


def invitation_state(invitation: Invitation) -> str:
    """'open', 'used' or 'expired'."""
    if invitation.accepted_at is not None:
        return "used"
    if is_expired(invitation):
        return "expired"
    return "open"


def is_addressed_to(invitation: Invitation, user: User) -> bool:
    return invitation.email == normalise_email(user.email)


# --- writing ---------------------------------------------------------------------------


def _lock(organisation: Organisation) -> None:
    """Serialise changes to one organisation's members (a row lock on PostgreSQL)."""
    db.session.execute(
        select(Organisation.id).where(Organisation.id == organisation.id).with_for_update()
    )


def _require_owner(organisation: Organisation, actor: User) -> Membership:
    membership = membership_of(organisation, actor)
    if membership is None or membership.role != "owner":
        raise NotAllowed
    return membership


def find_member(organisation: Organisation, membership_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership)
        .where(Membership.id == membership_id, Membership.organisation_id == organisation.id)
        .execution_options(populate_existing=True)
    )


def _member(organisation: Organisation, membership_id: int) -> Membership:
    membership = find_member(organisation, membership_id)
    if membership is None:
        raise UnknownMember
    return membership


def _other_owners(organisation: Organisation, membership: Membership) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.organisation_id == organisation.id,
                Membership.role == "owner",
                Membership.id != membership.id,
            )
        )
        or 0
    )


def invite(
    organisation: Organisation, inviter: User, email: str, then=None
) -> tuple[Invitation, str]:
    """Invite `email` to become an editor; the token is returned once, for the link.

    Only owners invite. An open invitation for the same address is replaced, so its
    old link stops working. AlreadyMember when the address belongs to a member.
    `then(invitation, token)` (the e-mail with the link) commits with the invitation:
    the old link never stops working without the new one on its way.
    """
    try:
        _require_owner(organisation, inviter)
        email = normalise_email(email)
        existing = find_by_email(email)
        if existing is not None and membership_of(organisation, existing) is not None:
            raise AlreadyMember
        db.session.execute(
            delete(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.email == email,
                Invitation.accepted_at.is_(None),
            )
            .execution_options(synchronize_session=False)
        )
        token = secrets.token_urlsafe(32)
        now = utcnow()
        invitation = Invitation(
            organisation_id=organisation.id,
            email=email,
            role="editor",
            token_hash=hash_token(token),
            invited_by_id=inviter.id,
            created_at=now,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        db.session.add(invitation)
        db.session.flush()
        commit_with(then, invitation, token)
    except Exception:
        db.session.rollback()
        raise
    return invitation, token


def accept(token: str, user: User) -> Membership:
    """Join the organisation an invitation link is for, as `user`.

    The invitation must be open and sent to the user's address. A user who is already
    a member only marks it accepted. Safe against a double click: the invitation is
    claimed once, a second click by the same user gets the same membership, and the
    unique (user, organisation) constraint stops a second membership in any case.
    """
    invitation = find_invitation(token)
    state = invitation_state(invitation)
    if state == "used":
        return _accepted_again(invitation, user)
    if state == "expired":
        raise InvitationInvalid("expired")
    if not is_addressed_to(invitation, user):
        raise InvitationForAnotherAddress(invitation.email)
    try:
        claimed = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
            .values(accepted_at=utcnow(), accepted_by_id=user.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            # Someone (most likely this user's other click) accepted it in the meantime.
            db.session.rollback()
            db.session.refresh(invitation)
            return _accepted_again(invitation, user)
        membership = _join(invitation, user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return membership


def _join(invitation: Invitation, user: User) -> Membership:
    """The user's membership, created as the invitation says unless there is one already."""
    existing = _membership_by_ids(invitation.organisation_id, user.id)
    if existing is not None:
        return existing
    membership = Membership(
        organisation_id=invitation.organisation_id, user_id=user.id, role=invitation.role
    )
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        # Joined in between (another request): the unique constraint kept it to one.
        existing = _membership_by_ids(invitation.organisation_id, user.id)
        if existing is None:
            raise
        return existing
    return membership


def _membership_by_ids(organisation_id: int, user_id: int) -> Membership | None:
    # Fresh from the database, not the session's copy: roles change under our feet.
    return db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == organisation_id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def _accepted_again(invitation: Invitation, user: User) -> Membership:
    """A used link: fine for the user who used it and still belongs, refused otherwise."""
    if invitation.accepted_by_id == user.id:
        membership = _membership_by_ids(invitation.organisation_id, user.id)
        if membership is not None:
            return membership
    raise InvitationInvalid("used")


def remove_member(organisation: Organisation, actor: User, membership_id: int) -> None:
    """Remove a member (owners), or leave (anyone, for their own membership).

    The last owner can neither be removed nor leave: hand over ownership first.
    """
    try:
        _lock(organisation)
        target = _member(organisation, membership_id)
        if target.user_id != actor.id:
            _require_owner(organisation, actor)
        if target.role == "owner" and _other_owners(organisation, target) == 0:
            raise LastOwner
        db.session.delete(target)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def hand_over(organisation: Organisation, actor: User, membership_id: int) -> Membership:
    """The owner makes an editor the owner and becomes an editor, in one transaction."""
    try:
        _lock(organisation)
        current = _require_owner(organisation, actor)
        target = _member(organisation, membership_id)
        if target.role != "editor":
            raise NotAnEditor
        target.role = "owner"
        current.role = "editor"
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return target


def revoke_invitation(organisation: Organisation, actor: User, invitation_id: int) -> str:
    """Withdraw an invitation not yet accepted; its link stops working. Returns the address."""
    try:
        _require_owner(organisation, actor)
        invitation = db.session.scalar(
            select(Invitation).where(
                Invitation.id == invitation_id,
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
            )
        )
        if invitation is None:
            raise UnknownInvitation
        email = invitation.email
        db.session.delete(invitation)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return email


# --- requests to join --------------------------------------------------------------------


def published_name(organisation_id: int) -> str | None:
    """The name the public register shows; None when the organisation is not published."""
    snapshot = public_snapshot("organisation", organisation_id)
    return snapshot.get("name") if snapshot is not None else None


def public_name(organisation: Organisation) -> str:
    """The published name (a newer one may still wait for a moderator), else the current."""
    return published_name(organisation.id) or organisation.name


def belongs(organisation_id: int, user: User) -> bool:
    return _membership_by_ids(organisation_id, user.id) is not None


def find_published(text: str, limit: int = 20) -> list[RegisterEntry]:
    """Published organisations whose name contains `text` (wildcards taken literally)."""
    text = text.strip()
    if not text:
        return []
    return list(
        db.session.scalars(
            select(RegisterEntry)
            .where(
                RegisterEntry.item_type == "organisation",
                RegisterEntry.sort_title.icontains(text, autoescape=True),
            )
            .order_by(RegisterEntry.sort_title, RegisterEntry.item_id)
            .limit(limit)
        )
    )


def pending_request(organisation_id: int, user: User) -> JoinRequest | None:
    """The user's request to join the organisation that waits for an answer, if any."""
    return db.session.scalar(
        select(JoinRequest)
        .where(JoinRequest.pending_key == pending_key(organisation_id, user.id))
        .execution_options(populate_existing=True)
    )


def join_requests_of(organisation: Organisation) -> list[JoinRequest]:
    """The organisation's pending requests to join, oldest first (for its owners)."""
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(
                JoinRequest.organisation_id == organisation.id,
                JoinRequest.status == "pending",
            )
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    )


def pending_join_requests_for_owner(user: User) -> list[JoinRequest]:
    """Pending requests to join the organisations `user` owns, oldest first (a to-do)."""
    owned = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == "owner"
    )
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.organisation_id.in_(owned), JoinRequest.status == "pending")
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    )


def find_join_request(request_id: int) -> JoinRequest | None:
    return db.session.scalar(
        select(JoinRequest)
        .where(JoinRequest.id == request_id)
        .execution_options(populate_existing=True)
    )


def _sent_today(user: User) -> int:
    since = utcnow() - timedelta(days=1)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(JoinRequest)
            .where(JoinRequest.user_id == user.id, JoinRequest.created_at > since)
        )
        or 0
    )


def request_to_join(user: User, organisation_id: int, message: str = "", then=None) -> JoinRequest:
    """Ask to become an editor of a published organisation.

    Idempotent: while a request waits for an answer, asking again returns it (also when
    two submissions race: the unique pending key lets one row in). NotPublished,
    AlreadyMember, MessageTooLong, TooManyJoinRequests otherwise. `then(request)` (telling
    the owners) commits with a new request only.
    """
    message = (message or "").strip()
    if len(message) > MAX_JOIN_MESSAGE:
        raise MessageTooLong
    try:
        if published_name(organisation_id) is None:
            raise NotPublished
        if _membership_by_ids(organisation_id, user.id) is not None:
            raise AlreadyMember
        existing = pending_request(organisation_id, user)
        if existing is not None:
            return existing
        # One person's requests in turn (a row lock on PostgreSQL; SQLite holds its write
        # lock from the insert on), and counted after the insert, so that the limit holds.
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        join_request = JoinRequest(
            organisation_id=organisation_id,
            user_id=user.id,
            message=message,
            status="pending",
            pending_key=pending_key(organisation_id, user.id),
        )
        db.session.add(join_request)
        try:
            # No savepoint: nothing else is written yet (and on SQLite a savepoint that
            # opens the transaction would commit the row when released).
            db.session.flush()
        except IntegrityError:
            # The same person's other submission got in first: that one is the request.
            db.session.rollback()
            existing = pending_request(organisation_id, user)
            if existing is None:
                raise
            return existing
        if _sent_today(user) > JOIN_REQUESTS_PER_DAY:
            raise TooManyJoinRequests(JOIN_REQUESTS_PER_DAY)
        commit_with(then, join_request)
    except Exception:
        db.session.rollback()
        raise
    return join_request


def _close(join_request: JoinRequest, status: str, values: dict) -> bool:
    """Move a pending request to `status` once; False when it was no longer pending."""
    done = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == join_request.id, JoinRequest.status == "pending")
        .values(status=status, pending_key=None, **values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _already(join_request: JoinRequest, status: str) -> JoinRequest:
    """A request closed in the meantime: fine if as asked now (a double click), else refused."""
    db.session.rollback()
    db.session.refresh(join_request)
    if join_request.status != status:
        raise JoinRequestClosed(join_request.status)
    return join_request


def withdraw(user: User, request_id: int) -> JoinRequest:
    """The person takes back their own pending request to join."""
    join_request = find_join_request(request_id)
    if join_request is None or join_request.user_id != user.id:
        raise UnknownJoinRequest
    try:
        if not _close(join_request, "withdrawn", {}):
            return _already(join_request, "withdrawn")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return join_request


def answer(
    owner: User,
    request_id: int,
    accept: bool,
    organisation_id: int | None = None,
    then=None,
) -> JoinRequest:
    """An owner accepts (the person becomes an editor) or declines a request to join.

    UnknownJoinRequest for an id that is not a request (of `organisation_id`, when
    given); NotAllowed unless `owner` owns the request's organisation. Answering again as
    before changes nothing; answering a request closed otherwise is JoinRequestClosed.
    `then(request)` (telling the person) commits with the answer.
    """
    join_request = find_join_request(request_id)
    if join_request is None or organisation_id not in (None, join_request.organisation_id):
        raise UnknownJoinRequest
    status = "accepted" if accept else "declined"
    try:
        organisation = join_request.organisation
        _lock(organisation)
        _require_owner(organisation, owner)
        if not _close(join_request, status, {"answered_at": utcnow(), "answered_by": owner.id}):
            return _already(join_request, status)
        db.session.refresh(join_request)
        if accept:
            _join_as_editor(join_request)
        commit_with(then, join_request)
    except Exception:
        db.session.rollback()
        raise
    return join_request


def _join_as_editor(join_request: JoinRequest) -> Membership:
    """An editor's membership for the person, unless they belong already (role kept)."""
    existing = _membership_by_ids(join_request.organisation_id, join_request.user_id)
    if existing is not None:
        return existing
    membership = Membership(
        organisation_id=join_request.organisation_id, user_id=join_request.user_id, role="editor"
    )
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        # Joined in between (an invitation): the unique constraint kept it to one.
        existing = _membership_by_ids(join_request.organisation_id, join_request.user_id)
        if existing is None:
            raise
        return existing
    return membership


# --- the e-mail ------------------------------------------------------------------------


def invitation_language(email: str, fallback: str) -> str:
    """The invitee's language: their account's, else the inviter's page language."""
    account = find_by_email(email)
    saved = normalise_language(account.locale) if account is not None else None
    return saved or normalise_language(fallback) or "en"


def send_invitation(invitation: Invitation, token: str, inviter: User, fallback_lang: str) -> None:
    """E-mail the invitation link, in the invitee's language."""
    lang = invitation_language(invitation.email, fallback_lang)
    send_mail(
        invitation.email,
        "invitation",
        lang,
        organisation=invitation.organisation,
        inviter=inviter,
        link=url_for("invitations.show", lang=lang, token=token, _external=True),
        days=INVITATION_DAYS,
        has_account=find_by_email(invitation.email) is not None,
    )


# --- telling people about requests to join (nothing here commits: the services take
# these as `then`, so what they write commits with the change they report) --------------


def _tell(user: User, kind: str, join_request: JoinRequest, link: str) -> None:
    """An in-app notification and, unless the person turned it off, an e-mail."""
    name = public_name(join_request.organisation)
    data = {"request_id": join_request.id, "organisation": name, "name": join_request.user.name}
    notify(user, kind, data, link=link)
    if kind not in (user.email_off or ()):
        send_mail(
            user.email,
            kind,
            language_of(user),
            user=user,
            join_request=join_request,
            organisation=name,
            link=link,
        )


def owners_of(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, Membership.role == "owner")
            .order_by(User.id)
        )
    )


def tell_owners(join_request: JoinRequest) -> None:
    """Every owner of the organisation, in their own language: someone asks to join."""
    for owner in owners_of(join_request.organisation_id):
        link = url_for(
            "members.index",
            lang=language_of(owner),
            organisation_id=join_request.organisation_id,
            _external=True,
        )
        _tell(owner, "join_request", join_request, link)


def tell_requester(join_request: JoinRequest) -> None:
    """The person who asked, in their own language: accepted or declined."""
    user, lang = join_request.user, language_of(join_request.user)
    if join_request.status == "accepted":
        link = url_for(
            "organisations.manage",
            lang=lang,
            organisation_id=join_request.organisation_id,
            _external=True,
        )
        _tell(user, "join_accepted", join_request, link)
    elif join_request.status == "declined":
        link = url_for(
            "register.organisation",
            lang=lang,
            organisation_id=join_request.organisation_id,
            _external=True,
        )
        _tell(user, "join_declined", join_request, link)
