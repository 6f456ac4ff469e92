"""An organiser's report as tables (``tables.Figure``) per event, and as one CSV file.

The CSV holds every table's cells, one per line (event, table, row, column, value), so
that one file covers events whose tables differ; its values are the tables' plain ones.
"""

from __future__ import annotations

from flask_babel import format_date, format_number
from flask_babel import gettext as _

from matchmaker.i18n import DATE_STYLE
from matchmaker.insights import event_tables
from matchmaker.insights.reports import CONTACTS_AFTER, EventReport
from matchmaker.insights.tables import Figure, Row


def timeline_figure(found: EventReport) -> Figure:
    rows = tuple(
        Row(
            day.day.isoformat(),
            (day.day.isoformat(), day.signed_up, day.seats, day.waiting, day.ended),
            (
                format_date(day.day, DATE_STYLE),
                *(format_number(n) for n in (day.signed_up, day.seats, day.waiting, day.ended)),
            ),
        )
        for day in found.days
    )
    return Figure(
        name=f"event-{found.event.id}-sign-ups",
        title=_("Sign-ups, seats and the waiting list"),
        description=_("Sign-ups, seats held and the waiting list at the end of each day"),
        columns=(_("Day"), _("New sign-ups"), _("Seats held"), _("Waiting list"), _("Ended")),
        rows=rows,
        chart=None,
        nothing=_("Nobody has signed up yet."),
        note=_(
            "Seats at the event: %(capacity)s. Each day is counted at its end (UTC) from"
            " when people signed up, got a seat and left; a day without changes is left out."
            " An offered seat counts as held until it is confirmed or lapses.",
            capacity=format_number(found.event.capacity),
        ),
        wide=True,
    )


def contacts_figure(found: EventReport) -> Figure:
    label = _("Contact requests accepted")
    return Figure(
        name=f"event-{found.event.id}-contacts",
        title=_("New contacts"),
        description=_("Contact requests sent or received by the organisation and accepted"),
        columns=(_("Contacts"), _("Number")),
        rows=(Row("accepted", (label, found.contacts), (label, format_number(found.contacts))),),
        chart=None,
        nothing=_(
            "No contact request was accepted from the first day of the event until"
            " %(days)s days after it ended.",
            days=format_number(CONTACTS_AFTER.days),
        ),
        note=_(
            "Accepted from the first day of the event until %(days)s days after it ended.",
            days=format_number(CONTACTS_AFTER.days),
        ),
    )


def event_figures(found: EventReport, lang: str) -> list[Figure]:
    """The tables of one event's section, in the order the report shows them."""
    prefix = f"event-{found.event.id}"
    figures = [
        event_tables.participant_countries_figure(found.countries, lang, f"{prefix}-countries"),
        event_tables.participant_kinds_figure(found.kinds, lang, f"{prefix}-kinds"),
        timeline_figure(found),
    ]
    if found.meetings_on:
        figures.append(
            event_tables.outcomes_figure(found.outcomes, found.meetings, f"{prefix}-meetings")
        )
    figures.append(contacts_figure(found))
    return figures


def csv_header() -> tuple[str, ...]:
    return (_("Event"), _("Title"), _("Table"), _("Code"), _("Row"), _("Column"), _("Value"))


def csv_rows(sections: list[tuple[EventReport, str, list[Figure]]]) -> list[tuple]:
    """Every cell of every table: ``sections`` holds (report, title, tables) per event."""
    rows = []
    for found, title, figures in sections:
        for figure in figures:
            for row in figure.rows:
                label, *values = row.cells
                for column, value in zip(figure.columns[1:], values, strict=True):
                    rows.append(
                        (found.event.id, title, figure.title, row.code, label, column, value)
                    )
    return rows
