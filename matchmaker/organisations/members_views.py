"""The members page of an organisation, and the invitation links sent by e-mail.

`bp` lives under `/<lang>/my/organisations/<organisation_id>/members`: members see who
belongs; owners invite editors, answer requests to join, remove members, withdraw
invitations and hand over ownership; anyone may leave. `invitations_bp` lives under `/<lang>/invitations` and
opens the link from the e-mail, for visitors with or without an account.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from matchmaker.accounts.forms import email_field
from matchmaker.extensions import limiter
from matchmaker.forms import Form
from matchmaker.i18n import current_language
from matchmaker.organisations import members
from matchmaker.organisations.models import Invitation, Organisation
from matchmaker.organisations.services import member_organisation
from matchmaker.web import redirect_to, render

bp = Blueprint("members", __name__)
invitations_bp = Blueprint("invitations", __name__)

TEMPLATE = "organisations/members.html"


class InviteForm(Form):
    email = email_field(_l("E-mail address"))


def _limit_mail():
    return limiter.limit(
        lambda: current_app.config.get("RATELIMIT_MAIL", "5 per minute"), methods=["POST"]
    )


# --- the members page --------------------------------------------------------------------


@bp.before_request
@login_required
def _signed_in_only():
    """Every page here is for signed-in members."""


def _organisation_or_404(organisation_id: int) -> Organisation:
    org = member_organisation(current_user, organisation_id)
    if org is None:
        abort(404)
    return org


def _owner_only(org: Organisation) -> None:
    """Editors see the page but may not manage others: 403."""
    if members.role_of(org, current_user) != "owner":
        abort(403)


def _back(org: Organisation):
    return redirect_to(url_for("members.index", organisation_id=org.id))


def _page(org: Organisation, form: InviteForm | None = None, status: int = 200, block=None):
    role = members.role_of(org, current_user)
    is_owner = role == "owner"
    memberships = members.members_of(org)
    return render(
        TEMPLATE,
        block=block,
        status=status,
        page="members",
        org=org,
        role=role,
        is_owner=is_owner,
        memberships=memberships,
        owner_count=sum(1 for m in memberships if m.role == "owner"),
        invitations=members.open_invitations(org) if is_owner else [],
        join_requests=members.join_requests_of(org) if is_owner else [],
        form=form or InviteForm(formdata=None),
        days=members.INVITATION_DAYS,
    )


@bp.route("")
def index(organisation_id: int):
    return _page(_organisation_or_404(organisation_id))


@bp.route("/invite", methods=["POST"])
@_limit_mail()
def invite(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    _owner_only(org)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            lang, inviter = current_language(), current_user._get_current_object()
            invitation, _token = members.invite(
                org,
                inviter,
                form.email.data,
                then=lambda invitation, token: members.send_invitation(
                    invitation, token, inviter, lang
                ),
            )
        except members.NotAllowed:
            abort(403)
        except members.AlreadyMember:
            form.email.errors.append(_("This person is already a member of the organisation."))
        else:
            flash(_("We have sent an invitation to %(email)s.", email=invitation.email), "success")
            return _back(org)
    return _page(org, form=form, status=422, block="invite_form_block")


@bp.route("/<int:membership_id>/remove", methods=["POST"])
def remove(organisation_id: int, membership_id: int):
    """Remove a member (owners only), or leave the organisation (one's own membership)."""
    org = _organisation_or_404(organisation_id)
    target = members.find_member(org, membership_id)
    if target is None:
        abort(404)
    name, leaving = target.user.name, target.user_id == current_user.id
    try:
        members.remove_member(org, current_user, membership_id)
    except members.UnknownMember:
        abort(404)
    except members.NotAllowed:
        abort(403)
    except members.LastOwner:
        flash(
            _(
                "An organisation needs an owner. Hand over ownership to another member "
                "before you leave."
            )
            if leaving
            else _("The last owner of an organisation cannot be removed."),
            "error",
        )
        return _back(org)
    if leaving:
        flash(_("You have left %(organisation)s.", organisation=org.name), "success")
        return redirect_to(url_for("organisations.mine"))
    flash(
        _("%(name)s is no longer a member of %(organisation)s.", name=name, organisation=org.name),
        "success",
    )
    return _back(org)


@bp.route("/<int:membership_id>/hand-over", methods=["POST"])
def hand_over(organisation_id: int, membership_id: int):
    """The owner makes an editor the owner and becomes an editor."""
    org = _organisation_or_404(organisation_id)
    _owner_only(org)
    try:
        target = members.hand_over(org, current_user, membership_id)
    except members.UnknownMember:
        abort(404)
    except members.NotAllowed:
        abort(403)
    except members.NotAnEditor:
        flash(_("Ownership can only be handed over to an editor."), "error")
        return _back(org)
    flash(
        _(
            "%(name)s is now the owner of %(organisation)s. You are an editor.",
            name=target.user.name,
            organisation=org.name,
        ),
        "success",
    )
    return _back(org)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
def revoke(organisation_id: int, invitation_id: int):
    org = _organisation_or_404(organisation_id)
    _owner_only(org)
    try:
        email = members.revoke_invitation(org, current_user, invitation_id)
    except members.UnknownInvitation:
        abort(404)
    except members.NotAllowed:
        abort(403)
    flash(_("The invitation to %(email)s is withdrawn.", email=email), "success")
    return _back(org)


@bp.route("/requests/<int:request_id>/<any(accept, decline):decision>", methods=["POST"])
def answer_request(organisation_id: int, request_id: int, decision: str):
    """An owner accepts (the person becomes an editor) or declines a request to join."""
    org = _organisation_or_404(organisation_id)
    _owner_only(org)
    try:
        join_request = members.answer(
            current_user,
            request_id,
            decision == "accept",
            organisation_id=org.id,
            then=members.tell_requester,
        )
    except members.UnknownJoinRequest:
        abort(404)
    except members.NotAllowed:
        abort(403)
    except members.JoinRequestClosed:
        flash(_("This request to join has already been answered or withdrawn."), "info")
        return _back(org)
    name = join_request.user.name
    if join_request.status == "accepted":
        flash(
            _("%(name)s is now an editor of %(organisation)s.", name=name, organisation=org.name),
            "success",
        )
    else:
        flash(_("You declined the request to join from %(name)s.", name=name), "success")
    return _back(org)


# --- the link in the invitation e-mail ----------------------------------------------------


def _invitation_page(invitation: Invitation | None, state: str, status: int = 200, **context):
    return render(
        TEMPLATE, status=status, page="invitation", state=state, invitation=invitation, **context
    )


def _refused(reason: str):
    """A link that cannot be used: say why, change nothing."""
    messages = {
        "unknown": _(
            "This invitation link is not valid. It may be incomplete, or the invitation "
            "has been withdrawn or replaced by a newer one."
        ),
        "expired": _(
            "This invitation has expired. Please ask the organisation's owner to invite you again."
        ),
        "used": _("This invitation has already been used."),
    }
    status = 404 if reason == "unknown" else 410
    return _invitation_page(None, "invalid", status=status, message=messages[reason])


@invitations_bp.route("/<token>")
def show(token: str):
    try:
        invitation = members.find_invitation(token)
    except members.InvitationInvalid as error:
        return _refused(error.reason)
    state = members.invitation_state(invitation)
    if state != "open":
        if (
            state == "used"
            and current_user.is_authenticated
            and invitation.accepted_by_id == current_user.id
            and members.role_of(invitation.organisation, current_user) is not None
        ):
            # The user's own link, opened again: take them to the organisation.
            return redirect_to(
                url_for("organisations.manage", organisation_id=invitation.organisation_id)
            )
        return _refused(state)
    if not current_user.is_authenticated:
        return _invitation_page(
            invitation,
            "anonymous",
            login_url=url_for("accounts.login", next=request.path),
            register_url=url_for("accounts.register"),
        )
    if not members.is_addressed_to(invitation, current_user):
        return _invitation_page(invitation, "other_address")
    return _invitation_page(
        invitation,
        "ready",
        token=token,
        already_member=members.role_of(invitation.organisation, current_user) is not None,
    )


@invitations_bp.route("/<token>", methods=["POST"])
@login_required
def accept(token: str):
    try:
        membership = members.accept(token, current_user)
    except members.InvitationInvalid as error:
        return _refused(error.reason)
    except members.InvitationForAnotherAddress:
        return _invitation_page(members.find_invitation(token), "other_address", status=403)
    flash(
        _(
            "Welcome to %(organisation)s. You are now one of its members.",
            organisation=membership.organisation.name,
        ),
        "success",
    )
    return redirect_to(url_for("organisations.manage", organisation_id=membership.organisation_id))
