"""Forms of contact requests: sending one, answering one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired

from matchmaker.contacts.models import MAX_MESSAGE
from matchmaker.forms import CHOOSE_FROM_OPTIONS, Form, max_length, required
from matchmaker.organisations.forms import MultiCheckboxField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RequestForm(Form):
    sender_org = SelectField(
        _l("Send as"), coerce=int, validate_choice=True, invalid_choice_message=CHOOSE_FROM_OPTIONS
    )
    project = SelectField(_l("About the project (optional)"), coerce=int, default=0)
    message = TextAreaField(
        _l("Your message"),
        # Data, not just input, required: a message of spaces is stripped to nothing.
        validators=[DataRequired(message=required().message), max_length(MAX_MESSAGE)],
        filters=[_strip],
        description=_l("Say who you are and what you would like to do together."),
    )
    contacts = MultiCheckboxField(_l("Whom may they contact?"), coerce=int)


class AnswerForm(Form):
    reply = TextAreaField(
        _l("Reply or reason (optional)"), validators=[max_length(MAX_MESSAGE)], filters=[_strip]
    )
    contacts = MultiCheckboxField(_l("Whom may they contact?"), coerce=int)
