"""The base form: every message, WTForms' own included, comes from our catalogues.

WTForms ships no Danish catalogue, so its built-in messages are listed in
`wtforms_messages.py` and translated with the rest of the app.
"""

from __future__ import annotations

import flask_babel
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import validators
from wtforms.fields.choices import SelectChoice

CSRF_FAILED = _l("This form has expired or was sent from another page. Please try again.")


class _CatalogueTranslations:
    """Raw catalogue look-ups: WTForms fills in its own %(placeholders)s afterwards."""

    def gettext(self, string: str) -> str:
        return flask_babel.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return flask_babel.get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            csrf_field.errors = [str(CSRF_FAILED)]
        return valid


CHOOSE_FROM_OPTIONS = _l("Choose only from the options shown.")


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def required():
    return validators.InputRequired(message=_l("This field is required."))


def max_length(limit: int):
    return validators.Length(max=limit, message=_l("Use at most %(max)d characters."))


def email_address():
    return validators.Email(
        message=_l("Enter a valid e-mail address, like name@example.org."),
        check_deliverability=False,
    )


def tag_suggestions(plan) -> list[tuple[object, list[tuple[str, str]]]]:
    """For a form's tag fields, the tags their texts point to and that are not ticked
    yet: `plan` holds (checkbox field, {lang: text}, vocabulary); the result
    (field, [(checkbox id, label)]) for the fields with any."""
    from matchmaker.taxonomy.suggest import suggest  # the taxonomy loads on first use

    groups = []
    for field, texts, vocabulary in plan:
        options = {option.data: (option.id, option.label.text) for option in field}
        chosen = set(field.data or [])
        found = [
            options[code]
            for code in suggest(texts, (vocabulary,))
            if code in options and code not in chosen
        ]
        if found:
            groups.append((field, found))
    return groups
