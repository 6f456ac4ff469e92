"""The figures as the page and the CSV files show them, in the reader's language.

Each figure is one table: the page writes its cells as the reader's locale formats them
(``Row.texts``) and draws the chart from the same numbers; its CSV file holds the same
rows with plain numbers (``Row.cells``) and each value's code first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_number, format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from matchmaker import geo
from matchmaker.geo import svg
from matchmaker.insights import charts
from matchmaker.insights.figures import CategoryGrowth, GrowthFigures, Place, Quarter
from matchmaker.taxonomy.queries import tag_label


@dataclass(frozen=True)
class Row:
    code: str  # the value's code in the register ("pilot", "PL", "2025-Q1")
    cells: tuple  # the label, then plain numbers (a change in per cent, None when new)
    texts: tuple[str, ...]  # the same, as the table shows them
    href: str | None = None  # a page the row's first cell links to


@dataclass(frozen=True)
class Figure:
    name: str  # in the address of its CSV file: <name>.csv
    title: str
    description: str  # the chart's name for assistive technology
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: charts.Chart | None  # None: a table alone
    note: str = ""
    wide: bool = False  # a table too wide to stand beside its chart
    nothing: str = ""  # what it says when empty, if not what its block says
    map: Markup | None = None  # an SVG map (geo.svg) instead of a chart

    @property
    def empty(self) -> bool:
        return not any(isinstance(cell, int) and cell for row in self.rows for cell in row.cells)

    def csv_header(self) -> tuple[str, ...]:
        return (_("Code"), *self.columns)

    def csv_rows(self) -> list[tuple]:
        return [(row.code, *row.cells) for row in self.rows]


def quarter_label(quarter: Quarter) -> str:
    year, number = quarter
    return _("Q%(quarter)s %(year)s", quarter=number, year=year)


def quarter_code(quarter: Quarter) -> str:
    return f"{quarter[0]}-Q{quarter[1]}"


def change_text(growth: CategoryGrowth) -> str:
    return _("new") if growth.change is None else format_percent(growth.change)


def change_cell(growth: CategoryGrowth) -> float | None:
    return None if growth.change is None else round(growth.change * 100, 1)


def counted_rows(counted, label_of: Callable[[str], str]) -> tuple[Row, ...]:
    return tuple(
        Row(code, (label_of(code), count), (label_of(code), format_number(count)))
        for code, count in counted
    )


def bars(rows: tuple[Row, ...]) -> charts.Chart:
    """Horizontal bars of each row's first number."""
    return charts.horizontal_bars(
        [charts.Item(row.cells[0], row.cells[1], row.texts[1]) for row in rows]
    )


def counted_figure(name: str, counted, label_of: Callable[[str], str], **shown) -> Figure:
    """A count per code as a table and horizontal bars; `shown`: the Figure's texts
    (title, description, columns, and a note or a sentence for nothing, if any)."""
    rows = counted_rows(counted, label_of)
    return Figure(name=name, rows=rows, chart=bars(rows), **shown)


def quarters_figure(growth: GrowthFigures) -> Figure:
    rows = tuple(
        Row(
            quarter_code(quarter),
            (quarter_label(quarter), count),
            (quarter_label(quarter), format_number(count)),
        )
        for quarter, count in zip(growth.quarters, growth.per_quarter, strict=True)
    )
    return Figure(
        name="quarters",
        title=_("Projects published per quarter"),
        description=_("Projects first published in each of the last 8 quarters"),
        columns=(_("Quarter"), _("Projects")),
        rows=rows,
        chart=charts.columns(
            [charts.Item(row.cells[0], row.cells[1], row.texts[1]) for row in rows]
        ),
    )


def growth_figure(
    name: str, growths, quarters: tuple[Quarter, ...], label_of, first_column: str, **shown
) -> Figure:
    """Projects per quarter of each code, its last 4 quarters against the 4 before, and
    bars of the last 4 quarters; ``shown``: the Figure's title, description and note."""
    quarter_labels = tuple(quarter_label(quarter) for quarter in quarters)
    rows = []
    for growth in growths:
        label = label_of(growth.code)
        numbers = (*growth.per_quarter, growth.recent, growth.earlier)
        rows.append(
            Row(
                growth.code,
                (label, *numbers, change_cell(growth)),
                (label, *(format_number(n) for n in numbers), change_text(growth)),
            )
        )
    recent = len(quarter_labels) + 1  # the column of the last 4 quarters
    return Figure(
        name=name,
        columns=(
            first_column,
            *quarter_labels,
            _("Last 4 quarters"),
            _("4 quarters before"),
            _("Change (%)"),
        ),
        rows=tuple(rows),
        chart=charts.horizontal_bars(
            [charts.Item(row.cells[0], row.cells[recent], row.texts[recent]) for row in rows]
        ),
        wide=True,
        **shown,
    )


def categories_figure(growth: GrowthFigures, lang: str) -> Figure:
    return growth_figure(
        "categories",
        growth.categories,
        growth.quarters,
        lambda code: tag_label(code, lang),
        _("Category"),
        title=_("Fastest-growing categories"),
        description=_("Projects first published in the last 4 quarters, by category"),
        note=_(
            "Growth compares the projects first published in the last 4 quarters with those"
            " of the 4 quarters before. A category without projects before is new and comes"
            " first. A project can have several categories."
        ),
    )


def specialisations_figure(growth: GrowthFigures, lang: str) -> Figure:
    return growth_figure(
        "specialisations",
        growth.specialisations,
        growth.quarters,
        lambda code: tag_label(code, lang),
        _("Specialisation"),
        title=_("Fastest-growing specialisations"),
        description=_("Projects first published in the last 4 quarters, by specialisation"),
        note=_(
            "Growth is counted as for the categories. A project can have several specialisations."
        ),
    )


def country_growth_figure(growth: GrowthFigures, lang: str) -> Figure:
    return growth_figure(
        "country-growth",
        growth.countries,
        growth.quarters,
        lambda code: geo.country_name(code, lang),
        _("Country"),
        title=_("Projects per country and quarter"),
        description=_("Projects first published in the last 4 quarters, by country"),
        note=_("Growth is counted as for the categories. A project counts in its own country."),
    )


def stages_figure(growth: GrowthFigures, lang: str) -> Figure:
    return counted_figure(
        "stages",
        growth.stages,
        lambda code: tag_label(code, lang),
        title=_("Projects by stage"),
        description=_("Published projects by their current stage"),
        columns=(_("Stage"), _("Projects")),
    )


def stage_move_label(code: str, lang: str) -> str:
    before, after = code.split(":", 1)
    return _("%(before)s → %(after)s", before=tag_label(before, lang), after=tag_label(after, lang))


def stage_moves_figure(moves: tuple[tuple[str, int], ...], lang: str) -> Figure:
    return counted_figure(
        "stage-moves",
        moves,
        lambda code: stage_move_label(code, lang),
        title=_("How projects moved between stages"),
        description=_("Stage changes of published projects in the last 4 quarters"),
        columns=(_("From stage → to stage"), _("Projects")),
        note=_("A stage change counts once a moderator has approved the edit that made it."),
        nothing=_("No project has changed its stage in the last 4 quarters."),
    )


def seeks_figure(growth: GrowthFigures, lang: str) -> Figure:
    return counted_figure(
        "seeks",
        growth.seeks,
        lambda code: tag_label(code, lang),
        title=_("What projects seek"),
        description=_("Published projects by what they seek"),
        columns=(_("Seeks"), _("Projects")),
        note=_("A project can seek several things."),
    )


def kinds_figure(growth: GrowthFigures, lang: str) -> Figure:
    return counted_figure(
        "organisation-kinds",
        growth.organisation_kinds,
        lambda code: tag_label(code, lang),
        title=_("Organisations by kind"),
        description=_("Published organisations by kind"),
        columns=(_("Kind of organisation"), _("Organisations")),
    )


def countries_figure(growth: GrowthFigures, lang: str) -> Figure:
    return counted_figure(
        "organisation-countries",
        growth.organisation_countries,
        lambda code: geo.country_name(code, lang),
        title=_("Organisations by country"),
        description=_("Published organisations by country"),
        columns=(_("Country"), _("Organisations")),
    )


def growth_tables(
    growth: GrowthFigures, moves: tuple[tuple[str, int], ...], lang: str
) -> list[Figure]:
    """Every figure of the Growth block, in the order the page shows them."""
    return [
        quarters_figure(growth),
        categories_figure(growth, lang),
        specialisations_figure(growth, lang),
        country_growth_figure(growth, lang),
        stages_figure(growth, lang),
        stage_moves_figure(moves, lang),
        seeks_figure(growth, lang),
        kinds_figure(growth, lang),
        countries_figure(growth, lang),
    ]


def place_label(place: Place, lang: str) -> str:
    if place.region is None:
        country = geo.country_name(place.country, lang)
        return _("%(country)s, no region given", country=country)
    return geo.place_name(place.country, place.region, lang)


def where_map(places: tuple[Place, ...], labels: list[str], lang: str) -> Markup:
    """Countries shaded by their projects, and a circle with the projects of each region
    (at its centre; a country's projects without a region at the country's)."""
    per_country: dict[str, int] = {}
    for place in places:
        per_country[place.country] = per_country.get(place.country, 0) + place.projects
    largest = max(per_country.values(), default=0)
    points = []
    for place, label in zip(places, labels, strict=True):
        position = geo.coordinates(place.country, place.region)
        if place.projects and position is not None:
            points.append(
                {"label": label, "count": place.projects, "lat": position[0], "lon": position[1]}
            )
    drawn = svg.render_map(
        points,
        lang,
        _("Published projects by country and region"),
        id_prefix="insights-where",
        shades={code: svg.shade(count, largest) for code, count in per_country.items()},
    )
    return Markup(drawn)  # noqa: S704  # nosec B704  # render_map escapes every text


def where_figure(places: tuple[Place, ...], lang: str) -> Figure:
    labels = [place_label(place, lang) for place in places]
    rows = tuple(
        Row(
            place.region or place.country,
            (label, place.projects, place.recent, place.organisations),
            (
                label,
                format_number(place.projects),
                format_number(place.recent),
                format_number(place.organisations),
            ),
        )
        for place, label in zip(places, labels, strict=True)
    )
    return Figure(
        name="places",
        title=_("Where projects are published"),
        description=_("Published projects and organisations by region"),
        columns=(
            _("Region"),
            _("Projects"),
            _("Projects in the last 4 quarters"),
            _("Organisations"),
        ),
        rows=rows,
        chart=None,
        map=where_map(places, labels, lang),
        note=_(
            "The darker a country, the more projects it has published. Each circle shows the"
            " projects of one region."
        ),
    )
