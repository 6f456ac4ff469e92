"""Moderators' forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField

from matchmaker import geo
from matchmaker.forms import Form, as_choices, max_length, required
from matchmaker.moderation.services import QueueFilters
from matchmaker.taxonomy.queries import tag_choices


class DecisionForm(Form):
    decision = RadioField(
        _l("Decision"),
        validators=[required()],
        choices=as_choices(
            [
                ("approve", _l("Approve and publish")),
                ("return", _l("Return to the organisation with a note")),
                ("reject", _l("Reject")),
                ("unpublish", _l("Take off the public register")),
            ]
        ),
    )
    note = TextAreaField(
        _l("Note to the organisation"),
        validators=[max_length(2000)],
        description=_l(
            "Required when returning, rejecting or unpublishing. The organisation sees it."
        ),
    )


class QueueFilterForm(Form):
    item_type = SelectField(_l("Type"), default="")
    kind = SelectField(_l("Kind of organisation"), default="")
    country = SelectField(_l("Country"), default="")
    age = SelectField(_l("Waiting for"), default="")

    def __init__(self, *args, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.item_type.choices = as_choices(
            [
                ("", _("Organisations and projects")),
                ("organisation", _("Organisations")),
                ("project", _("Projects")),
            ]
        )
        self.kind.choices = as_choices([("", _("All kinds")), *tag_choices("org_kind", lang)])
        self.country.choices = as_choices([("", _("All countries")), *geo.countries(lang)])
        self.age.choices = as_choices(
            [
                ("", _("Any time")),
                ("3", _("More than 3 days")),
                ("7", _("More than a week")),
            ]
        )

    def to_filters(self) -> QueueFilters:
        return QueueFilters(
            item_type=self.item_type.data or None,
            kind=self.kind.data or None,
            country=self.country.data or None,
            older_than_days=int(self.age.data) if self.age.data else None,
        )
