"""The organisation profile form, and the request to join an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from matchmaker import geo
from matchmaker.forms import (
    CHOOSE_FROM_OPTIONS,
    AmountField,
    Form,
    WebAddressField,
    as_choices,
    max_length,
    required,
    tag_suggestions,
)
from matchmaker.i18n import LANGUAGE_NAMES, LANGUAGES
from matchmaker.organisations import logos
from matchmaker.organisations.models import CLUSTER_MEMBER_TYPES, MAX_JOIN_MESSAGE, SIZE_BANDS
from matchmaker.organisations.services import OrganisationInput
from matchmaker.taxonomy.queries import tag_choices

DESCRIPTION_LIMIT = 5000
DETAIL_LIMIT = 2000
# Languages people may say they work in (ISO 639-1), beyond the four of the interface.
WORKING_LANGUAGES = (
    "pl",
    "en",
    "da",
    "nb",
    "sv",
    "de",
    "fi",
    "fr",
    "nl",
    "lt",
    "lv",
    "et",
    "uk",
    "es",
    "it",
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _none_if_empty(value):
    return value or None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", CHOOSE_FROM_OPTIONS)
        super().__init__(*args, **kwargs)


class OrganisationTextForm(Form):
    """The free text of the profile in one language."""

    class Meta:
        csrf = False

    description = TextAreaField(
        _l("Description"), validators=[max_length(DESCRIPTION_LIMIT)], filters=[_strip]
    )
    capabilities_detail = TextAreaField(
        _l("What you offer, in your own words"),
        validators=[max_length(DETAIL_LIMIT)],
        filters=[_strip],
    )
    needs_detail = TextAreaField(
        _l("What you need, in your own words"),
        validators=[max_length(DETAIL_LIMIT)],
        filters=[_strip],
    )


class ClusterMembersForm(Form):
    class Meta:
        csrf = False

    sme = IntegerField(_l("SMEs"), validators=[Optional(), NumberRange(min=0, max=100000)])
    startup = IntegerField(_l("Start-ups"), validators=[Optional(), NumberRange(min=0, max=100000)])
    large = IntegerField(
        _l("Large companies"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    research = IntegerField(
        _l("Research organisations"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    other = IntegerField(
        _l("Other members"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )


@dataclass(frozen=True)
class KindSection:
    """A part of the profile that only some kinds of organisation fill in: the form shows,
    checks and saves its fields for those kinds only."""

    kinds: tuple[str, ...]
    fields: tuple[str, ...]


KIND_SECTIONS = {
    "investor": KindSection(
        kinds=("investor",), fields=("ticket_min_eur", "ticket_max_eur", "preferred_stages")
    ),
    "cluster": KindSection(
        kinds=("cluster",), fields=("members", "cluster_labels", "regions_covered")
    ),
}


class OrganisationForm(Form):
    class Meta:
        mark_required = True

    kind_sections = KIND_SECTIONS
    revision = HiddenField()
    name = StringField(
        _l("Name of the organisation"), validators=[required(), max_length(200)], filters=[_strip]
    )
    kind = SelectField(
        _l("Kind of organisation"),
        validators=[required()],
        description=_l("Some parts of the form are only for certain kinds of organisation."),
    )
    country = SelectField(_l("Country"), validators=[required()])
    region = SelectField(_l("Region"), validators=[Optional()], filters=[_none_if_empty])
    city = StringField(
        _l("City"), validators=[Optional(), max_length(120)], filters=[_strip, _none_if_empty]
    )
    website = WebAddressField(
        _l("Website"), max_length=300, description=_l("For example www.example.org")
    )
    logo = FileField(
        _l("Logo"),
        description=_l(
            "A PNG, JPEG or WebP image of at most %(megabytes)d MB.",
            megabytes=logos.MAX_BYTES // (1024 * 1024),
        ),
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    year_founded = IntegerField(_l("Year founded"), validators=[Optional()])
    size_band = SelectField(
        _l("Number of employees"), validators=[Optional()], filters=[_none_if_empty]
    )
    working_languages = MultiCheckboxField(_l("Languages you work in"))
    original_language = SelectField(
        _l("Language you write in first"),
        validators=[required()],
        description=_l("Readers see this version when their own language is missing."),
    )
    latitude = DecimalField(
        _l("Latitude"),
        places=5,
        validators=[Optional(), NumberRange(min=-90, max=90)],
        description=_l("Leave empty to place the organisation in the middle of its region."),
    )
    longitude = DecimalField(
        _l("Longitude"), places=5, validators=[Optional(), NumberRange(min=-180, max=180)]
    )
    capabilities = MultiCheckboxField(_l("What you offer"))
    needs = MultiCheckboxField(_l("What you need"))
    categories = MultiCheckboxField(_l("Innovation categories"))
    specialisations = MultiCheckboxField(_l("Medical specialisations"))
    focus_areas = MultiCheckboxField(_l("Focus areas"))
    # Investors
    ticket_min_eur = AmountField(validators=[Optional()])
    ticket_max_eur = AmountField(validators=[Optional()])
    preferred_stages = MultiCheckboxField(_l("Stages you invest in"))
    # Clusters
    members = FormField(ClusterMembersForm, label=_l("Members by type"))
    cluster_labels = StringField(
        _l("Labels and awards"),
        validators=[Optional(), max_length(300)],
        filters=[_strip],
        description=_l("Separate them with commas, e.g. ECCP Bronze Label."),
    )
    regions_covered = MultiCheckboxField(_l("Regions your cluster covers"))
    texts_pl = FormField(OrganisationTextForm)
    texts_en = FormField(OrganisationTextForm)
    texts_da = FormField(OrganisationTextForm)
    texts_nb = FormField(OrganisationTextForm)

    def __init__(self, *args, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared_logo: bytes | None = None
        self.ticket_min_eur.label.text = _("Smallest ticket (EUR)")
        self.ticket_max_eur.label.text = _("Largest ticket (EUR)")
        self.kind.choices = as_choices([("", _("Choose…")), *tag_choices("org_kind", lang)])
        self.country.choices = as_choices([("", _("Choose…")), *geo.countries(lang)])
        selected_country = self.country.data or ""
        self.region.choices = as_choices([("", _("No region / not known"))])
        if selected_country:
            self.region.choices += as_choices(geo.regions(selected_country, lang))
        self.regions_covered.choices = as_choices(
            geo.regions(selected_country, lang) if selected_country else []
        )
        self.size_band.choices = as_choices([("", _("Not stated")), *[(b, b) for b in SIZE_BANDS]])
        language_names = Locale(lang).languages
        self.working_languages.choices = as_choices(
            [(code, language_names.get(code, code)) for code in WORKING_LANGUAGES]
        )
        self.original_language.choices = as_choices(
            [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
        )
        self.capabilities.choices = as_choices(tag_choices("capability", lang))
        self.needs.choices = as_choices(tag_choices("capability", lang))
        self.categories.choices = as_choices(tag_choices("category", lang))
        self.specialisations.choices = as_choices(tag_choices("specialisation", lang))
        self.focus_areas.choices = as_choices(tag_choices("focus_area", lang))
        self.preferred_stages.choices = as_choices(tag_choices("stage", lang))

    def text_forms(self):
        return [(code, getattr(self, f"texts_{code}")) for code in LANGUAGES]

    def validate_region(self, field):
        if field.data and not geo.region_in_country(field.data, self.country.data or ""):
            raise ValidationError(_("Choose a region of the selected country."))

    def validate_year_founded(self, field):
        if field.data is not None and not 1800 <= field.data <= date.today().year:
            raise ValidationError(
                _(
                    "Enter a year between %(first)d and %(last)d.",
                    first=1800,
                    last=date.today().year,
                )
            )

    def validate_ticket_max_eur(self, field):
        low, high = self.ticket_min_eur.data, field.data
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The largest ticket must not be smaller than the smallest."))

    def validate_original_language(self, field):
        text = getattr(self, f"texts_{field.data}", None)
        if text is not None and not (text.form.description.data or "").strip():
            raise ValidationError(_("Write the description in this language."))

    def validate_logo(self, field):
        if field.data is None:
            return
        try:
            # One byte more than allowed is enough to tell a file is too large.
            self.prepared_logo = logos.prepare(field.data.read(logos.MAX_BYTES + 1))
        except logos.FileTooLarge as error:
            raise ValidationError(
                _(
                    "This file is larger than %(megabytes)d MB. Choose a smaller image.",
                    megabytes=logos.MAX_BYTES // (1024 * 1024),
                )
            ) from error
        except logos.TooManyPixels as error:
            raise ValidationError(
                _(
                    "This image is too large. Choose one at most %(pixels)d pixels wide and high.",
                    pixels=logos.MAX_SIDE,
                )
            ) from error
        except logos.NotAnImage as error:
            raise ValidationError(
                _(
                    "This file is not a PNG, JPEG or WebP image. Choose an image in one of these formats."
                )
            ) from error

    def section_applies(self, name: str) -> bool:
        """Whether the section `name` of KIND_SECTIONS is for the kind chosen."""
        return self.kind.data in KIND_SECTIONS[name].kinds

    def section_note(self, name: str) -> str:
        """Which kinds the section `name` is for, as its fieldset says without JavaScript."""
        labels = {choice.value: choice.label for choice in self.kind.choices}
        kinds = [str(labels.get(kind, kind)) for kind in KIND_SECTIONS[name].kinds]
        return _(
            "Only for organisations of this kind: %(kinds)s. For other kinds, it is not saved.",
            kinds=format_list(kinds, locale=get_locale()),
        )

    def validate(self, extra_validators=None) -> bool:
        """As usual, except that the sections not for the kind chosen are not checked:
        to_input leaves them out."""
        valid = super().validate(extra_validators=extra_validators)
        skipped = [
            self[name]
            for section, spec in KIND_SECTIONS.items()
            if not self.section_applies(section)
            for name in spec.fields
        ]
        if not skipped:
            return valid
        for field in skipped:
            for sub in field if isinstance(field, FormField) else (field,):
                sub.errors = []
        return not self.errors

    def validate_latitude(self, field):
        if (field.data is None) != (self.longitude.data is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    def suggested_tags(self) -> list[tuple[object, list[tuple[str, str]]]]:
        """Tags the texts point to and that are not ticked yet: (field, [(checkbox id, label)])."""
        texts = {code: sub.form for code, sub in self.text_forms()}

        def written(*names: str) -> dict[str, str]:
            return {
                code: " ".join(getattr(form, name).data or "" for name in names)
                for code, form in texts.items()
            }

        return tag_suggestions(
            (
                (self.capabilities, written("description", "capabilities_detail"), "capability"),
                (self.needs, written("needs_detail"), "capability"),
                (self.categories, written("description"), "category"),
                (self.specialisations, written("description"), "specialisation"),
                (self.focus_areas, written("description"), "focus_area"),
            )
        )

    def to_input(self) -> OrganisationInput:
        investor, cluster = self.section_applies("investor"), self.section_applies("cluster")
        members = {
            name: value
            for name in CLUSTER_MEMBER_TYPES
            if cluster and (value := self.members[name].data) is not None
        }
        labels = [
            label.strip()
            for label in ((self.cluster_labels.data or "") if cluster else "").split(",")
            if label.strip()
        ]
        return OrganisationInput(
            name=self.name.data,
            kind=self.kind.data,
            country=self.country.data,
            original_language=self.original_language.data,
            region=self.region.data,
            city=self.city.data,
            website=self.website.data,
            year_founded=self.year_founded.data,
            size_band=self.size_band.data,
            working_languages=list(self.working_languages.data or []),
            latitude=float(self.latitude.data) if self.latitude.data is not None else None,
            longitude=float(self.longitude.data) if self.longitude.data is not None else None,
            ticket_min_eur=self.ticket_min_eur.data if investor else None,
            ticket_max_eur=self.ticket_max_eur.data if investor else None,
            members=members or None,
            cluster_labels=labels,
            regions_covered=list(self.regions_covered.data or []) if cluster else [],
            logo=self.prepared_logo,
            remove_logo=bool(self.remove_logo.data),
            texts={code: {k: v for k, v in form.data.items()} for code, form in self.text_forms()},
            tags={
                "capability": list(self.capabilities.data or []),
                "need": list(self.needs.data or []),
                "category": list(self.categories.data or []),
                "specialisation": list(self.specialisations.data or []),
                "focus_area": list(self.focus_areas.data or []),
                "preferred_stage": list(self.preferred_stages.data or []) if investor else [],
            },
        )


def form_data_from(org) -> dict:
    """The form's initial values for editing `org`."""
    data = {
        "revision": org.revision,
        "name": org.name,
        "kind": org.kind,
        "country": org.country,
        "region": org.region or "",
        "city": org.city,
        "website": org.website,
        "year_founded": org.year_founded,
        "size_band": org.size_band or "",
        "working_languages": org.working_languages,
        "original_language": org.original_language,
        "latitude": org.latitude,
        "longitude": org.longitude,
        "ticket_min_eur": org.ticket_min_eur,
        "ticket_max_eur": org.ticket_max_eur,
        "members": org.members or {},
        "cluster_labels": ", ".join(org.cluster_labels or []),
        "regions_covered": org.regions_covered,
        "capabilities": org.tag_codes("capability"),
        "needs": org.tag_codes("need"),
        "categories": org.tag_codes("category"),
        "specialisations": org.tag_codes("specialisation"),
        "focus_areas": org.tag_codes("focus_area"),
        "preferred_stages": org.tag_codes("preferred_stage"),
    }
    for code in LANGUAGES:
        text = org.text(code)
        data[f"texts_{code}"] = {
            "description": text.description if text else "",
            "capabilities_detail": text.capabilities_detail if text else "",
            "needs_detail": text.needs_detail if text else "",
        }
    return data


class InsightsNamingForm(Form):
    """The members' choice about the public insights; saved at once, not reviewed."""

    unnamed = BooleanField(
        _l("Do not name the organisation in the rankings of the insights page"),
        description=_l(
            "The public insights page lists the most connected organisations. If you tick"
            " this, the organisation is left out of those lists; its contacts, events and"
            " meetings still count in the totals, without its name."
        ),
    )


class JoinRequestForm(Form):
    """Asking to join an organisation; the message to its owners is optional."""

    message = TextAreaField(
        _l("A message to the owners (optional)"),
        validators=[max_length(MAX_JOIN_MESSAGE)],
        filters=[_strip],
        description=_l("Say who you are and why you belong to this organisation."),
    )
