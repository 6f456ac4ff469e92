"""Match lists of published projects and organisations, and "not relevant" dismissals.

Each list is a full page (for links and no JavaScript) and, for HTMX, the ``#matches``
section alone, which the tabs on the project and organisation pages load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from matchmaker.display import pick_text
from matchmaker.matching import completeness, engine, list_filters, present, service
from matchmaker.matching.models import DISMISSAL_REASONS
from matchmaker.matching.profiles import ITEM_TYPES, ItemKey
from matchmaker.matching.rules import ListKind
from matchmaker.register.models import RegisterEntry
from matchmaker.register.queries import entry as register_entry
from matchmaker.register.queries import organisation_names
from matchmaker.web import LARGEST_ID, is_htmx, redirect_to, render

bp = Blueprint("matching", __name__)

LISTS = {"project": service.PROJECT_LISTS, "organisation": service.ORGANISATION_LISTS}
TAB_LABELS = {
    ListKind.PROJECT_PARTNERS: _l("Partners"),
    ListKind.PROJECT_INVESTORS: _l("Investors"),
    ListKind.PROJECT_CLUSTERS: _l("Clusters"),
    ListKind.ORGANISATION_PARTNERS: _l("Partners"),
    ListKind.ORGANISATION_INVESTORS: _l("Investors"),
    ListKind.ORGANISATION_CLUSTERS: _l("Clusters"),
    ListKind.INVESTOR_PROJECTS: _l("Recommended projects"),
}
FILTER_NAMES = (*list_filters.FIELDS, list_filters.NEEDS_MY_OFFER)
WHY_LENGTH = 100  # a name typed into "Why isn't … here?"
LOWERING_REASONS = ("too_far", "wrong_field", "wrong_stage")
# The element that loads the first list with the page: that load
# must not move the reader's focus, a click on a tab must.
LOADER_ID = "matches-loader"


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    url: str
    current: bool = False


def list_url(item_type: str, item_id: int, list_name: str, **args) -> str:
    if item_type == "project":
        return url_for("matching.project_matches", project_id=item_id, list_name=list_name, **args)
    return url_for(
        "matching.organisation_matches", organisation_id=item_id, list_name=list_name, **args
    )


def _action_url(
    item_type: str, item_id: int, list_name: str, action: str, page: int, **filters
) -> str:
    args = {"list_name": list_name, "action": action, "page": page, **filters}
    if item_type == "project":
        return url_for("matching.project_dismissal", project_id=item_id, **args)
    return url_for("matching.organisation_dismissal", organisation_id=item_id, **args)


@bp.app_template_global("match_tabs")
def match_tabs(entry: RegisterEntry, current: str | None = None) -> list[Tab]:
    """The lists a published entry has, as tabs (the first when none is current)."""
    return [
        Tab(
            name,
            str(TAB_LABELS[kind]),
            list_url(entry.item_type, entry.item_id, name),
            name == current,
        )
        for name, kind in service.lists_of(entry.item_type, entry.org_kind).items()
    ]


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        return 1


@bp.app_template_global("entry_title")
def entry_title(entry: RegisterEntry) -> tuple[str, str]:
    """(title, its language) of an entry in the reader's language, else the original."""
    lang, texts, _fallback = pick_text(entry.snapshot.get("texts", {}), entry.original_language)
    if entry.item_type == "project":
        return texts.get("title") or entry.sort_title, lang
    return entry.sort_title, entry.original_language


def _is_member(organisation_id: int) -> bool:
    return current_user.is_authenticated and service.is_member(current_user.id, organisation_id)


def _show(item_type: str, item_id: int, list_name: str, notice: Markup | str | None = None):
    kind = LISTS[item_type].get(list_name)
    subject_profile = service.published_subject(item_type, item_id)
    if kind is None or subject_profile is None:
        abort(404)
    filters = list_filters.filters_of(
        kind, subject_profile, request.args, *service.register_countries_and_languages()
    )
    viewer = current_user.id if current_user.is_authenticated else None
    salt = service.tie_salt(viewer, datetime.now(UTC).date())
    member = _is_member(subject_profile.organisation_id)
    result = service.match_page(item_type, item_id, kind, _page_number(), tie_salt=salt,
                                narrowed=filters.narrowed, for_member=member)  # fmt: skip
    if result is None:
        abort(404)
    chosen = filters.query()
    why = request.args.get("why", "").strip()[:WHY_LENGTH]
    why_items = (
        service.why_not(item_type, item_id, kind, why, salt, filters.narrowed, member)
        if why
        else []
    )
    subject = result.subject_entry
    project_owners = {
        item.entry.organisation_id for item in result.items if item.entry.item_type == "project"
    }
    return render(
        "matching/matches.html",
        partial="matching/_panel.html",
        result=result,
        subject=subject,
        subject_title=entry_title(subject),
        list_name=list_name,
        list_label=TAB_LABELS[kind],
        tabs=match_tabs(subject, list_name),
        organisation_names=organisation_names(project_owners),
        title_of=entry_title,
        reason_text=present.reason_text,
        score_label=present.score_label,
        points_text=present.points_text,
        member=member,
        dismissed=service.dismissed_entries(result.subject.organisation_id) if member else [],
        nothing_to_match=_nothing_to_match(result.subject, kind),
        notice=notice,
        focus=is_htmx() and request.headers.get("HX-Trigger") != LOADER_ID,
        filters=filters,
        why=why,
        why_items=why_items,
        verdict_text=present.verdict_text,
        dismissal_reasons=present.DISMISSAL_REASON_LABELS,
        list_url=list_url(item_type, item_id, list_name),
        page_url=lambda number: list_url(item_type, item_id, list_name, page=number, **chosen),
        action_url=lambda action: _action_url(
            item_type, item_id, list_name, action, result.page, **chosen
        ),
    )


def _nothing_to_match(subject, kind: ListKind) -> bool:
    """The subject names nothing this list compares (no tags of those roles, none read
    from its texts): more organisations being published will not change that."""
    spec = engine.list_rules(kind)
    return spec.require_shared_tag and not engine.relevant_tags(subject, kind)


@bp.route("/projects/<int:project_id>/matches/<any(partners, investors, clusters):list_name>")
def project_matches(project_id: int, list_name: str):
    return _show("project", project_id, list_name)


@bp.route(
    "/organisations/<int:organisation_id>/matches/<any(partners, investors, clusters, projects):list_name>"
)
def organisation_matches(organisation_id: int, list_name: str):
    return _show("organisation", organisation_id, list_name)


def _change(item_type: str, item_id: int, list_name: str, undo: bool):
    """Dismiss a match, or undo that, on behalf of the subject's organisation."""
    if list_name not in LISTS[item_type]:
        abort(404)
    subject = register_entry(item_type, item_id)
    if subject is None:
        abort(404)
    if not _is_member(subject.organisation_id):
        abort(403)
    target_type = request.form.get("item_type", "")
    try:
        target_id = int(request.form.get("item_id", ""))
    except ValueError:
        abort(400)
    if target_type not in ITEM_TYPES or not 0 < target_id <= LARGEST_ID:
        abort(400)
    target = register_entry(target_type, target_id)
    if target is None:
        abort(404)
    key = ItemKey(target_type, target_id)
    name = entry_title(target)[0]
    reason = request.form.get("reason") or None
    if reason is not None and reason not in DISMISSAL_REASONS:
        abort(400)
    if undo:
        service.undo_dismissal(current_user.id, subject.organisation_id, key)
        notice = _("%(name)s is back in your lists.", name=name)
    else:
        service.dismiss(current_user.id, subject.organisation_id, key, reason)
        notice = _(
            "%(name)s is hidden from your lists as not relevant. You can undo this below.",
            name=name,
        )
        if reason in LOWERING_REASONS:
            notice += " " + _("Similar ones now rank lower in your organisation's lists.")
    if is_htmx():
        return _show(item_type, item_id, list_name, notice=notice)
    flash(notice, "success")
    kept = {name: request.args[name] for name in FILTER_NAMES if request.args.get(name)}
    return redirect_to(list_url(item_type, item_id, list_name, page=_page_number(), **kept))


@bp.route(
    "/projects/<int:project_id>/matches/<list_name>/<any(dismiss, undo):action>",
    methods=["POST"],
)
def project_dismissal(project_id: int, list_name: str, action: str):
    return _change("project", project_id, list_name, undo=action == "undo")


@bp.route(
    "/organisations/<int:organisation_id>/matches/<list_name>/<any(dismiss, undo):action>",
    methods=["POST"],
)
def organisation_dismissal(organisation_id: int, list_name: str, action: str):
    return _change("organisation", organisation_id, list_name, undo=action == "undo")


# --- the profile checklist on members' pages ------------------------------------------------

TAG_FIELDS = ("need", "capability", "category", "specialisation", "focus_area",
              "preferred_stage", "seeks")  # fmt: skip


def _filled(item, item_type: str) -> set[str]:
    """The fields completeness reads that an organisation or a project has filled."""
    filled = {role for role in TAG_FIELDS if item.tag_codes(role)}
    if item.region:
        filled.add("region")
    if item_type == "organisation":
        if item.working_languages:
            filled.add("working_languages")
        if item.ticket_min_eur is not None or item.ticket_max_eur is not None:
            filled.add("ticket")
    else:
        if item.stage:
            filled.add("stage")
        if item.funding_min_eur is not None or item.funding_max_eur is not None:
            filled.add("funding")
    return filled


bp.add_app_template_global(present.checklist_field, "checklist_field")


@bp.app_template_global("profile_checklist")
def profile_checklist(item, item_type: str) -> completeness.Completeness:
    """What the organisation or project (its draft, as members edit it) lacks for
    matching. For members' pages only."""
    kind = item.kind if item_type == "organisation" else item.organisation.kind
    return completeness.completeness(item_type, kind, _filled(item, item_type))
