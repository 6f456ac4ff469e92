"""WTForms' built-in messages come from our catalogues: Danish forms speak Danish too."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length

from matchmaker.forms import Form


class SampleForm(Form):
    class Meta:
        csrf = False

    name = StringField("name", validators=[InputRequired(), Length(min=3, max=5)])
    size = IntegerField("size")


@pytest.mark.parametrize("lang", ["pl", "da", "nb"])
def test_wtforms_default_messages_are_translated(app, lang):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(), force_locale(lang):
        missing = SampleForm(formdata=MultiDict({"size": "1"}))
        missing.validate()
        long_name = SampleForm(formdata=MultiDict({"name": "abcdefgh", "size": "x"}))
        long_name.validate()
    assert missing.name.errors and missing.name.errors[0] != "This field is required."
    assert long_name.name.errors[0] != "Field must be between 3 and 5 characters long."
    assert "3" in long_name.name.errors[0] and "5" in long_name.name.errors[0]
    assert long_name.size.errors[0] != "Not a valid integer value."
