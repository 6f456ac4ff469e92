"""The "Events" figures of the insights page and the organisers' reports, from plain rows.

Pure, like ``figures``: rows in, counts out. An event counts once it has taken place
(published, its end past: ``insights.event_queries`` reads only those for the public
page) and in the quarter it ended. Its country is its venue's; an online event (no
venue) counts for its host's country. Participants are confirmed sign-ups, counted by
the country and kind of the organisation they came for (people without one are in the
total only). A meeting is counted when it was held (the rule of
``connection_queries.held_meeting_ids``), with what came of it: the furthest either of
the two said (an agreement before talks before nothing), "unanswered" if neither said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matchmaker.insights.figures import Quarter, counts, last_quarters, per_quarter, quarter_of

EVENT_KINDS = ("study_visit", "matchmaking", "conference")
OUTCOME_ORDER = ("agreement", "talks", "none", "unanswered")  # the furthest first
UNANSWERED = "unanswered"


@dataclass(frozen=True)
class EventRow:
    id: int
    kind: str
    country: str  # the venue's, else the host's
    ended: date


@dataclass(frozen=True)
class ParticipantRow:
    """One confirmed sign-up: the country and kind of the organisation, None without one."""

    event_id: int
    country: str | None
    kind: str | None


@dataclass(frozen=True)
class MeetingRow:
    """One held meeting and what each of the two said came of it (None: not answered)."""

    event_id: int
    outcomes: tuple[str | None, ...]


@dataclass(frozen=True)
class EventFigures:
    quarters: tuple[Quarter, ...]
    per_quarter: tuple[tuple[int, ...], ...]  # per quarter: events of each EVENT_KINDS
    events: int
    participants: int
    participant_countries: tuple[tuple[str, int], ...]
    participant_kinds: tuple[tuple[str, int], ...]
    meetings: int
    outcomes: tuple[tuple[str, int], ...]  # in OUTCOME_ORDER, only those that occur


def meeting_outcome(outcomes: Iterable[str | None]) -> str:
    """The furthest either side said came of the meeting."""
    said = set(outcomes)
    return next((code for code in OUTCOME_ORDER if code in said), UNANSWERED)


def outcome_counts(meetings: Iterable[MeetingRow]) -> tuple[tuple[str, int], ...]:
    counted = dict(counts(meeting_outcome(meeting.outcomes) for meeting in meetings))
    return tuple((code, counted[code]) for code in OUTCOME_ORDER if code in counted)


def event_figures(
    events: Iterable[EventRow],
    participants: Iterable[ParticipantRow],
    meetings: Iterable[MeetingRow],
    today: date,
    country: str | None = None,
) -> EventFigures:
    """The events held in the last 8 quarters (of one country, or every one for None),
    the people who came to them and the meetings held there."""
    quarters = last_quarters(today)
    shown = [
        event
        for event in events
        if quarter_of(event.ended) >= quarters[0] and country in (None, event.country)
    ]
    ids = {event.id for event in shown}
    came = [row for row in participants if row.event_id in ids]
    held = [row for row in meetings if row.event_id in ids]
    by_kind = [per_quarter((e.ended for e in shown if e.kind == k), quarters) for k in EVENT_KINDS]
    return EventFigures(
        quarters=quarters,
        per_quarter=tuple(zip(*by_kind, strict=True)),
        events=len(shown),
        participants=len(came),
        participant_countries=counts(row.country for row in came),
        participant_kinds=counts(row.kind for row in came),
        meetings=len(held),
        outcomes=outcome_counts(held),
    )


# --- an organiser's report: sign-ups, seats and the waiting list, day by day -----------------


@dataclass(frozen=True)
class SignUp:
    """One registration's timestamps. It waits from ``created`` until it gets a seat
    (``seated``: confirmed or offered) or ends; it holds a seat from ``seated`` until
    ``ended`` (cancelled, removed, lapsed)."""

    created: datetime
    seated: datetime | None
    ended: datetime | None


@dataclass(frozen=True)
class Day:
    day: date
    signed_up: int  # new sign-ups that day
    seats: int  # seats held at the end of the day
    waiting: int  # on the waiting list at the end of the day
    ended: int  # sign-ups that ended that day


def _day(moment: datetime) -> date:
    return moment.date()


def _holds_seat(sign_up: SignUp, day: date) -> bool:
    seated = sign_up.seated is not None and _day(sign_up.seated) <= day
    return seated and not (sign_up.ended is not None and _day(sign_up.ended) <= day)


def _waits(sign_up: SignUp, day: date) -> bool:
    started = _day(sign_up.created) <= day
    left = (sign_up.seated is not None and _day(sign_up.seated) <= day) or (
        sign_up.ended is not None and _day(sign_up.ended) <= day
    )
    return started and not left


def timeline(sign_ups: Iterable[SignUp], last: date) -> tuple[Day, ...]:
    """The days from the first sign-up to ``last`` (the event's last day, or today while
    it is ahead) on which something changed, each counted at the end of the day (in UTC);
    a day left out is the same as the one before it."""
    sign_ups = list(sign_ups)
    if not sign_ups:
        return ()
    first = min(_day(s.created) for s in sign_ups)
    shown: list[Day] = []
    before = (0, 0)
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        row = Day(
            day=day,
            signed_up=sum(1 for s in sign_ups if _day(s.created) == day),
            seats=sum(1 for s in sign_ups if _holds_seat(s, day)),
            waiting=sum(1 for s in sign_ups if _waits(s, day)),
            ended=sum(1 for s in sign_ups if s.ended is not None and _day(s.ended) == day),
        )
        if row.signed_up or row.ended or (row.seats, row.waiting) != before:
            shown.append(row)
        before = (row.seats, row.waiting)
    return tuple(shown)
