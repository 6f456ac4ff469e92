"""Account pages: parse the form, call one service, render or redirect."""

from __future__ import annotations

import json
import time

from flask import Blueprint, Response, current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.accounts import data, emails, security_log, services, throttle, twofactor
from matchmaker.accounts.forms import (
    ContactDetailsForm,
    DeleteAccountForm,
    EmailChangeForm,
    EmailChoicesForm,
    EmailOnlyForm,
    LoginForm,
    PasswordAgainForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    SecondStepForm,
)
from matchmaker.accounts.models import EMAIL_KINDS, User
from matchmaker.accounts.tokens import TokenError
from matchmaker.extensions import db, limiter
from matchmaker.i18n import current_language, in_language, language_of
from matchmaker.web import redirect_to, render, safe_path

# The session key of the address just confirmed, to fill in the login form with.
LOGIN_EMAIL = "login_email"

bp = Blueprint("accounts", __name__)

# Between a right password and the second step: whose, since when, "keep me signed in".
PENDING_SIGN_IN = "pending_sign_in"
PENDING_SECONDS = 5 * 60


def _limit(setting: str):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def _limit_failures(setting: str):
    """A limit on failed attempts only (a refused form), so that many people behind one
    address can still do the same right thing."""
    return limiter.limit(
        lambda: current_app.config[setting],
        methods=["POST"],
        deduct_when=lambda response: response.status_code >= 400,
    )


def _token_problem(error: TokenError) -> str:
    if error.reason == "expired":
        return _("This link has expired. Please ask for a new one.")
    return _("This link is not valid or has already been used.")


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect_to(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register(
                form.email.data,
                form.name.data,
                form.password.data,
                current_language(),
                then=emails.send_confirmation,
            )
        except services.EmailTaken:
            # Same answer as for a new address; the owner of the address is told instead.
            existing = services.find_by_email(form.email.data)
            if existing is not None:
                emails.send_already_registered(existing)
        return redirect_to(url_for("accounts.check_inbox", email=form.email.data))
    status = 422 if form.errors else 200
    return render("accounts/register.html", block="form", status=status, form=form)


@bp.route("/check-your-inbox")
def check_inbox():
    return render("accounts/check_inbox.html", email=request.args.get("email", "")[:254])


@bp.route("/confirm/<token>")
def confirm(token: str):
    try:
        payload = emails.read_confirmation(token)
    except TokenError as error:
        flash(_token_problem(error), "error")
        return redirect_to(url_for("accounts.resend_confirmation"))
    user = services.confirm_email(payload.get("uid", 0), payload.get("email", ""))
    if user is None:
        flash(_("This link is not valid or has already been used."), "error")
        return redirect_to(url_for("accounts.resend_confirmation"))
    flash(_("Your e-mail address is confirmed. You can now log in."), "success")
    session[LOGIN_EMAIL] = user.email  # the login form comes filled in with it
    return redirect_to(url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@_limit("RATELIMIT_MAIL")
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and not user.is_confirmed:
            emails.send_confirmation(user)
        return redirect_to(url_for("accounts.check_inbox", email=form.email.data))
    status = 422 if form.errors else 200
    return render("accounts/resend_confirmation.html", block="form", status=status, form=form)


@bp.route("/login", methods=["GET", "POST"])
@_limit_failures("RATELIMIT_LOGIN")
def login():
    next_url = safe_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect_to(next_url or url_for("core.home"))
    form = LoginForm()
    if request.method == "GET" and not form.email.data:
        form.email.data = session.get(LOGIN_EMAIL)
    status = 200
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.email.data, form.password.data)
        except services.TooManyFailures as error:
            form.email.errors.append(_too_many_failures(error.minutes))
            status = 429
        except services.InvalidCredentials:
            form.password.errors.append(_("The e-mail address or the password is wrong."))
        except services.NotConfirmed:
            form.email.errors.append(
                _("Please confirm your e-mail address first: use the link we sent you.")
            )
        except services.Suspended:
            form.email.errors.append(
                _(
                    "This account has been suspended by a moderator. Write to the platform's team if you think this is a mistake."
                )
            )
        else:
            if user.has_two_factor:
                session[PENDING_SIGN_IN] = {
                    "uid": user.id,
                    "version": user.session_version,
                    "at": time.time(),
                    "remember": bool(form.remember.data),
                }
                return redirect_to(url_for("accounts.second_step", next=next_url))
            return _complete_sign_in(user, form.remember.data, next_url)
    status = 422 if form.errors and status == 200 else status
    return render("accounts/login.html", block="form", status=status, form=form)


def _too_many_failures(minutes: int) -> str:
    return ngettext(
        "Too many wrong attempts for this account. Try again in %(num)d minute, or choose a new password with “Forgot your password?”.",
        "Too many wrong attempts for this account. Try again in %(num)d minutes, or choose a new password with “Forgot your password?”.",
        minutes,
    )


def _pending_user():
    """The account whose password was right a moment ago and which still owes a code."""
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or user.session_version != pending.get("version"):
        return None
    if user.suspended_at is not None or not user.has_two_factor:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@_limit_failures("RATELIMIT_LOGIN")
def second_step():
    next_url = safe_path(request.args.get("next"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING_SIGN_IN, None)
        flash(_("Your sign-in has expired. Please log in again."), "info")
        return redirect_to(url_for("accounts.login", next=next_url))
    form = SecondStepForm()
    status = 200
    if form.validate_on_submit():
        if throttle.is_blocked(user.email):
            session.pop(PENDING_SIGN_IN, None)
            flash(_too_many_failures(throttle.minutes_blocked(user.email)), "error")
            return redirect_to(url_for("accounts.login", next=next_url))
        try:
            kind = twofactor.check(user, form.code.data)
        except twofactor.WrongCode:
            services.count_failure(user.email, "second_step_failed")
            form.code.errors.append(
                _(
                    "This code is not right. Check that the time on your phone is correct, or use one of your recovery codes."
                )
            )
        else:
            remember = session.pop(PENDING_SIGN_IN)["remember"]
            if kind == "recovery":
                security_log.record("recovery_code_used", user)
                left = twofactor.unused_recovery_codes(user)
                flash(
                    ngettext(
                        "You signed in with a recovery code, which now no longer works. %(num)d recovery code is left.",
                        "You signed in with a recovery code, which now no longer works. %(num)d recovery codes are left.",
                        left,
                    ),
                    "warning",
                )
            return _complete_sign_in(user, remember, next_url, method=kind)
    status = 422 if form.errors else status
    return render("accounts/second_step.html", block="form", status=status, form=form)


def _complete_sign_in(user: User, remember: bool, next_url: str | None, method="password"):
    throttle.forget_failures(user.email)
    login_user(user, remember=remember)
    security_log.record("sign_in", user, method=method)
    services.record_login(user)
    session.pop(LOGIN_EMAIL, None)
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    if twofactor.is_required(user) and not user.has_two_factor:
        return redirect_to(url_for("two_factor.settings"))
    # The first sign-in begins the guided first steps (if any are left for this person).
    first = "onboarding.start" if user.previous_login_at is None else "core.home"
    return redirect_to(next_url or url_for(first, lang=language_of(user)))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user)
    logout_user()
    flash(_("You have logged out."), "success")
    return redirect_to(url_for("core.home"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RATELIMIT_MAIL")
def reset_request():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None:
            emails.send_reset(user)
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new "
                "password. The link works once and expires soon.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect_to(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render("accounts/reset_request.html", block="form", status=status, form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@_limit_failures("RATELIMIT_LOGIN")
def reset_password(token: str):
    try:
        user = emails.reset_token_user(emails.read_reset(token))
    except TokenError as error:
        flash(_token_problem(error), "error")
        return redirect_to(url_for("accounts.reset_request"))
    if user is None:
        flash(_("This link is not valid or has already been used."), "error")
        return redirect_to(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        logout_user()
        flash(_("Your password has been changed. Please log in with the new one."), "success")
        return redirect_to(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render("accounts/reset_password.html", block="form", status=status, form=form)


def _settings(status: int = 200, block: str | None = None, **forms):
    forms.setdefault(
        "profile_form",
        ProfileForm(formdata=None, name=current_user.name, locale=current_user.locale),
    )
    forms.setdefault("email_form", EmailChangeForm(formdata=None))
    forms.setdefault("password_form", PasswordChangeForm(formdata=None))
    forms.setdefault(
        "emails_form",
        EmailChoicesForm(
            formdata=None,
            **{kind: kind not in (current_user.email_off or ()) for kind in EMAIL_KINDS},
        ),
    )
    forms.setdefault(
        "contact_form",
        ContactDetailsForm(
            formdata=None,
            **{name: getattr(current_user, name) for name in services.CONTACT_FIELDS},
        ),
    )
    return render("accounts/settings.html", block=block, status=status, **forms)


@bp.route("/settings")
@login_required
def settings():
    return _settings()


@bp.route("/settings/profile", methods=["POST"])
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        services.update_profile(current_user, form.name.data, form.locale.data)
        with in_language(form.locale.data):  # the next page is in the chosen language
            flash(_("Your settings are saved."), "success")
        return redirect_to(url_for("accounts.settings", lang=form.locale.data))
    return _settings(422, "profile_form_block", profile_form=form)


@bp.route("/settings/emails", methods=["POST"])
@login_required
def update_emails():
    form = EmailChoicesForm()
    if form.validate_on_submit():
        services.set_email_off(
            current_user, {kind for kind in EMAIL_KINDS if getattr(form, kind).data}
        )
        flash(_("Your e-mail choices are saved."), "success")
        return redirect_to(url_for("accounts.settings"))
    return _settings(422, "emails_form_block", emails_form=form)


@bp.route("/settings/contact", methods=["POST"])
@login_required
def update_contact_details():
    form = ContactDetailsForm()
    if form.validate_on_submit():
        services.update_contact_details(
            current_user, **{name: getattr(form, name).data for name in services.CONTACT_FIELDS}
        )
        flash(_("Your contact details are saved."), "success")
        return redirect_to(url_for("accounts.settings"))
    return _settings(422, "contact_form_block", contact_form=form)


def _data_page(status: int = 200, **forms):
    forms.setdefault("export_form", PasswordAgainForm(formdata=None, prefix="export"))
    forms.setdefault("delete_form", DeleteAccountForm(formdata=None, prefix="delete"))
    return render(
        "accounts/data.html", status=status, sole_owned=data.sole_owned(current_user), **forms
    )


@bp.route("/your-data")
@login_required
def your_data():
    return _data_page()


@bp.route("/your-data/export", methods=["POST"])
@login_required
@_limit_failures("RATELIMIT_LOGIN")
def export_data():
    form = PasswordAgainForm(prefix="export")
    if form.validate_on_submit():
        try:
            data.check_password(current_user, form.current_password.data)
        except data.WrongPassword:
            form.current_password.errors.append(_("The password is wrong."))
        else:
            body = json.dumps(data.export(current_user), ensure_ascii=False, indent=2)
            response = Response(body, mimetype="application/json")
            response.headers["Content-Disposition"] = (
                'attachment; filename="matchmaker-my-data.json"'
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return _data_page(422, export_form=form)


@bp.route("/your-data/delete", methods=["POST"])
@login_required
@_limit_failures("RATELIMIT_LOGIN")
def delete_account():
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        try:
            data.delete_account(current_user, form.current_password.data)
        except data.WrongPassword:
            form.current_password.errors.append(_("The password is wrong."))
        except data.StillOwner:
            flash(_("Hand over or delete the organisations listed below first."), "error")
        else:
            logout_user()
            flash(_("Your account and your personal data have been deleted."), "success")
            return redirect_to(url_for("core.home"))
    return _data_page(422, delete_form=form)


@bp.route("/settings/email", methods=["POST"])
@login_required
@_limit("RATELIMIT_MAIL")
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            new_email = services.check_email_change(
                current_user, form.current_password.data, form.email.data
            )
        except services.WrongPassword:
            form.current_password.errors.append(_("The password is wrong."))
        except services.EmailTaken:
            form.email.errors.append(_("Another account already uses this address."))
        else:
            emails.send_email_change(current_user, new_email)
            flash(
                _(
                    "We have sent a link to %(email)s. Your address changes when you open it.",
                    email=new_email,
                ),
                "info",
            )
            return redirect_to(url_for("accounts.settings"))
    return _settings(422, "email_form_block", email_form=form)


@bp.route("/email/<token>")
def confirm_email_change(token: str):
    try:
        payload = emails.read_email_change(token)
    except TokenError as error:
        flash(_token_problem(error), "error")
        return redirect_to(url_for("core.home"))
    try:
        user = services.apply_email_change(
            payload.get("uid", 0), payload.get("old", ""), payload.get("new", "")
        )
    except services.EmailTaken:
        user = None
    if user is None:
        flash(_("This link is not valid or has already been used."), "error")
        return redirect_to(url_for("core.home"))
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    target = "accounts.settings" if current_user.is_authenticated else "accounts.login"
    return redirect_to(url_for(target))


@bp.route("/settings/password", methods=["POST"])
@login_required
@_limit_failures("RATELIMIT_LOGIN")
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("The password is wrong."))
        else:
            # Other devices are logged out; this one stays signed in with the new version.
            login_user(current_user._get_current_object())
            flash(
                _("Your password has been changed. Other devices have been logged out."), "success"
            )
            return redirect_to(url_for("accounts.settings"))
    return _settings(422, "password_form_block", password_form=form)
