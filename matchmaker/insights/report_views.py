"""An organisation's report on the events it hosts: a page for its members, printable
one event per page, and the same tables as one CSV file."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from matchmaker.accounts.models import utcnow
from matchmaker.csv_writer import csv_response
from matchmaker.i18n import current_language
from matchmaker.insights import report_tables, reports
from matchmaker.organisations.models import Organisation
from matchmaker.organisations.services import member_organisation
from matchmaker.web import render

bp = Blueprint("reports", __name__)


@bp.before_request
@login_required
def _signed_in_only():
    """Every page here is for signed-in members."""


def _organisation_or_404(organisation_id: int) -> Organisation:
    org = member_organisation(current_user, organisation_id)
    if org is None:
        abort(404)
    return org


def _sections(org: Organisation) -> list[tuple[reports.EventReport, str, list]]:
    """Per event: its report, its title in the reader's language, its tables."""
    lang = current_language()
    return [
        (found, found.event.title_in(lang), report_tables.event_figures(found, lang))
        for found in reports.report(org.id, utcnow())
    ]


@bp.route("/report")
def page(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    return render("insights/report.html", org=org, sections=_sections(org))


@bp.route("/report.csv")
def csv(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    rows = report_tables.csv_rows(_sections(org))
    filename = f"report-{org.id}-{current_language()}.csv"
    return csv_response(report_tables.csv_header(), rows, filename, private=True)
