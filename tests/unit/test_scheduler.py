"""Schedule all (matchmaker.meetings.scheduler): every schedule keeps the rules, the solver
finds the most meetings on small instances (checked by brute force), kept meetings never
move, and every meeting left out comes with the reason why."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matchmaker.meetings import annealing, scheduler
from matchmaker.meetings.scheduler import (
    BadProblem,
    Person,
    Placement,
    Problem,
    Request,
    gaps_of,
)

ONE_SESSION = (0, 0, 0, 0)


def problem(
    requests, slots=ONE_SESSION, tables=1, most=8, away=None, keep=None, movable=None
) -> Problem:
    people = {p for pair in requests for p in pair}
    away = away or {}
    return Problem(
        sessions=tuple(slots),
        tables=tables,
        people={p: Person(p, most, frozenset(away.get(p, ()))) for p in people},
        requests=tuple(Request(n, a, b) for n, (a, b) in enumerate(requests, start=1)),
        keep=keep or {},
        movable=movable or {},
    )


def assert_keeps_the_rules(p: Problem, schedule: scheduler.Schedule) -> None:
    people_at, tables_at = set(), set()
    count: Counter = Counter()
    assert set(schedule.placed) | set(schedule.unplaced) == {r.id for r in p.requests}
    assert not set(schedule.placed) & set(schedule.unplaced)
    for request_id, where in schedule.placed.items():
        r = p.request(request_id)
        assert 0 <= where.slot < p.slot_count and 1 <= where.table <= p.tables
        assert (where.slot, where.table) not in tables_at, "a table twice in one slot"
        tables_at.add((where.slot, where.table))
        for person in (r.a, r.b):
            assert (person, where.slot) not in people_at, "a person twice in one slot"
            people_at.add((person, where.slot))
            count[person] += 1
            if request_id not in p.keep:
                assert where.slot not in p.people[person].away, "booked while away"
    for person, meetings in count.items():
        assert meetings <= max(p.people[person].max_meetings, _kept_count(p, person))
    for request_id, where in p.keep.items():
        assert schedule.placed[request_id] == where, "a kept meeting moved"
    assert set(p.movable) <= set(schedule.placed), "a released meeting lost its time"
    assert schedule.report.placed == len(schedule.placed)
    assert schedule.report.placed <= schedule.report.bound
    for request_id, why in schedule.unplaced.items():
        assert_the_reason_is_true(p, schedule, p.request(request_id), why)


def assert_the_reason_is_true(p: Problem, schedule, r: Request, why) -> None:
    """Each meeting left out says truly why; none could simply have been placed."""
    busy = {(person, where.slot) for rid, where in schedule.placed.items()
            for person in (p.request(rid).a, p.request(rid).b)}  # fmt: skip
    used = Counter(where.slot for where in schedule.placed.values())
    count = Counter(person for person, _slot in busy)
    available = [s for s in range(p.slot_count)
                 if s not in p.people[r.a].away | p.people[r.b].away]  # fmt: skip
    free = [s for s in available if (r.a, s) not in busy and (r.b, s) not in busy]
    if why.reason == "no_common_slot":
        assert not available
    elif why.reason == "person_full":
        assert count[why.person] >= p.people[why.person].max_meetings
    elif why.reason == "both_busy":
        assert available and not free
    elif why.reason == "no_table":
        assert free and all(used[s] >= p.tables for s in free)
    else:
        pytest.fail(f"request {r.id} left out for {why.reason!r}")


def _kept_count(p: Problem, person: int) -> int:
    return sum(1 for r in p.keep if person in (p.request(r).a, p.request(r).b))


def brute_force_most(p: Problem) -> int:
    """The most meetings, by trying every assignment (tiny problems only)."""
    choices = [None, *range(p.slot_count)]
    best = 0
    free = [r for r in p.requests if r.id not in p.keep]
    for assignment in itertools.product(choices, repeat=len(free)):
        placed = {r.id: slot for r, slot in zip(free, assignment, strict=True) if slot is not None}
        if not set(p.movable) <= set(placed):
            continue  # a released meeting keeps a time
        placed.update({r: where.slot for r, where in p.keep.items()})
        if _feasible(p, placed):
            best = max(best, len(placed))
    return best


def _feasible(p: Problem, placed: dict[int, int]) -> bool:
    busy: set = set()
    tables: Counter = Counter()
    count: Counter = Counter()
    for request_id, slot in placed.items():
        r = p.request(request_id)
        tables[slot] += 1
        for person in (r.a, r.b):
            if (person, slot) in busy:
                return False
            if request_id not in p.keep and slot in p.people[person].away:
                return False
            busy.add((person, slot))
            count[person] += 1
    if any(n > p.tables for n in tables.values()):
        return False
    return all(
        n <= max(p.people[person].max_meetings, _kept_count(p, person))
        for person, n in count.items()
    )


@st.composite
def small_problems(draw, most_requests: int = 6):
    slots = draw(st.integers(1, 4))
    sessions = tuple(sorted(draw(st.lists(st.integers(0, 1), min_size=slots, max_size=slots))))
    people = draw(st.integers(2, 5))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(1, people), st.integers(1, people)).filter(lambda t: t[0] < t[1]),
            min_size=1,
            max_size=most_requests,
            unique=True,
        )
    )
    away = {
        person: draw(st.frozensets(st.integers(0, slots - 1), max_size=slots))
        for person in range(1, people + 1)
    }
    tables = draw(st.integers(1, 2))
    most = draw(st.integers(1, 3))
    p = problem(pairs, sessions, tables, most, away)
    kept = draw(st.lists(st.sampled_from(p.requests), max_size=2, unique=True))
    keep = {
        r.id: Placement(draw(st.integers(0, slots - 1)), draw(st.integers(1, tables))) for r in kept
    }
    not_kept = [r for r in p.requests if r.id not in keep]
    released = (
        draw(st.lists(st.sampled_from(not_kept), max_size=2, unique=True)) if not_kept else []
    )
    movable = {
        r.id: Placement(draw(st.integers(0, slots - 1)), draw(st.integers(1, tables)))
        for r in released
    }
    p = problem(pairs, sessions, tables, most, away, keep, movable)
    try:
        scheduler.check(p)
    except BadProblem:
        assume(False)
    return p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_the_quick_schedule_keeps_every_rule(p):
    assert_keeps_the_rules(p, scheduler.quick(p))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(most_requests=5))
def test_the_solver_keeps_every_rule_and_places_the_most(p):
    solved = scheduler.solve(p, seconds=2)
    assert_keeps_the_rules(p, solved)
    best = brute_force_most(p)
    assert solved.report.placed == best
    assert solved.report.bound >= best
    assert solved.report.placed >= scheduler.quick(p).report.placed


def test_gaps_count_runs_of_free_slots_between_meetings_of_one_session():
    sessions = (0, 0, 0, 0, 1, 1, 1, 1)
    assert gaps_of([], sessions) == 0
    assert gaps_of([0, 1, 2], sessions) == 0
    assert gaps_of([0, 2], sessions) == 1
    assert gaps_of([0, 3], sessions) == 1  # one run of two free slots: one gap
    assert gaps_of([0, 2, 4, 7], sessions) == 2
    assert gaps_of([3, 4], sessions) == 0  # the break between sessions is no gap


def test_meetings_are_put_side_by_side():
    # Person 1 meets three people; the slots allow a gap, the schedule has none.
    p = problem([(1, 2), (1, 3), (1, 4)], slots=(0,) * 6, tables=2)
    for schedule in (scheduler.quick(p), scheduler.solve(p, seconds=2)):
        slots = sorted(where.slot for where in schedule.placed.values())
        assert len(slots) == 3
        assert gaps_of(slots, p.sessions) == 0
        assert schedule.report.gaps == 0


def test_every_meeting_left_out_says_why():
    p = problem(
        [(1, 2), (3, 4), (5, 6), (7, 8), (7, 9), (10, 11), (12, 13)],
        slots=(0, 0),
        tables=3,
        most=1,
        away={1: {0}, 2: {1}},  # 1 and 2 are never free together
        keep={
            6: Placement(0, 1),  # 10 and 11 keep table 1 in slot 0 ...
            7: Placement(0, 2),  # ... and 12 and 13 table 2
        },
    )
    schedule = scheduler.solve(p, seconds=2)
    assert schedule.unplaced[1] == scheduler.Unplaced("no_common_slot")
    # Person 7 may have one meeting: with 8 or with 9, never both.
    full = [r for r in (4, 5) if r in schedule.unplaced]
    assert len(full) == 1 and schedule.unplaced[full[0]] == scheduler.Unplaced("person_full", 7)
    assert schedule.report.placed == schedule.report.bound == 5
    assert schedule.report.optimal


def test_no_table_and_busy_are_told_apart():
    # One table, one slot: the second meeting has no table.
    p = problem([(1, 2), (3, 4)], slots=(0,), tables=1)
    schedule = scheduler.quick(p)
    [(_left_out, why)] = schedule.unplaced.items()
    assert why.reason == "no_table"
    # Two slots, person 1 away in the second: her two meetings want the same slot.
    p = problem([(1, 2), (1, 3)], slots=(0, 0), tables=5, away={1: {1}})
    [(_left_out, why)] = scheduler.quick(p).unplaced.items()
    assert why.reason == "both_busy"


def test_a_kept_meeting_stays_even_when_moving_it_would_place_more():
    # Keeping 1-2 in the only slot 3 can use leaves 1-3 out.
    p = problem([(1, 2), (1, 3)], slots=(0, 0), away={3: {1}}, keep={1: Placement(0, 1)})
    schedule = scheduler.solve(p, seconds=2)
    assert schedule.placed[1] == Placement(0, 1)
    assert schedule.unplaced[2].reason == "both_busy"
    free = problem([(1, 2), (1, 3)], slots=(0, 0), away={3: {1}})
    assert scheduler.solve(free, seconds=2).report.placed == 2


@pytest.mark.parametrize(
    "keep",
    [
        {1: Placement(5, 1)},  # outside the grid
        {1: Placement(0, 3)},  # no such table
        {1: Placement(0, 1), 2: Placement(0, 2)},  # person 1 twice in slot 0
        {1: Placement(0, 1), 3: Placement(0, 1)},  # table 1 twice in slot 0
        {99: Placement(0, 1)},  # not an accepted request
    ],
)
def test_contradictory_kept_meetings_are_refused(keep):
    p = problem([(1, 2), (1, 3), (4, 5)], slots=(0, 0), tables=2, keep=keep)
    with pytest.raises(BadProblem):
        scheduler.quick(p)


def test_a_released_meeting_moves_to_make_room_and_keeps_a_time():
    # 1-2 sits in slot 0, the only slot 3 can meet 1 in; released, it moves to slot 1.
    p = problem([(1, 2), (1, 3)], slots=(0, 0), away={3: {1}}, movable={1: Placement(0, 1)})
    for schedule in (scheduler.quick(p), scheduler.solve(p, seconds=2)):
        assert schedule.report.placed == 2
        assert schedule.placed[1] == Placement(1, 1)
        assert schedule.placed[2] == Placement(0, 1)


def test_a_released_meeting_is_never_traded_for_more_meetings():
    # One slot, two tables. 1-2 is published and released; 1-3 and 2-4 wait. Without
    # 1-2 both would fit (two meetings instead of one): it keeps its time all the same.
    p = problem([(1, 2), (1, 3), (2, 4)], slots=(0,), tables=2, movable={1: Placement(0, 1)})
    for schedule in (scheduler.quick(p), scheduler.solve(p, seconds=2)):
        assert schedule.placed == {1: Placement(0, 1)}
        assert {r: why.reason for r, why in schedule.unplaced.items()} == {
            2: "both_busy",
            3: "both_busy",
        }
    free = problem([(1, 2), (1, 3), (2, 4)], slots=(0,), tables=2)
    assert scheduler.solve(free, seconds=2).report.placed == 2


def test_a_released_meeting_that_keeps_its_time_keeps_its_table():
    p = problem([(1, 2), (3, 4)], slots=(0,), tables=3, movable={2: Placement(0, 3)})
    assert scheduler.quick(p).placed == {1: Placement(0, 1), 2: Placement(0, 3)}


@pytest.mark.parametrize(
    ("keep", "movable", "away"),
    [
        ({1: Placement(0, 1)}, {1: Placement(1, 1)}, {}),  # kept and movable at once
        ({}, {1: Placement(0, 1)}, {2: {0}}),  # placed where one of them is away
        ({1: Placement(0, 1)}, {3: Placement(0, 1)}, {}),  # a table twice in slot 0
    ],
)
def test_contradictory_released_meetings_are_refused(keep, movable, away):
    p = problem([(1, 2), (1, 3), (4, 5)], slots=(0, 0), tables=2, away=away, keep=keep,
                movable=movable)  # fmt: skip
    with pytest.raises(BadProblem):
        scheduler.quick(p)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(most_requests=6))
def test_phase_two_by_annealing_keeps_every_rule_and_every_meeting(p):
    """Phase 2 by annealing (as on large schedules) moves meetings, never drops one."""
    whole = scheduler.solve(p, seconds=1)
    original = scheduler.WHOLE_GAPS_MODEL
    scheduler.WHOLE_GAPS_MODEL = 0
    try:
        annealed = scheduler.solve(p, seconds=1)
    finally:
        scheduler.WHOLE_GAPS_MODEL = original
    assert_keeps_the_rules(p, annealed)
    assert annealed.report.placed == whole.report.placed


def test_phase_two_by_annealing_closes_gaps_on_a_larger_schedule(monkeypatch):
    # 40 people in pairs of requests over two sessions of six slots, one table per pair:
    # the quick pass leaves gaps that chains of moves close.
    import random

    rng = random.Random(4)
    pairs = sorted({tuple(sorted(rng.sample(range(1, 41), 2))) for _ in range(150)})
    p = problem(pairs, slots=(0,) * 6 + (1,) * 6, tables=20, most=6,
                away={n: set(rng.sample(range(12), 2)) for n in range(1, 41)})  # fmt: skip
    monkeypatch.setattr(scheduler, "WHOLE_GAPS_MODEL", 0)
    quick = scheduler.quick(p)
    solved = scheduler.solve(p, seconds=3)
    assert_keeps_the_rules(p, solved)
    assert solved.report.placed >= quick.report.placed
    assert solved.report.gaps < quick.report.gaps


def test_a_swap_for_someone_without_a_meeting_leaves_no_placeable_meeting_out():
    # Found by hypothesis: after the swap that gives person 4 a meeting, 2-4 fits too.
    p = problem([(1, 2), (1, 3), (1, 4), (2, 3), (2, 4)], tables=1, most=2)
    assert_keeps_the_rules(p, scheduler.quick(p))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=24),
    st.frozensets(st.integers(0, 23), max_size=16),
)
def test_the_bit_mask_gap_counter_counts_as_gaps_of_does(sessions, busy):
    sessions = tuple(sorted(sessions))
    busy = {b for b in busy if b < len(sessions)}
    count = annealing.GapCounter(sessions)
    agenda = sum(1 << slot for slot in busy)
    assert count(agenda) == gaps_of(busy, sessions)
    assert count(agenda) == gaps_of(busy, sessions)  # remembered, the same


def _annealing_inputs(p: Problem, schedule: scheduler.Schedule):
    pairs = {r.id: (r.a, r.b) for r in p.requests}
    slot_of = {r: where.slot for r, where in schedule.placed.items()}
    return pairs, slot_of


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(most_requests=6), st.integers(0, 3))
def test_annealing_moves_meetings_between_slots_within_every_rule(p, seed):
    start = scheduler.quick(p)
    pairs, slot_of = _annealing_inputs(p, start)
    fixed = set(p.keep)
    found = annealing.fewer_gaps(p.sessions, p.tables, pairs, p.away_masks, slot_of, fixed,
                                 seconds=0.02, seed=seed)  # fmt: skip
    assert set(found) == set(slot_of), "no meeting dropped or added"
    assert all(found[m] == slot_of[m] for m in fixed), "fixed meetings stay"
    people_at, per_slot = set(), Counter(found.values())
    for meeting, slot in found.items():
        for person in pairs[meeting]:
            assert (person, slot) not in people_at
            people_at.add((person, slot))
            if meeting not in fixed:
                assert slot not in p.people[person].away
    assert all(count <= p.tables for count in per_slot.values())

    def total(slots):
        busy = {person: set() for person in p.people}
        for meeting, slot in slots.items():
            for person in pairs[meeting]:
                busy[person].add(slot)
        return sum(gaps_of(b, p.sessions) for b in busy.values())

    assert total(found) <= total(slot_of)


def test_annealing_closes_a_gap_only_a_chain_of_moves_can_close():
    # Person 1 meets 2 in slot 0 and 3 in slot 2: a gap. 2 is away in slot 1, and
    # moving 1-3 to slot 1 alone is impossible (3 meets 4 there): the chain swaps 1-3
    # and 3-4 between slots 1 and 2.
    p = problem([(1, 2), (1, 3), (3, 4)], slots=(0, 0, 0), tables=2, away={2: {1}})
    pairs = {r.id: (r.a, r.b) for r in p.requests}
    found = annealing.fewer_gaps(p.sessions, p.tables, pairs, p.away_masks,
                                 {1: 0, 2: 2, 3: 1}, set(), seconds=0.05)  # fmt: skip
    assert found == {1: 0, 2: 1, 3: 2}
