"""Account forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, validators
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, ValidationError

from matchmaker.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from matchmaker.forms import Form, email_address, max_length, required
from matchmaker.i18n import LANGUAGE_NAMES, LANGUAGES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


def new_password(label):
    return PasswordField(
        label,
        validators=[required()],
        description=_l("At least 12 characters. A few unrelated words make a strong password."),
    )


def repeat_password(label):
    return PasswordField(
        label, validators=[required(), EqualTo("password", message=_l("The two passwords differ."))]
    )


class PasswordPolicyMixin:
    """Checks the `password` field against the policy."""

    def validate_password(self, field):
        email = getattr(getattr(self, "email", None), "data", None) or ""
        problem = password_problem(field.data or "", email=email)
        if problem == "too_short":
            raise ValidationError(_("Use at least %(min)d characters.", min=MIN_LENGTH))
        if problem == "too_long":
            raise ValidationError(_("Use at most %(max)d characters.", max=MAX_LENGTH))
        if problem == "common":
            raise ValidationError(
                _("This password is too common or too easy to guess. Please choose another.")
            )


def email_field(label):
    return EmailField(
        label, validators=[required(), max_length(254), email_address()], filters=[_lower_strip]
    )


class RegisterForm(PasswordPolicyMixin, Form):
    name = StringField(_l("Your name"), validators=[required(), max_length(120)], filters=[_strip])
    email = email_field(_l("E-mail address"))
    password = new_password(_l("Password"))
    password_confirm = repeat_password(_l("Repeat the password"))


class LoginForm(Form):
    email = email_field(_l("E-mail address"))
    password = PasswordField(_l("Password"), validators=[required(), max_length(MAX_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class EmailOnlyForm(Form):
    email = email_field(_l("E-mail address"))


class ResetPasswordForm(PasswordPolicyMixin, Form):
    password = new_password(_l("New password"))
    password_confirm = repeat_password(_l("Repeat the new password"))


class ProfileForm(Form):
    name = StringField(_l("Your name"), validators=[required(), max_length(120)], filters=[_strip])
    locale = SelectField(
        _l("Preferred language"),
        choices=[
            SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LANGUAGES
        ],
        description=_l("Pages open in this language and e-mails are written in it."),
    )


class EmailChangeForm(Form):
    email = email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"), validators=[required(), max_length(MAX_LENGTH)]
    )


class PasswordChangeForm(PasswordPolicyMixin, Form):
    current_password = PasswordField(
        _l("Current password"), validators=[required(), max_length(MAX_LENGTH)]
    )
    password = new_password(_l("New password"))
    password_confirm = repeat_password(_l("Repeat the new password"))


def _phone_characters(form, field):
    allowed = set("0123456789+-() ./")
    if field.data and not set(field.data) <= allowed:
        raise ValidationError(_l("Use digits, spaces and + - ( ) only."))


class ContactDetailsForm(Form):
    """What a person shows another organisation once it accepted a contact request."""

    job_title = StringField(_l("Job title"), validators=[max_length(120)], filters=[_strip])
    phone = StringField(
        _l("Telephone"), validators=[max_length(40), _phone_characters], filters=[_strip]
    )
    share_name = BooleanField(_l("Share my name"))
    share_job_title = BooleanField(_l("Share my job title"))
    share_email = BooleanField(_l("Share my e-mail address"))
    share_phone = BooleanField(_l("Share my telephone number"))


class PasswordAgainForm(Form):
    """Asks for the password once more before handing out or erasing personal data."""

    current_password = PasswordField(
        _l("Your password"), validators=[required(), max_length(MAX_LENGTH)]
    )


class DeleteAccountForm(PasswordAgainForm):
    confirm = BooleanField(
        _l("I understand that my account and my personal data are deleted for good"),
        validators=[validators.InputRequired(message=_l("Tick the box to confirm."))],
    )


class EmailChoicesForm(Form):
    """Which notifications also come by e-mail (the in-app notification always comes)."""

    contact_request = BooleanField(_l("A new contact request to my organisation"))
    contact_accepted = BooleanField(_l("A contact request from my organisation is accepted"))
    contact_declined = BooleanField(_l("A contact request from my organisation is declined"))
    contact_reminder = BooleanField(_l("A reminder of an unanswered contact request"))
    contact_expired = BooleanField(_l("A contact request from my organisation expired"))
    moderation_decision = BooleanField(_l("A moderator's decision about my organisation"))
    join_request = BooleanField(_l("Someone asks to join my organisation"))


class SecondStepForm(Form):
    """The second step of signing in: a code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[required(), max_length(32)],
        filters=[_strip],
        description=_l(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
    )


class EnableTwoFactorForm(PasswordAgainForm):
    code = StringField(
        _l("Code from the app"),
        validators=[required(), max_length(32)],
        filters=[_strip],
        description=_l("After scanning, the app shows a 6-digit code. Type it here."),
    )
