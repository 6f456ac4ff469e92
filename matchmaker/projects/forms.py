"""The project form: the same building blocks and rules as the organisation form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from matchmaker import geo
from matchmaker.forms import (
    AmountField,
    ChooseAtLeastOne,
    Form,
    WebAddressesField,
    max_length,
    required,
    tag_suggestions,
)
from matchmaker.i18n import LANGUAGE_NAMES, LANGUAGES
from matchmaker.organisations.forms import (
    DESCRIPTION_LIMIT,
    MultiCheckboxField,
    OrganisationForm,
    _none_if_empty,
    _strip,
)
from matchmaker.projects.models import PROJECT_TEXT_FIELDS
from matchmaker.projects.services import ProjectInput
from matchmaker.taxonomy.queries import tag_choices
from matchmaker.taxonomy.suggest import needs_and_offers

TITLE_LIMIT = 120
SUMMARY_LIMIT = 300
LINKS_LIMIT = 5
LINK_LENGTH_LIMIT = 300


class ProjectTextForm(Form):
    """The free text of the project in one language."""

    class Meta:
        csrf = False

    title = StringField(_l("Title"), validators=[max_length(TITLE_LIMIT)], filters=[_strip])
    summary = TextAreaField(
        _l("Summary"),
        validators=[max_length(SUMMARY_LIMIT)],
        filters=[_strip],
    )
    description = TextAreaField(
        _l("Description"), validators=[max_length(DESCRIPTION_LIMIT)], filters=[_strip]
    )


class ProjectForm(Form):
    class Meta:
        mark_required = True

    revision = HiddenField()
    stage = SelectField(_l("Stage"), validators=[required()])
    categories = MultiCheckboxField(
        _l("Innovation categories"),
        validators=[ChooseAtLeastOne(_l("Choose at least one category."))],
    )
    specialisations = MultiCheckboxField(_l("Medical specialisations"))
    seeks = MultiCheckboxField(_l("What the project is looking for"))
    needs = MultiCheckboxField(_l("What the project needs"))
    offers = MultiCheckboxField(
        _l("What the project offers"),
        description=_l("Organisations that need it find the project as a possible supplier."),
    )
    country = SelectField(_l("Country"), validators=[required()])
    region = SelectField(_l("Region"), validators=[Optional()], filters=[_none_if_empty])
    funding_min_eur = AmountField(validators=[Optional()])
    funding_max_eur = AmountField(validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    links = WebAddressesField(
        _l("Links"),
        limit=LINKS_LIMIT,
        max_length=LINK_LENGTH_LIMIT,
        description=_l("Up to 5 addresses, one per line, such as www.example.org"),
    )
    original_language = SelectField(
        _l("Language you write in first"),
        validators=[required()],
        description=_l("Readers see this version when their own language is missing."),
    )
    texts_pl = FormField(ProjectTextForm)
    texts_en = FormField(ProjectTextForm)
    texts_da = FormField(ProjectTextForm)
    texts_nb = FormField(ProjectTextForm)

    def __init__(self, *args, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.funding_min_eur.label.text = _("Smallest amount of funding sought (EUR)")
        self.funding_max_eur.label.text = _("Largest amount of funding sought (EUR)")
        self.stage.choices = [("", _("Choose…")), *tag_choices("stage", lang)]
        self.country.choices = [("", _("Choose…")), *geo.countries(lang)]
        selected_country = self.country.data or ""
        self.region.choices = [("", _("No region / not known"))]
        if selected_country:
            self.region.choices += geo.regions(selected_country, lang)
        self.original_language.choices = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
        self.categories.choices = tag_choices("category", lang)
        self.specialisations.choices = tag_choices("specialisation", lang)
        self.seeks.choices = tag_choices("seeks", lang)
        self.needs.choices = tag_choices("capability", lang)
        self.offers.choices = tag_choices("capability", lang)

    def text_forms(self):
        return [(code, getattr(self, f"texts_{code}")) for code in LANGUAGES]

    # The organisation form's rule and message, not a copy of them.
    validate_region = OrganisationForm.validate_region

    def validate_funding_max_eur(self, field):
        low, high = self.funding_min_eur.data, field.data
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The largest amount must not be smaller than the smallest."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        return self._original_texts_written() and valid

    def _original_texts_written(self) -> bool:
        """The title, summary and description exist in the language written first.

        The error shows both next to the language select and next to each missing text.
        """
        sub = getattr(self, f"texts_{self.original_language.data}", None)
        if sub is None:  # not one of the choices: the select has refused it already
            return True
        missing = [sub.form[name] for name in PROJECT_TEXT_FIELDS if not sub.form[name].data]
        if not missing:
            return True
        for text_field in missing:
            text_field.errors = [
                *text_field.errors,
                _("This field is required in the language you write in first."),
            ]
        self.original_language.errors = [
            *self.original_language.errors,
            _("Write the title, summary and description in this language."),
        ]
        return False

    def suggested_tags(self) -> list[tuple[object, list[tuple[str, str]]]]:
        """Tags the texts point to and that are not ticked yet: (field, [(checkbox id,
        label)]). Sentences that ask for something suggest needs, the others offers."""
        texts = {code: dict(sub.form.data) for code, sub in self.text_forms()}
        needs, offers = needs_and_offers(texts, (), (), PROJECT_TEXT_FIELDS)
        everything = {code: " ".join(t.get(n) or "" for n in PROJECT_TEXT_FIELDS)
                      for code, t in texts.items()}  # fmt: skip
        return tag_suggestions(
            (
                (self.needs, needs, "capability"),
                (self.offers, offers, "capability"),
                (self.categories, everything, "category"),
                (self.specialisations, everything, "specialisation"),
            )
        )

    def to_input(self) -> ProjectInput:
        return ProjectInput(
            stage=self.stage.data,
            country=self.country.data,
            region=self.region.data,
            funding_min_eur=self.funding_min_eur.data,
            funding_max_eur=self.funding_max_eur.data,
            start_date=self.start_date.data,
            links=list(self.links.data or []),
            original_language=self.original_language.data,
            texts={code: dict(form.data) for code, form in self.text_forms()},
            tags={
                "category": list(self.categories.data or []),
                "specialisation": list(self.specialisations.data or []),
                "seeks": list(self.seeks.data or []),
                "need": list(self.needs.data or []),
                "capability": list(self.offers.data or []),
            },
        )


def new_project_data(organisation, lang: str) -> dict:
    """The form's initial values for a new project of `organisation`."""
    return {
        "original_language": lang,
        "country": organisation.country,
        "region": organisation.region or "",
    }


def form_data_from(project) -> dict:
    """The form's initial values for editing `project`."""
    data = {
        "revision": project.revision,
        "stage": project.stage,
        "country": project.country,
        "region": project.region or "",
        "funding_min_eur": project.funding_min_eur,
        "funding_max_eur": project.funding_max_eur,
        "start_date": project.start_date,
        "links": list(project.links or []),
        "original_language": project.original_language,
        "categories": project.tag_codes("category"),
        "specialisations": project.tag_codes("specialisation"),
        "seeks": project.tag_codes("seeks"),
        "needs": project.tag_codes("need"),
        "offers": project.tag_codes("capability"),
    }
    for code in LANGUAGES:
        text = project.text(code)
        data[f"texts_{code}"] = {
            name: getattr(text, name) if text else "" for name in PROJECT_TEXT_FIELDS
        }
    return data
