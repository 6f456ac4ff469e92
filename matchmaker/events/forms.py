"""Forms of events: the organiser's event form, the sign-up form, messages to participants."""

from __future__ import annotations

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from matchmaker import geo
from matchmaker.accounts.models import utcnow
from matchmaker.events import questions as question_rules
from matchmaker.events import times
from matchmaker.events.models import KINDS, MAX_CAPACITY, MAX_OFFER_HOURS, TEXT_FIELDS
from matchmaker.events.services import EventInput
from matchmaker.forms import (
    CHOOSE_FROM_OPTIONS,
    Form,
    WebAddressField,
    as_choices,
    max_length,
    required,
)
from matchmaker.i18n import LANGUAGE_NAMES, LANGUAGES
from matchmaker.organisations.forms import (
    DESCRIPTION_LIMIT,
    WORKING_LANGUAGES,
    MultiCheckboxField,
    _strip,
)
from matchmaker.taxonomy.queries import tag_choices

TITLE_LIMIT = 150
PROGRAMME_LIMIT = 5000
MESSAGE_LIMIT = 5000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]

KIND_LABELS = {
    "study_visit": _l("Study visit"),
    "matchmaking": _l("Matchmaking event"),
    "conference": _l("Conference or workshop"),
}
STATUS_LABELS = {
    "confirmed": _l("Confirmed"),
    "offered": _l("Seat offered"),
    "waiting": _l("Waiting list"),
    "cancelled": _l("Cancelled"),
    "removed": _l("Removed"),
    "lapsed": _l("Offer lapsed"),
}
QUESTION_ERRORS = {
    "too_many": _l("Ask at most 5 questions."),
    "too_long": _l("Use at most 200 characters for each question and choice."),
    "too_few_options": _l("A question with choices needs at least two, separated by |."),
    "too_many_options": _l("Give at most 10 choices for a question."),
    "empty_label": _l("Write each question before its choices, as in: Lunch | Meat | Fish"),
    "duplicate_option": _l("Give each choice of a question only once."),
    "duplicate_question": _l("Ask each question only once."),
    "original_missing": _l(
        "Write the questions in the language you write in first as well: "
        "the other languages translate them."
    ),
}


def _questions_field():
    return TextAreaField(
        _l("Sign-up questions (optional)"),
        validators=[max_length(question_rules.MAX_TEXT)],
        filters=[_strip],
    )


def _when(label):
    return DateTimeLocalField(label, format=DATETIME_FORMATS, validators=[required()])


class EventTextForm(Form):
    class Meta:
        csrf = False

    title = StringField(_l("Title"), validators=[max_length(TITLE_LIMIT)], filters=[_strip])
    description = TextAreaField(
        _l("Description"), validators=[max_length(DESCRIPTION_LIMIT)], filters=[_strip]
    )
    programme = TextAreaField(
        _l("Programme"), validators=[max_length(PROGRAMME_LIMIT)], filters=[_strip]
    )


class EventForm(Form):
    revision = HiddenField()
    kind = SelectField(_l("Kind of event"), validators=[required()])
    original_language = SelectField(
        _l("Language you write in first"),
        description=_l("Readers see this version when their own language is missing."),
    )
    texts_pl = FormField(EventTextForm)
    texts_en = FormField(EventTextForm)
    texts_da = FormField(EventTextForm)
    texts_nb = FormField(EventTextForm)
    co_hosts = MultiCheckboxField(_l("Co-hosts"), coerce=int)

    online = BooleanField(_l("Online event"))
    venue = StringField(_l("Venue"), validators=[max_length(200)], filters=[_strip])
    address = StringField(_l("Address"), validators=[max_length(300)], filters=[_strip])
    city = StringField(_l("City"), validators=[max_length(120)], filters=[_strip])
    country = SelectField(_l("Country"), validators=[Optional()])
    online_url = WebAddressField(
        _l("Address of the online meeting (optional)"),
        max_length=300,
        description=_l("Shown to confirmed participants only."),
    )
    timezone = SelectField(
        _l("Time zone of the place"),
        validators=[required()],
        description=_l("Times are entered and shown in this time zone."),
    )
    starts_at = _when(_l("Starts"))
    ends_at = _when(_l("Ends"))
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens (optional)"), format=DATETIME_FORMATS, validators=[Optional()]
    )
    registration_deadline = _when(_l("Registration deadline"))
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            required(),
            NumberRange(min=1, max=MAX_CAPACITY, message=_l("Enter between 1 and 10,000 seats.")),
        ],
    )
    waiting_list = BooleanField(_l("Keep a waiting list when the seats are taken"))
    offer_hours = IntegerField(
        _l("Hours to confirm a seat offered from the waiting list"),
        default=0,
        description=_l(
            "When a seat frees up, the first person in line is offered it and has this many "
            "hours to confirm; then it goes to the next. 0: the seat is theirs at once."
        ),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_OFFER_HOURS,
                message=_l("Enter between 0 and 168 hours (a week)."),
            ),
        ],
    )
    max_per_organisation = IntegerField(
        _l("Seats per organisation (optional)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_CAPACITY, message=_l("Enter 1 or more.")),
        ],
    )
    languages = MultiCheckboxField(_l("Working languages"))
    audience_kinds = MultiCheckboxField(_l("Who the event is for"))
    audience_countries = SelectMultipleField(
        _l("Participants from these countries (none chosen: from anywhere)"),
        invalid_choice_message=CHOOSE_FROM_OPTIONS,
    )
    categories = MultiCheckboxField(_l("Innovation categories"))
    # The same questions in each language the event is written in (`questions.compose`).
    questions_pl = _questions_field()
    questions_en = _questions_field()
    questions_da = _questions_field()
    questions_nb = _questions_field()

    def __init__(self, *args, lang: str, hosts=(), creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lang = lang
        self.creating = creating
        self.kind.choices = as_choices([("", _("Choose…")), *[(k, KIND_LABELS[k]) for k in KINDS]])
        self.original_language.choices = as_choices(
            [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
        )
        countries = geo.countries(lang)
        self.country.choices = as_choices([("", _("Choose…")), *countries])
        self.audience_countries.choices = as_choices(countries)
        self.timezone.choices = as_choices([("", _("Choose…")), *times.zone_choices_in(lang)])
        names = Locale(lang).languages
        self.languages.choices = as_choices(
            [(code, names.get(code, code)) for code in WORKING_LANGUAGES]
        )
        self.audience_kinds.choices = as_choices(tag_choices("org_kind", lang))
        self.categories.choices = as_choices(tag_choices("category", lang))
        self.co_hosts.choices = [(org.id, org.name) for org in hosts]

    def text_forms(self):
        return [(code, getattr(self, f"texts_{code}")) for code in LANGUAGES]

    def question_fields(self):
        return [(code, getattr(self, f"questions_{code}")) for code in LANGUAGES]

    def question_columns(self):
        """(the languages offered for the questions, the others): the language written
        first, then those the event or its questions are written in."""
        first = self.original_language.data
        offered, others = [], []
        for code, questions in self.question_fields():
            titled = getattr(self, f"texts_{code}").form.title.data
            (offered if code == first or titled or questions.data else others).append(
                (code, questions)
            )
        offered.sort(key=lambda pair: pair[0] != first)
        return offered, others

    def validate_timezone(self, field):
        if not times.is_zone(field.data):
            raise ValidationError(_("Choose a time zone from the list."))

    def validate_country(self, field):
        if not self.online.data and not field.data:
            raise ValidationError(_("Choose the country where the event takes place."))

    def validate_city(self, field):
        if not self.online.data and not field.data:
            raise ValidationError(_("Give the city where the event takes place."))

    def validate_starts_at(self, field):
        zone = self.timezone.data
        if not (self.creating and field.data and times.is_zone(zone)):
            return
        if times.to_utc(field.data, zone) <= utcnow():
            raise ValidationError(_("The event must start in the future."))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("The end must come after the start."))

    def validate_registration_deadline(self, field):
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_("The registration deadline must not be after the start."))

    def validate_registration_opens_at(self, field):
        deadline = self.registration_deadline.data
        if field.data and deadline and field.data >= deadline:
            raise ValidationError(_("Registration must open before the deadline."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        titled = self._original_title_written()
        return self._questions_agree() and titled and valid

    def _question_texts(self) -> dict[str, str]:
        return {code: field.data or "" for code, field in self.question_fields()}

    def _questions_agree(self) -> bool:
        """Each language's questions are well formed, and the languages ask the same."""
        fields = dict(self.question_fields())
        for field in fields.values():
            if field.errors:
                continue
            try:
                question_rules.parse(field.data)
            except question_rules.QuestionError as error:
                field.errors = [*field.errors, self._question_error(error)]
        if any(field.errors for field in fields.values()):
            return False
        if self.original_language.data not in fields:
            return True  # the choice of language has its own error
        try:
            question_rules.compose(self._question_texts(), self.original_language.data)
        except question_rules.QuestionError as error:
            field = fields[error.lang]
            field.errors = [*field.errors, self._question_error(error)]
            return False
        return True

    def _question_error(self, error: question_rules.QuestionError) -> str:
        if error.code == "mismatch":
            first = self.original_language.data
            language = Locale(self.lang).languages.get(first, LANGUAGE_NAMES.get(first, first))
            return _(
                "Ask the same questions as in %(language)s, in the same order and with the "
                "same number of choices.",
                language=language,
            )
        return str(QUESTION_ERRORS[error.code])

    def _original_title_written(self) -> bool:
        sub = getattr(self, f"texts_{self.original_language.data}", None)
        if sub is None:
            return True
        missing = [sub.form[name] for name in ("title", "description") if not sub.form[name].data]
        for text_field in missing:
            text_field.errors = [
                *text_field.errors,
                _("This field is required in the language you write in first."),
            ]
        if missing:
            self.original_language.errors = [
                *self.original_language.errors,
                _("Write the title and description in this language."),
            ]
        return not missing

    def to_input(self) -> EventInput:
        zone = self.timezone.data

        def utc(value):
            return times.to_utc(value, zone) if value else None

        return EventInput(
            kind=self.kind.data,
            original_language=self.original_language.data,
            online=bool(self.online.data),
            venue=self.venue.data or "",
            address=self.address.data or "",
            city=self.city.data or "",
            country=self.country.data or None,
            online_url=self.online_url.data or "",
            timezone=zone,
            starts_at=utc(self.starts_at.data),
            ends_at=utc(self.ends_at.data),
            registration_opens_at=utc(self.registration_opens_at.data),
            registration_deadline=utc(self.registration_deadline.data),
            capacity=self.capacity.data,
            waiting_list=bool(self.waiting_list.data),
            offer_hours=self.offer_hours.data or 0,
            max_per_organisation=self.max_per_organisation.data,
            languages=list(self.languages.data or []),
            audience_kinds=list(self.audience_kinds.data or []),
            audience_countries=list(self.audience_countries.data or []),
            questions=question_rules.compose(self._question_texts(), self.original_language.data),
            texts={code: dict(form.data) for code, form in self.text_forms()},
            tags={"category": list(self.categories.data or [])},
            co_host_ids=list(self.co_hosts.data or []),
        )


def new_event_data(organisation, lang: str) -> dict:
    return {
        "original_language": lang,
        "country": organisation.country,
        "city": organisation.city or "",
        "timezone": times.zone_of_country(organisation.country) or "",
        "waiting_list": True,
        "languages": [lang],
    }


def form_data_from(event) -> dict:
    def local(value):
        return times.at_place(value, event.timezone).replace(tzinfo=None) if value else None

    data = {
        "revision": event.revision,
        "kind": event.kind,
        "original_language": event.original_language,
        "online": event.online,
        "venue": event.venue,
        "address": event.address,
        "city": event.city,
        "country": event.country or "",
        "online_url": event.online_url,
        "timezone": event.timezone,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "registration_opens_at": local(event.registration_opens_at),
        "registration_deadline": local(event.registration_deadline),
        "capacity": event.capacity,
        "waiting_list": event.waiting_list,
        "offer_hours": event.offer_hours,
        "max_per_organisation": event.max_per_organisation,
        "languages": list(event.languages or []),
        "audience_kinds": list(event.audience_kinds or []),
        "audience_countries": list(event.audience_countries or []),
        "categories": event.tag_codes("category"),
        "co_hosts": [host.organisation_id for host in event.co_hosts],
    }
    questions = question_rules.as_texts(event.questions or [])
    for code in LANGUAGES:
        text = event.text(code)
        data[f"texts_{code}"] = {name: getattr(text, name) if text else "" for name in TEXT_FIELDS}
        data[f"questions_{code}"] = questions.get(code, "")
    return data


class SignUpForm(Form):
    """Who comes for which organisation, what they share, and the event's questions.

    The questions' answers are read from `answer-<question key>` by the view.
    """

    organisation = SelectField(
        _l("You attend on behalf of"),
        coerce=int,
        validate_choice=True,
        invalid_choice_message=CHOOSE_FROM_OPTIONS,
    )
    share_email = BooleanField(_l("Show my e-mail address to the organiser"))
    share_phone = BooleanField(_l("Show my phone number to the organiser"))


class MessageForm(Form):
    audience = SelectField(_l("To"), validators=[required()])
    subject = StringField(_l("Subject"), validators=[required(), max_length(150)], filters=[_strip])
    body = TextAreaField(
        _l("Message"), validators=[required(), max_length(MESSAGE_LIMIT)], filters=[_strip]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = as_choices(
            [
                ("confirmed", _("Everyone with a seat")),
                ("waiting", _("Everyone on the waiting list")),
            ]
        )


class CancelForm(Form):
    note = TextAreaField(
        _l("Message to everyone signed up (optional)"),
        validators=[max_length(2000)],
        filters=[_strip],
    )
    confirm = BooleanField(
        _l("Yes, cancel the event and tell everyone signed up"),
        validators=[
            InputRequired(message=_l("Tick the box to confirm that the event is cancelled."))
        ],
    )
