"""The Events figures as tables (``tables.Figure``) in the reader's language, for the
public page and, per event, for the organisers' reports."""

from __future__ import annotations

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matchmaker import geo
from matchmaker.events.forms import KIND_LABELS
from matchmaker.insights import charts
from matchmaker.insights.events import EVENT_KINDS, EventFigures
from matchmaker.insights.tables import Figure, Row, counted_figure, quarter_code, quarter_label
from matchmaker.taxonomy.queries import tag_label

OUTCOME_LABELS = {
    "agreement": _l("An agreement or a project"),
    "talks": _l("Talks have started"),
    "none": _l("No follow-up"),
    "unanswered": _l("Not answered"),
}


def events_figure(found: EventFigures) -> Figure:
    rows = []
    for quarter, numbers in zip(found.quarters, found.per_quarter, strict=True):
        numbers = (*numbers, sum(numbers))
        label = quarter_label(quarter)
        rows.append(
            Row(
                quarter_code(quarter),
                (label, *numbers),
                (label, *(format_number(n) for n in numbers)),
            )
        )
    total = len(EVENT_KINDS) + 1
    return Figure(
        name="events",
        title=_("Events held per quarter"),
        description=_("Events that took place in each of the last 8 quarters, by kind"),
        columns=(_("Quarter"), *(str(KIND_LABELS[kind]) for kind in EVENT_KINDS), _("Events")),
        rows=tuple(rows),
        chart=charts.columns(
            [charts.Item(row.cells[0], row.cells[total], row.texts[total]) for row in rows]
        ),
        note=_(
            "An event counts in the quarter it ended, for the country of its venue (an"
            " online event for its host's country)."
        ),
        wide=True,
    )


def participant_countries_figure(pairs, lang: str, name: str = "participant-countries") -> Figure:
    return counted_figure(
        name,
        pairs,
        lambda code: geo.country_name(code, lang),
        title=_("Participants by country"),
        description=_("Confirmed participants by the country of their organisation"),
        columns=(_("Country"), _("Participants")),
        nothing=_("No confirmed participants yet."),
    )


def participant_kinds_figure(pairs, lang: str, name: str = "participant-kinds") -> Figure:
    return counted_figure(
        name,
        pairs,
        lambda code: tag_label(code, lang),
        title=_("Participants by kind of organisation"),
        description=_("Confirmed participants by the kind of their organisation"),
        columns=(_("Kind of organisation"), _("Participants")),
        nothing=_("No confirmed participants yet."),
    )


def outcomes_figure(pairs, meetings: int, name: str = "meetings") -> Figure:
    return counted_figure(
        name,
        pairs,
        lambda code: str(OUTCOME_LABELS[code]),
        title=_("1:1 meetings held and what came of them"),
        description=_("Meetings held, by what came of them"),
        columns=(_("What came of it"), _("Meetings")),
        nothing=_("No 1:1 meeting has been held yet."),
        note=" ".join(
            (
                ngettext(
                    "%(count)s meeting held.",
                    "%(count)s meetings held.",
                    meetings,
                    count=format_number(meetings),
                ),
                _(
                    "A meeting counts as held when one of the two said so and neither said"
                    " the other never came; it counts for the furthest either of them said"
                    " came of it."
                ),
            )
        ),
    )


def event_tables(found: EventFigures, lang: str) -> list[Figure]:
    """Every figure of the Events block, in the order the page shows them."""
    return [
        events_figure(found),
        participant_countries_figure(found.participant_countries, lang),
        participant_kinds_figure(found.participant_kinds, lang),
        outcomes_figure(found.outcomes, found.meetings),
    ]
