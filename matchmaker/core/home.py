"""A member's home: what waits for their answer, what is new since their last visit and
what is coming up.

Plain queries over the user and a moment `now`, read as small dataclasses: no request,
no templates. Each block of "to do" and "coming up" is one statement (events bring their
titles with one more), so the page costs the same for a member of one organisation or of
five with thirty projects. "New since your last visit" ranks every list of every published
item of theirs against what was published since, so the page loads it on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, lazyload, selectinload

from matchmaker.accounts.models import User
from matchmaker.alerts import services as alerts
from matchmaker.contacts.models import ContactRequest
from matchmaker.events import times
from matchmaker.events.models import Event, EventHost, Registration
from matchmaker.extensions import db
from matchmaker.matching import service as matching_service
from matchmaker.matching.service import NewMatches
from matchmaker.meetings.models import Meeting, MeetingRequest, MeetingSeat, MeetingSetup
from matchmaker.notifications.models import Notification
from matchmaker.onboarding import services as onboarding
from matchmaker.onboarding import steps
from matchmaker.organisations import members
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.projects.models import Project, ProjectText
from matchmaker.register import queries as register_queries

CONTACT_REQUESTS_SHOWN = 10
COMING_UP_SHOWN = 5
COMING_UP_DAYS = 30
NEW_MATCHES_SHOWN = 3  # of each list of each published item
SAVED_SEARCH_NEWS_SHOWN = 5


# --- what the page shows -------------------------------------------------------------------


@dataclass(frozen=True)
class EventTitle:
    """Enough of an event to name it in the reader's language (`texts` as
    `Event.texts_by_language`, for `display.pick_text`)."""

    id: int
    texts: dict[str, dict[str, str]]
    original_language: str


@dataclass(frozen=True)
class ContactRequestToDo:
    request_id: int
    sender: str
    recipient: str


@dataclass(frozen=True)
class MeetingRequestsToDo:
    """The requests for a meeting with the member at one event, waiting for their answer."""

    event: EventTitle
    count: int


@dataclass(frozen=True)
class ItemToDo:
    """An organisation or project of the member's, returned by a moderator or a draft."""

    kind: str  # "organisation" or "project"
    id: int
    name: str  # "" for a project without a title yet
    status: str  # "returned" or "draft"
    note: str


@dataclass(frozen=True)
class JoinRequestsToDo:
    """People asking to join an organisation the member owns."""

    organisation_id: int
    organisation: str
    count: int


@dataclass(frozen=True)
class ToDo:
    contact_requests: list[ContactRequestToDo]
    more_contact_requests: bool
    meeting_requests: list[MeetingRequestsToDo]
    returned: list[ItemToDo]
    drafts: list[ItemToDo]
    join_requests: list[JoinRequestsToDo] = field(default_factory=list)
    setup_steps_left: int = 0  # of the first steps (onboarding)

    @property
    def empty(self) -> bool:
        return not (
            self.contact_requests
            or self.meeting_requests
            or self.returned
            or self.drafts
            or self.join_requests
            or self.setup_steps_left
        )


@dataclass(frozen=True)
class ComingEvent:
    event: EventTitle
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    online: bool
    has_seat: bool
    host: str

    def when(self, locale: str) -> str:
        return times.when(self.starts_at, self.ends_at, self.timezone, locale)


@dataclass(frozen=True)
class ComingMeeting:
    id: int
    event: EventTitle
    other: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    table_number: int
    table_name: str | None
    video: str | None  # an online meeting's address
    place: str  # the event's

    def when(self, locale: str) -> str:
        return times.when(self.starts_at, self.ends_at, self.timezone, locale)


@dataclass(frozen=True)
class ComingUp:
    events: list[ComingEvent]
    meetings: list[ComingMeeting]
    days: int = COMING_UP_DAYS

    @property
    def empty(self) -> bool:
        return not (self.events or self.meetings)


@dataclass(frozen=True)
class MemberHome:
    to_do: ToDo
    coming_up: ComingUp


def for_member(user: User, now: datetime) -> MemberHome:
    return MemberHome(to_do=to_do(user, now), coming_up=coming_up(user, now))


# --- to do ---------------------------------------------------------------------------------


def _organisations(user: User):
    """The user's organisation ids, as a subquery: every block stays one statement."""
    return select(Membership.organisation_id).where(Membership.user_id == user.id)


def _event_title(event: Event) -> EventTitle:
    return EventTitle(event.id, event.texts_by_language(), event.original_language)


def _titles_only():
    """Load events with their texts (one query for all the events of a statement), not
    their tags, co-hosts and host (whose own texts and tags would follow)."""
    return (
        selectinload(Event.texts),
        lazyload(Event.tags),
        lazyload(Event.co_hosts),
        lazyload(Event.organisation),
    )


def to_do(user: User, now: datetime) -> ToDo:
    requests, more = contact_requests(user)
    items = items_to_do(user)
    return ToDo(
        contact_requests=requests,
        more_contact_requests=more,
        meeting_requests=meeting_requests(user, now),
        returned=[item for item in items if item.status == "returned"],
        drafts=[item for item in items if item.status == "draft"],
        join_requests=join_requests(user),
        setup_steps_left=_setup_steps_left(user),
    )


def join_requests(user: User) -> list[JoinRequestsToDo]:
    """Requests to join the organisations the member owns, counted per organisation."""
    counts: dict[int, JoinRequestsToDo] = {}
    for request in members.pending_join_requests_for_owner(user):
        seen = counts.get(request.organisation_id)
        counts[request.organisation_id] = JoinRequestsToDo(
            request.organisation_id, request.organisation.name, (seen.count if seen else 0) + 1
        )
    return list(counts.values())


def _setup_steps_left(user: User) -> int:
    """The first steps a member has not taken (none for moderators and administrators)."""
    if user.role != "member":
        return 0
    return steps.left(steps.progress(onboarding.situation_of(user)))


def contact_requests(user: User) -> tuple[list[ContactRequestToDo], bool]:
    """Pending requests to the user's organisations, oldest first (the first to expire),
    and whether there are more than are shown."""
    sender, recipient = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(ContactRequest.id, sender.name, recipient.name)
        .join(sender, sender.id == ContactRequest.sender_org_id)
        .join(recipient, recipient.id == ContactRequest.recipient_org_id)
        .where(
            ContactRequest.recipient_org_id.in_(_organisations(user)),
            ContactRequest.status == "pending",
        )
        .order_by(ContactRequest.created_at, ContactRequest.id)
        .limit(CONTACT_REQUESTS_SHOWN + 1)
    ).all()
    found = [ContactRequestToDo(*row) for row in rows[:CONTACT_REQUESTS_SHOWN]]
    return found, len(rows) > CONTACT_REQUESTS_SHOWN


def meeting_requests(user: User, now: datetime) -> list[MeetingRequestsToDo]:
    """Per event still to end, with its meetings on, the requests the user may answer."""
    waiting = (
        select(MeetingRequest.event_id, func.count().label("count"))
        .where(
            MeetingRequest.recipient_id == user.id,
            MeetingRequest.status == "pending",
            or_(MeetingRequest.expires_at.is_(None), MeetingRequest.expires_at > now),
        )
        .group_by(MeetingRequest.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Event, waiting.c.count)
        .join(waiting, waiting.c.event_id == Event.id)
        .join(MeetingSetup, MeetingSetup.event_id == Event.id)
        .where(Event.status == "published", Event.ends_at > now, MeetingSetup.enabled.is_(True))
        .order_by(Event.starts_at, Event.id)
        .options(*_titles_only())
    ).all()
    return [MeetingRequestsToDo(_event_title(event), count) for event, count in rows]


def items_to_do(user: User) -> list[ItemToDo]:
    """The user's organisations, then projects, that a moderator returned or that are
    drafts, each kind by name."""
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.status, Organisation.moderator_note)
        .where(
            Organisation.id.in_(_organisations(user)),
            Organisation.status.in_(("returned", "draft")),
        )
        .order_by(Organisation.name, Organisation.id)
    ).all()
    projects = db.session.execute(
        select(Project.id, ProjectText.title, Project.status, Project.moderator_note)
        .outerjoin(
            ProjectText,
            and_(
                ProjectText.project_id == Project.id,
                ProjectText.lang == Project.original_language,
            ),
        )
        .where(
            Project.organisation_id.in_(_organisations(user)),
            Project.status.in_(("returned", "draft")),
        )
        .order_by(ProjectText.title, Project.id)
    ).all()
    return [
        *(ItemToDo("organisation", *row[:3], row[3] or "") for row in organisations),
        *(ItemToDo("project", row[0], row[1] or "", row[2], row[3] or "") for row in projects),
    ]


# --- coming up -----------------------------------------------------------------------------


def coming_up(user: User, now: datetime, days: int = COMING_UP_DAYS) -> ComingUp:
    horizon = now + timedelta(days=days)
    return ComingUp(
        events=coming_events(user, now, horizon),
        meetings=coming_meetings(user, now, horizon),
        days=days,
    )


def coming_events(user: User, now: datetime, horizon: datetime) -> list[ComingEvent]:
    """Published events under way or starting before `horizon`, soonest first, at which
    the user has a seat or that their organisations host or co-host."""
    seat = exists().where(
        Registration.event_id == Event.id,
        Registration.user_id == user.id,
        Registration.status == "confirmed",
    )
    co_hosted = select(EventHost.event_id).where(
        EventHost.organisation_id.in_(_organisations(user))
    )
    rows = db.session.execute(
        select(Event, seat.label("has_seat"), Organisation.name)
        .join(Organisation, Organisation.id == Event.organisation_id)
        .where(
            Event.status == "published",
            Event.ends_at > now,
            Event.starts_at < horizon,
            or_(
                seat,
                Event.organisation_id.in_(_organisations(user)),
                Event.id.in_(co_hosted),
            ),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(COMING_UP_SHOWN)
        .options(*_titles_only())
    ).all()
    return [
        ComingEvent(
            event=_event_title(event),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            timezone=event.timezone,
            place=event.place,
            online=event.online,
            has_seat=bool(has_seat),
            host=host,
        )
        for event, has_seat, host in rows
    ]


def coming_meetings(user: User, now: datetime, horizon: datetime) -> list[ComingMeeting]:
    """The user's booked meetings not yet over that start before `horizon`, soonest first."""
    mine, theirs = aliased(MeetingSeat), aliased(MeetingSeat)
    rows = db.session.execute(
        select(Meeting, User.name, Event, MeetingSetup)
        .join(mine, and_(mine.meeting_id == Meeting.id, mine.user_id == user.id))
        .join(theirs, and_(theirs.meeting_id == Meeting.id, theirs.user_id != user.id))
        .join(User, User.id == theirs.user_id)
        .join(Event, Event.id == Meeting.event_id)
        .join(MeetingSetup, MeetingSetup.event_id == Meeting.event_id)
        .where(
            Meeting.status == "booked",
            Event.status == "published",
            Meeting.ends_at > now,
            Meeting.starts_at < horizon,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(COMING_UP_SHOWN)
        .options(*_titles_only())
    ).all()
    found = []
    for meeting, other, event, setup in rows:
        found.append(
            ComingMeeting(
                id=meeting.id,
                event=_event_title(event),
                other=other,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                timezone=event.timezone,
                table_number=meeting.table_number,
                table_name=setup.table_name(meeting.table_number),
                video=meeting.video_address(event, setup.video_pattern),
                place=event.place,
            )
        )
    return found


# --- new since the last visit --------------------------------------------------------------


@dataclass(frozen=True)
class SavedSearchNews:
    """Items published since the last visit that one of the member's saved searches found
    (the notifications those searches raised)."""

    items: list[tuple[str, str]]  # (title, link), newest first
    total: int


@dataclass(frozen=True)
class NewSinceLastVisit:
    since: datetime
    matches: list[NewMatches]
    saved: SavedSearchNews

    @property
    def empty(self) -> bool:
        return not (self.matches or self.saved.total)


def last_visit(user: User) -> datetime:
    """The login before this one (the account's creation on the first)."""
    return user.previous_login_at or user.created_at


def new_since_last_visit(user: User, now: datetime) -> NewSinceLastVisit:
    """New matches of each published project and organisation of the member's (the best
    NEW_MATCHES_SHOWN of each list) and what their saved searches found, since the login
    before this one."""
    since = last_visit(user)
    ids = set(db.session.scalars(select(Membership.organisation_id).where(
        Membership.user_id == user.id)))  # fmt: skip
    subjects = register_queries.entries_of_organisations(ids)
    salt = matching_service.tie_salt(user.id, now.date())
    return NewSinceLastVisit(
        since=since,
        matches=matching_service.new_matches(subjects, since, NEW_MATCHES_SHOWN, salt),
        saved=_saved_search_news(user, since),
    )


def _saved_search_news(user: User, since: datetime) -> SavedSearchNews:
    found = (
        select(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.kind == alerts.NOTIFICATION_KIND,
            Notification.created_at > since,
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    notes = db.session.scalars(found.limit(SAVED_SEARCH_NEWS_SHOWN)).all()
    total = len(notes)
    if total == SAVED_SEARCH_NEWS_SHOWN:
        total = db.session.scalar(select(func.count()).select_from(found.subquery()))
    return SavedSearchNews([(note.data.get("label", ""), note.link) for note in notes], total)
