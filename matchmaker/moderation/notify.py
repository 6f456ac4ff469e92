"""Tell an item's organisation members about a moderator's decision."""

from __future__ import annotations

from flask import url_for

from matchmaker.alerts import services as alerts
from matchmaker.i18n import language_of
from matchmaker.mail import send_mail
from matchmaker.moderation.models import ModerationDecision
from matchmaker.notifications.services import notify
from matchmaker.organisations.models import Organisation


def tell_members(
    item_type: str, item, organisation: Organisation, record: ModerationDecision
) -> None:
    """In the app and by e-mail; nothing is committed here (the decision's transaction
    holds it)."""
    for membership in organisation.memberships:
        user = membership.user
        lang = language_of(user)
        if item_type == "organisation":
            link = url_for(
                "organisations.manage", lang=lang, organisation_id=item.id, _external=True
            )
        elif item_type == "event":
            link = url_for("event_admin.manage", lang=lang, event_id=item.id, _external=True)
        else:
            link = url_for("projects.manage", lang=lang, project_id=item.id, _external=True)
        data = {"item_type": item_type, "label": record.item_label, "decision": record.decision}
        if record.note:
            data["note"] = record.note
        notify(user, "moderation_decision", data, link=link)
        if "moderation_decision" in (user.email_off or ()):
            continue
        send_mail(
            user.email,
            "moderation_decision",
            lang,
            user=user,
            item_type=item_type,
            label=record.item_label,
            decision=record.decision,
            note=record.note,
            link=link,
        )


def tell_followers(item_type: str, item_id: int) -> None:
    """Notify users whose saved searches match an item published for the first time."""
    endpoint = "register.project" if item_type == "project" else "register.organisation"
    id_name = "project_id" if item_type == "project" else "organisation_id"

    def link_for(user) -> str:
        return url_for(endpoint, lang=language_of(user), _external=True, **{id_name: item_id})

    alerts.tell_followers(item_type, item_id, link_for)
