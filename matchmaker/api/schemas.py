"""What the API accepts and answers, as marshmallow schemas: they shape every response
(a field not named here never leaves the server) and generate the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from matchmaker import geo
from matchmaker.events.models import KINDS
from matchmaker.i18n import LANGUAGES
from matchmaker.organisations.models import ORG_TAG_ROLES
from matchmaker.projects.models import PROJECT_TAG_ROLES
from matchmaker.register import export, funding
from matchmaker.register.queries import RegisterQuery

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def _text(description: str, **options) -> fields.String:
    return fields.String(metadata={"description": description}, **options)


def _codes(description: str) -> fields.List:
    return fields.List(fields.String(), metadata={"description": description})


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code, in either case; read in capitals."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if not geo.is_country(code):
            raise ValidationError("Not an ISO 3166-1 alpha-2 country code.")
        return code


class LanguageArgs(Schema):
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "The language of labels and texts: pl, en, da or nb."},
    )


class ListArgs(LanguageArgs):
    q = _text("Words to search for, as in the register's search box.")
    sort = fields.String(
        validate=validate.OneOf(("newest", "name")),
        metadata={
            "description": "newest or name; without it, the best matches first when `q` "
            "is given, else the newest."
        },
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": "Items per page, 1 to 100."},
    )
    cursor = _text("Where the next page starts: the `next_cursor` of the previous page.")


def _filter_description(name: str, roles: dict[str, str]) -> str:
    if name == "country":
        return "ISO 3166-1 alpha-2 country codes (PL, DK, NO, …)."
    if name == "region":
        return "ISO 3166-2 region codes (PL-14, DK-84, NO-03, …)."
    if name == "language":
        return "Language codes (pl, en, da, nb, …)."
    if name == "funding":
        return f"Bands of funding sought: {', '.join(funding.BAND_CODES)}."
    vocabulary = {"kind": "org_kind", "stage": "stage"}.get(name) or roles.get(name, name)
    return f"Tag codes of the {vocabulary} vocabulary (see /api/v1/taxonomy)."


def _filters(item_type: str, roles: dict[str, str]) -> dict[str, fields.Field]:
    """One parameter per filter of the register's list page, each repeatable: an item
    matches any value of a filter and every filter given."""
    # The page names some filters after what they mean to a reader, not after the role.
    roles = {**roles, "offers": roles["capability"], "needs": roles["need"]}
    roles["stage_invested"] = ORG_TAG_ROLES["preferred_stage"]
    found: dict[str, fields.Field] = {
        name: _codes(_filter_description(name, roles))
        for name in RegisterQuery(item_type).facet_names()
    }
    if item_type == "project":
        for name in funding.RANGE_PARAMETERS:
            found[name] = _text("Funding sought in euros, an amount; ranges that meet it match.")
    return found


ProjectArgs = ListArgs.from_dict(_filters("project", PROJECT_TAG_ROLES), name="ProjectArgs")
OrganisationArgs = ListArgs.from_dict(
    _filters("organisation", ORG_TAG_ROLES), name="OrganisationArgs"
)


class _Record(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True)
    name = fields.String(required=True)
    organisation_id = fields.Integer(required=True)
    organisation = _text("The organisation's name.", required=True)
    organisation_kind = _text("A tag code of the org_kind vocabulary.", required=True)
    organisation_kind_label = fields.String(required=True)
    country = _text("ISO 3166-1 alpha-2.", required=True)
    country_name = fields.String(required=True)
    region = _text("ISO 3166-2, or empty.", required=True)
    region_name = fields.String(required=True)
    stage = _text("A tag code of the stage vocabulary, or empty.", required=True)
    stage_label = fields.String(required=True)
    funding_min_eur = fields.Integer(allow_none=True, required=True)
    funding_max_eur = fields.Integer(allow_none=True, required=True)
    summary = fields.String(required=True)
    text_language = _text("The language `summary` is written in.", required=True)
    original_language = fields.String(required=True)
    latitude = fields.Float(allow_none=True, required=True)
    longitude = fields.Float(allow_none=True, required=True)
    published_at = _text("When this version was published (ISO 8601).", required=True)
    url = _text("Its page on the register.", required=True)


def _tag_fields(roles: tuple[str, ...]) -> dict[str, fields.Field]:
    found: dict[str, fields.Field] = {}
    for role in roles:
        found[f"{role}_codes"] = fields.List(fields.String(), required=True)
        found[f"{role}_labels"] = fields.List(fields.String(), required=True)
    return found


Project = _Record.from_dict(_tag_fields(export.PROJECT_TAG_ROLES), name="Project")
Organisation = _Record.from_dict(_tag_fields(export.ORGANISATION_TAG_ROLES), name="Organisation")


class FacetValue(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)
    label = fields.String(required=True)


class _Pages(Schema):
    total = fields.Integer(required=True, metadata={"description": "How many items match."})
    limit = fields.Integer(required=True)
    lang = fields.String(required=True)
    next = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The next page's address; null on the last page."},
    )
    next_cursor = fields.String(allow_none=True, required=True)


class _Page(_Pages):
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValue)),
        required=True,
        metadata={
            "description": "For each filter, its values with how many items each would "
            "give, under every other filter chosen."
        },
    )


ProjectPage = _Page.from_dict({"items": fields.List(fields.Nested(Project))}, name="ProjectPage")
OrganisationPage = _Page.from_dict(
    {"items": fields.List(fields.Nested(Organisation))}, name="OrganisationPage"
)


class Tag(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class Vocabulary(Schema):
    code = fields.String(required=True)
    tags = fields.List(fields.Nested(Tag), required=True)


class Place(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class Country(Place):
    regions = fields.List(fields.Nested(Place), required=True)


class FundingBand(Schema):
    code = fields.String(required=True)
    min_eur = fields.Integer(allow_none=True, required=True)
    max_eur = fields.Integer(allow_none=True, required=True)
    label = fields.String(required=True)


class Taxonomy(Schema):
    version = fields.String(required=True)
    lang = fields.String(required=True)
    vocabularies = fields.List(fields.Nested(Vocabulary), required=True)
    roles = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        required=True,
        metadata={"description": "For projects and organisations: tag role → vocabulary."},
    )
    funding_bands = fields.List(fields.Nested(FundingBand), required=True)
    countries = fields.List(
        fields.Nested(Country),
        required=True,
        metadata={"description": "The countries the register covers, with their regions."},
    )


class EventArgs(LanguageArgs):
    when = fields.String(
        load_default="upcoming",
        validate=validate.OneOf(("upcoming", "past")),
        metadata={
            "description": "upcoming: the events still to come, soonest first (without it); "
            "past: those that have ended, latest first."
        },
    )
    kind = fields.String(
        validate=validate.OneOf(KINDS), metadata={"description": f"One of {', '.join(KINDS)}."}
    )
    country = CountryCode(metadata={"description": "Events in this country (ISO 3166-1 alpha-2)."})
    tag = _text("Events with this tag code of the category vocabulary (see /api/v1/taxonomy).")
    cursor = _text("Where the next page starts: the `next_cursor` of the previous page.")


class Event(Schema):
    id = fields.Integer(required=True)
    kind = _text(f"One of {', '.join(KINDS)}.", required=True)
    kind_label = fields.String(required=True)
    status = _text("published, or cancelled: still listed, marked, as on the site.", required=True)
    title = fields.String(required=True)
    description = _text("Markdown, as the organisers wrote it.", required=True)
    text_language = _text(
        "The language `title` and `description` are written in: the one asked for when the "
        "event has it, else English, else the original.",
        required=True,
    )
    original_language = fields.String(required=True)
    starts_at = fields.DateTime(required=True, metadata={"description": "ISO 8601, in UTC."})
    ends_at = fields.DateTime(required=True, metadata={"description": "ISO 8601, in UTC."})
    timezone = _text("The IANA time zone of the place; the site shows times in it.", required=True)
    online = fields.Boolean(required=True)
    city = _text("The place's city, or empty.", required=True)
    country = _text("ISO 3166-1 alpha-2, or null.", allow_none=True, required=True)
    country_name = fields.String(allow_none=True, required=True)
    organisation_id = fields.Integer(required=True, metadata={"description": "The host's id."})
    organisation = _text(
        "The host's name on the register; null when it is not published there.",
        allow_none=True,
        required=True,
    )
    co_host_ids = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "The ids of the organisations that host it besides."},
    )
    category_codes = fields.List(fields.String(), required=True)
    capacity = fields.Integer(required=True, metadata={"description": "How many seats."})
    seats_left = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Seats not taken; null for a cancelled event."},
    )
    waiting_list = fields.Boolean(
        required=True,
        metadata={"description": "Whether sign-ups join a waiting list once every seat is taken."},
    )
    url = _text("Its page on the site.", required=True)


EventPage = _Pages.from_dict({"items": fields.List(fields.Nested(Event))}, name="EventPage")


class InsightsArgs(LanguageArgs):
    country = CountryCode(
        metadata={
            "description": "The figures of one country (ISO 3166-1 alpha-2); of every "
            "country without it."
        }
    )
    until = fields.String(
        validate=validate.Regexp(r"^\d{4}-Q[1-4]$"),
        metadata={
            "description": "A past quarter such as 2024-Q4: the figures as they were at its "
            "end (the connections are always today's); up to today without it."
        },
    )


class Figure(Schema):
    name = _text("The figure's name, as in the address of its CSV file.", required=True)
    title = fields.String(required=True)
    columns = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The header of its CSV file: Code, then the table's columns."},
    )
    rows = fields.List(
        fields.List(fields.Raw(allow_none=True)),
        required=True,
        metadata={
            "description": "The rows of its CSV file: each value's code first (a tag, a "
            "country, a quarter, an organisation's id), its label, then plain numbers (null: "
            "no number, as for the change of a category new in the period)."
        },
    )


class Insights(Schema):
    lang = fields.String(required=True)
    country = _text(
        "The country the figures are of; null for every country.", allow_none=True, required=True
    )
    connections_counted_at = fields.DateTime(
        allow_none=True,
        required=True,
        metadata={
            "description": "When the connections were last counted (every hour at most); "
            "null before the first count, and then no connection figures are given."
        },
    )
    figures = fields.List(
        fields.Nested(Figure),
        required=True,
        metadata={"description": "The figures of the insights page, in its order."},
    )
