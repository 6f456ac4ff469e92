"""Imports every model so that Alembic and `db.create_all` see the whole schema."""

from matchmaker.accounts.models import RecoveryCode, User
from matchmaker.accounts.security_log import SecurityEvent
from matchmaker.alerts.models import SavedSearch
from matchmaker.contacts.models import ContactRequest
from matchmaker.events.models import (
    Event,
    EventHost,
    EventMessage,
    EventTag,
    EventText,
    Registration,
)
from matchmaker.insights.models import InsightSnapshot
from matchmaker.jobs import JobRun
from matchmaker.matching.models import MatchDismissal
from matchmaker.meetings.models import (
    Meeting,
    MeetingAbsence,
    MeetingAccess,
    MeetingRequest,
    MeetingSeat,
    MeetingSetup,
)
from matchmaker.moderation.models import ModerationDecision
from matchmaker.notifications.models import Notification
from matchmaker.organisations.models import (
    Membership,
    Organisation,
    OrganisationTag,
    OrganisationText,
)
from matchmaker.outbox.models import OutboxMessage
from matchmaker.projects.models import Project, ProjectTag, ProjectText
from matchmaker.register.models import (
    RegisterEntry,
    RegisterEntryLanguage,
    RegisterEntryTag,
    SearchDocument,
)
from matchmaker.taxonomy.models import Tag

__all__ = [
    "ContactRequest",
    "Event",
    "EventHost",
    "EventMessage",
    "EventTag",
    "EventText",
    "InsightSnapshot",
    "JobRun",
    "MatchDismissal",
    "Meeting",
    "MeetingAbsence",
    "MeetingAccess",
    "MeetingRequest",
    "MeetingSeat",
    "MeetingSetup",
    "Membership",
    "ModerationDecision",
    "Notification",
    "Organisation",
    "OrganisationTag",
    "OrganisationText",
    "OutboxMessage",
    "Project",
    "ProjectTag",
    "ProjectText",
    "RecoveryCode",
    "RegisterEntry",
    "RegisterEntryLanguage",
    "RegisterEntryTag",
    "Registration",
    "SavedSearch",
    "SearchDocument",
    "SecurityEvent",
    "Tag",
    "User",
]
