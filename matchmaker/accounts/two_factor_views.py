"""Turning two-step sign-in on and off, and new recovery codes; each asks for the password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from matchmaker.accounts import emails, security_log, services, twofactor
from matchmaker.accounts.forms import EnableTwoFactorForm, PasswordAgainForm
from matchmaker.web import redirect_to, render

bp = Blueprint("two_factor", __name__)


def _wrong_password() -> str:
    return _("The password is wrong.")


def _page(status: int = 200, **forms):
    user = current_user
    context = {
        "required": twofactor.is_required(user),
        "codes_left": twofactor.unused_recovery_codes(user) if user.has_two_factor else 0,
    }
    if user.has_two_factor:
        forms.setdefault("codes_form", PasswordAgainForm(formdata=None, prefix="codes"))
        forms.setdefault("off_form", PasswordAgainForm(formdata=None, prefix="off"))
    else:
        secret = twofactor.pending_secret(user)
        uri = twofactor.setup_uri(secret, user.email)
        context["qr_code"] = twofactor.qr_code_svg(uri, _("QR code for your authenticator app"))
        context["secret"] = twofactor.grouped(secret)
        forms.setdefault("enable_form", EnableTwoFactorForm(formdata=None, prefix="on"))
    return render("accounts/two_factor.html", status=status, **context, **forms)


def _end_other_sessions() -> None:
    """A change to how the account signs in logs out every other device; this one stays."""
    user = current_user._get_current_object()
    services.end_all_sessions(user)
    login_user(user)


def _told(turned_on: bool):
    """What turning it on or off causes, committed with the change: the security event
    and the e-mail to the address (in case it was not them)."""

    def tell(user) -> None:
        security_log.record("two_factor_on" if turned_on else "two_factor_off", user)
        emails.send_two_factor_changed(user, turned_on=turned_on)

    return tell


def _codes_page(codes: list[str]):
    return render("accounts/recovery_codes.html", codes=codes)


@bp.route("/")
@login_required
def settings():
    return _page()


@bp.route("/on", methods=["POST"])
@login_required
def enable():
    if current_user.has_two_factor:
        return redirect_to(url_for("two_factor.settings"))
    form = EnableTwoFactorForm(prefix="on")
    if form.validate_on_submit():
        try:
            services.check_password(current_user, form.current_password.data)
            codes = twofactor.enable(current_user, form.code.data, then=_told(turned_on=True))
        except services.WrongPassword:
            form.current_password.errors.append(_wrong_password())
        except twofactor.WrongCode:
            form.code.errors.append(
                _(
                    "This code is not right. Scan the QR code again, check that the time on your phone is correct, and type the code the app shows now."
                )
            )
        else:
            _end_other_sessions()
            flash(_("Two-step sign-in is on."), "success")
            return _codes_page(codes)
    return _page(422, enable_form=form)


@bp.route("/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    if not current_user.has_two_factor:
        abort(404)
    form = PasswordAgainForm(prefix="codes")
    if form.validate_on_submit():
        try:
            services.check_password(current_user, form.current_password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_wrong_password())
        else:
            flash(_("Your new recovery codes are ready. The old ones no longer work."), "success")
            return _codes_page(twofactor.replace_recovery_codes(current_user))
    return _page(422, codes_form=form)


@bp.route("/off", methods=["POST"])
@login_required
def disable():
    if not current_user.has_two_factor:
        return redirect_to(url_for("two_factor.settings"))
    form = PasswordAgainForm(prefix="off")
    if twofactor.is_required(current_user):
        form.validate_on_submit()
        form.current_password.errors = [_("Moderators and admins must keep two-step sign-in on.")]
    elif form.validate_on_submit():
        try:
            services.check_password(current_user, form.current_password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_wrong_password())
        else:
            twofactor.disable(current_user, then=_told(turned_on=False))
            _end_other_sessions()
            flash(_("Two-step sign-in is off."), "success")
            return redirect_to(url_for("two_factor.settings"))
    return _page(422, off_form=form)
