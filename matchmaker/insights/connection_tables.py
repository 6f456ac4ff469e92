"""The Connections figures as tables (``tables.Figure``) in the reader's language.

An organisation is named as on the register (its approved name) and its row links to
its public page. The CSV files hold the same rows: the organisation's id (or the
country's code) first, then plain numbers, the centrality rounded to 3 decimals.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import format_decimal, format_number
from flask_babel import gettext as _

from matchmaker import geo
from matchmaker.insights import charts
from matchmaker.insights.connections import (
    MATRIX_COUNTRIES,
    OTHER,
    ConnectionFigures,
    Ranked,
)
from matchmaker.insights.tables import Figure, Row
from matchmaker.taxonomy.queries import tag_label

CENTRALITY_DECIMALS = 3


def centrality(item: Ranked) -> float:
    return round(item.centrality, CENTRALITY_DECIMALS)


def centrality_text(item: Ranked) -> str:
    return format_decimal(centrality(item), format="0.000")


def _public_page(item: Ranked) -> str:
    return url_for("register.organisation", organisation_id=item.organisation.id)


def _organisation_row(item: Ranked, *middle: str) -> Row:
    """The organisation's name (linked), ``middle`` texts, partners and centrality."""
    organisation = item.organisation
    return Row(
        str(organisation.id),
        (organisation.name, *middle, item.partners, centrality(item)),
        (organisation.name, *middle, format_number(item.partners), centrality_text(item)),
        href=_public_page(item),
    )


def ranking_figure(connections: ConnectionFigures, lang: str) -> Figure:
    rows = []
    for item in connections.ranking:
        organisation = item.organisation
        country = geo.country_name(organisation.country, lang)
        rows.append(
            Row(
                str(organisation.id),
                (organisation.name, country, item.partners, *item.links, centrality(item)),
                (
                    organisation.name,
                    country,
                    *(format_number(n) for n in (item.partners, *item.links)),
                    centrality_text(item),
                ),
                href=_public_page(item),
            )
        )
    return Figure(
        name="connections",
        title=_("Most connected organisations"),
        description=_("Published organisations with the most partner organisations"),
        columns=(
            _("Organisation"),
            _("Country"),
            _("Partner organisations"),
            _("Contacts accepted"),
            _("Events together"),
            _("Meetings held"),
            _("Centrality"),
        ),
        rows=tuple(rows),
        chart=charts.horizontal_bars(
            [charts.Item(row.cells[0], row.cells[2], row.texts[2]) for row in rows]
        ),
        note=_(
            "Partner organisations: how many different organisations each is linked to."
            " Centrality (betweenness, from 0 to 1): how often it lies on the shortest path"
            " between two other organisations, i.e. how much it connects the others."
        ),
        wide=True,
    )


def _group_figure(
    name: str, title: str, description: str, column: str, groups, lang: str
) -> Figure:
    """One row per organisation among the most connected of each group, the groups by
    their label: ``groups`` holds (label, ranked organisations)."""
    in_order = sorted(groups, key=lambda group: geo.collation_key(group[0], lang))
    rows = tuple(_organisation_row(item, label) for label, items in in_order for item in items)
    return Figure(
        name=name,
        title=title,
        description=description,
        columns=(_("Organisation"), column, _("Partner organisations"), _("Centrality")),
        rows=rows,
        chart=None,
    )


def categories_figure(connections: ConnectionFigures, lang: str) -> Figure:
    groups = [(tag_label(code, lang), items) for code, items in connections.by_category]
    return _group_figure(
        "connections-categories",
        _("Most connected per category"),
        _("The 3 most connected organisations of each innovation category"),
        _("Category"),
        groups,
        lang,
    )


def regions_figure(connections: ConnectionFigures, lang: str) -> Figure:
    groups = [(geo.region_name(code, lang) or code, items) for code, items in connections.by_region]
    return _group_figure(
        "connections-regions",
        _("Most connected per region"),
        _("The 3 most connected organisations of each region"),
        _("Region"),
        groups,
        lang,
    )


def matrix_figure(connections: ConnectionFigures, lang: str) -> Figure:
    codes = (*MATRIX_COUNTRIES, OTHER)
    names = [geo.country_name(code, lang) for code in MATRIX_COUNTRIES] + [_("Other countries")]
    rows = tuple(
        Row(code, (name, *counts), (name, *(format_number(n) for n in counts)))
        for code, name, counts in zip(codes, names, connections.matrix, strict=True)
    )
    return Figure(
        name="connections-countries",
        title=_("Links across borders"),
        description=_("Links between organisations in Poland, Denmark, Norway and other countries"),
        columns=(_("Country"), *names),
        rows=rows,
        chart=None,
        note=_(
            "Each link between two countries is counted in both of their rows; a link within"
            " one country is on the diagonal. This table covers every country."
        ),
    )


def connection_tables(connections: ConnectionFigures, lang: str) -> list[Figure]:
    """Every figure of the Connections block, in the order the page shows them."""
    return [
        ranking_figure(connections, lang),
        categories_figure(connections, lang),
        regions_figure(connections, lang),
        matrix_figure(connections, lang),
    ]
