"""Schedule all: put accepted meetings into slots and tables.

A pure module: it knows nothing of Flask or the database. The caller describes the
event as a `Problem` (the slots in time order with the session each belongs to, the
number of tables, the people with their most meetings and the slots they are away, the
accepted requests, the meetings to keep exactly where they are, and the meetings that
must keep a time but may move) and gets a
`Schedule`: where each meeting goes, why each of the others could not be placed, and a
report on the schedule's quality.

Objectives, in this order (as in Bofill et al., "Constraint-based scheduling of
business-to-business meetings", JAIR 2022): (1) the most meetings, and among equals
the most people with at least one meeting; (2) the fewest idle gaps in people's
agendas (a run of free slots between two meetings of the same session); (3) fairness:
the fewest gaps for the person with the most.

`quick` is a greedy heuristic (most constrained meeting first, the slot that adds the
fewest gaps, then one round of repair that moves a blocking meeting): the live preview
and the solver's starting point. `solve` improves it within a time limit, in two phases:
the most meetings (HiGHS, a mixed-integer program, which also proves the upper bound on
the number of meetings), then the fewest gaps with that many (CP-SAT on a small
schedule; on a large one, simulated annealing over Kempe-chain moves, `annealing`).

Tables are interchangeable, so the solver only chooses slots; each slot's meetings are
then given tables, kept meetings first at their own.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from statistics import median

from . import annealing


@dataclass(frozen=True)
class Person:
    id: int
    max_meetings: int
    away: frozenset[int] = frozenset()  # slot indexes


@dataclass(frozen=True)
class Request:
    """An accepted request between two people, waiting for a slot."""

    id: int
    a: int
    b: int


@dataclass(frozen=True)
class Placement:
    slot: int
    table: int  # 1-based


@dataclass(frozen=True)
class Problem:
    """`sessions[i]` is the session of slot i (slots in time order; consecutive slots of
    one session have no other slot between them). `keep` are meetings that stay exactly
    where they are (locked by the organiser, published, or already held); `movable` are
    meetings placed now that the organiser released: each keeps a time, not necessarily
    this one (their placement is the starting point)."""

    sessions: tuple[int, ...]
    tables: int
    people: Mapping[int, Person]
    requests: tuple[Request, ...]
    keep: Mapping[int, Placement] = field(default_factory=dict)
    movable: Mapping[int, Placement] = field(default_factory=dict)

    @property
    def slot_count(self) -> int:
        return len(self.sessions)

    def request(self, request_id: int) -> Request:
        return self.by_id[request_id]

    @cached_property
    def by_id(self) -> dict[int, Request]:
        return {r.id: r for r in self.requests}

    @cached_property
    def away_masks(self) -> dict[int, int]:
        """Each person's slots away as a bit mask (bit s: away in slot s)."""
        return {p: sum(1 << slot for slot in person.away) for p, person in self.people.items()}

    @cached_property
    def gap_counter(self) -> annealing.GapCounter:
        return annealing.GapCounter(self.sessions)

    @cached_property
    def by_person(self) -> dict[int, list[Request]]:
        """Each person's accepted requests, in request order (none: an empty list)."""
        found: dict[int, list[Request]] = defaultdict(list)
        for r in self.requests:
            found[r.a].append(r)
            found[r.b].append(r)
        return found


@dataclass(frozen=True)
class Unplaced:
    """Why a meeting has no slot: `reason` is one of REASONS; `person` names the one
    concerned where there is one."""

    reason: str
    person: int | None = None


REASONS = (
    "no_common_slot",  # the two are never available at the same time
    "person_full",  # one of them has the most meetings allowed
    "both_busy",  # every time both are available, one of them has another meeting
    "no_table",  # when both are free, every table is taken
    "time_limit",  # a slot was possible: the solver ran out of time before finding it
)


@dataclass(frozen=True)
class Report:
    wanted: int  # accepted meetings, kept ones included
    placed: int
    bound: int  # proven upper bound on the meetings that can be placed
    optimal: bool  # placed == bound, proven
    gaps: int  # idle gaps over everyone's agendas
    gaps_min: int
    gaps_median: float
    gaps_max: int
    short: tuple[int, ...]  # people with fewer meetings than they asked for, not full
    method: str  # "heuristic" or "solver"
    seconds: float

    @property
    def ratio(self) -> float:
        return self.placed / self.bound if self.bound else 1.0


@dataclass(frozen=True)
class Schedule:
    placed: dict[int, Placement]  # request id -> slot and table
    unplaced: dict[int, Unplaced]
    report: Report


# The solver stops looking for more meetings within this share of the proven bound.
CLOSE_ENOUGH = 0.004


class BadProblem(ValueError):
    """The problem contradicts itself (a kept meeting outside the grid, say)."""


# --- shared rules -------------------------------------------------------------------------


def gaps_of(busy: Iterable[int], sessions: tuple[int, ...]) -> int:
    """Idle gaps in one agenda: runs of free slots between two meetings of a session."""
    slots = sorted(busy)
    return sum(
        1
        for before, after in pairwise(slots)
        if after - before > 1 and sessions[before] == sessions[after]
    )


def _away(problem: Problem, request: Request) -> frozenset[int]:
    return problem.people[request.a].away | problem.people[request.b].away


def _available(problem: Problem, request: Request) -> list[int]:
    """Slots where neither person is away."""
    away = _away(problem, request)
    return [s for s in range(problem.slot_count) if s not in away]


def check(problem: Problem) -> None:
    """Refuse a problem that contradicts itself."""
    ids = [r.id for r in problem.requests]
    if len(ids) != len(set(ids)):
        raise BadProblem("a request appears twice")
    for r in problem.requests:
        if r.a == r.b or r.a not in problem.people or r.b not in problem.people:
            raise BadProblem(f"request {r.id}: unknown people or one person twice")
    by_id = problem.by_id
    if set(problem.keep) & set(problem.movable):
        raise BadProblem("a meeting is both kept and movable")
    seen_people, seen_tables = set(), set()
    for request_id, where in [*problem.keep.items(), *problem.movable.items()]:
        if request_id not in by_id:
            raise BadProblem(f"kept meeting {request_id} is not an accepted request")
        if not (0 <= where.slot < problem.slot_count and 1 <= where.table <= problem.tables):
            raise BadProblem(f"kept meeting {request_id} is outside the grid")
        r = by_id[request_id]
        if request_id in problem.movable and where.slot in _away(problem, r):
            raise BadProblem(f"movable meeting {request_id} is where one of them is away")
        for key in ((r.a, where.slot), (r.b, where.slot)):
            if key in seen_people:
                raise BadProblem(f"kept meetings put person {key[0]} twice in slot {key[1]}")
            seen_people.add(key)
        if (where.slot, where.table) in seen_tables:
            raise BadProblem(f"kept meetings share table {where.table} in slot {where.slot}")
        seen_tables.add((where.slot, where.table))
    placed_now = Counter(p for rid in [*problem.keep, *problem.movable]
                         for p in (by_id[rid].a, by_id[rid].b))  # fmt: skip
    for request_id in problem.movable:
        r = by_id[request_id]
        if any(placed_now[p] > problem.people[p].max_meetings for p in (r.a, r.b)):
            raise BadProblem(f"movable meeting {request_id}: a person over their most")


class _Book:
    """Who is busy when (each person's agenda as a bit mask: bit s for slot s), tables
    used per slot, each meeting's slot."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.agenda: dict[int, int] = defaultdict(int)
        self.used: list[int] = [0] * problem.slot_count
        self.slot_of: dict[int, int] = {}

    def count(self, person: int) -> int:
        return self.agenda[person].bit_count()

    def busy(self, person: int, slot: int) -> bool:
        return bool(self.agenda[person] >> slot & 1)

    def gaps(self, person: int) -> int:
        return self.problem.gap_counter(self.agenda[person])

    def fits(self, request: Request, slot: int) -> bool:
        people, away = self.problem.people, self.problem.away_masks
        taken = self.agenda[request.a] | self.agenda[request.b] | away[request.a] | away[request.b]
        return (
            self.used[slot] < self.problem.tables
            and not taken >> slot & 1
            and self.count(request.a) < people[request.a].max_meetings
            and self.count(request.b) < people[request.b].max_meetings
        )

    def free_slots(self, request: Request) -> list[int]:
        """Slots where both people are free and available and a table is left (their
        most meetings aside)."""
        away = self.problem.away_masks
        taken = self.agenda[request.a] | self.agenda[request.b] | away[request.a] | away[request.b]
        tables = self.problem.tables
        return [
            s
            for s in range(self.problem.slot_count)
            if not taken >> s & 1 and self.used[s] < tables
        ]

    def put(self, request: Request, slot: int) -> None:
        for person in (request.a, request.b):
            self.agenda[person] |= 1 << slot
        self.used[slot] += 1
        self.slot_of[request.id] = slot

    def take(self, request: Request) -> int:
        slot = self.slot_of.pop(request.id)
        for person in (request.a, request.b):
            self.agenda[person] &= ~(1 << slot)
        self.used[slot] -= 1
        return slot

    def added_gaps(self, request: Request, slot: int) -> int:
        """How many gaps a meeting in `slot` (free for both) adds to the two agendas."""
        gaps, bit = self.problem.gap_counter, 1 << slot
        a, b = self.agenda[request.a], self.agenda[request.b]
        return gaps(a | bit) - gaps(a) + gaps(b | bit) - gaps(b)


def _kept_book(problem: Problem) -> _Book:
    book = _Book(problem)
    for request_id, where in problem.keep.items():
        book.put(problem.request(request_id), where.slot)
    return book


# --- the heuristic ----------------------------------------------------------------------------


def quick(problem: Problem) -> Schedule:
    """A good schedule fast: the most constrained meetings first, each into the slot that
    adds the fewest gaps, then one round of repair and the compaction pass."""
    started = time.perf_counter()
    check(problem)
    book = _kept_book(problem)
    for request_id, where in problem.movable.items():
        book.put(problem.request(request_id), where.slot)
    _greedy(problem, book)
    _repair(problem, book)
    _compact(problem, book)
    _greedy(problem, book)  # whatever the moves made room for
    _serve_everyone(problem, book)
    _greedy(problem, book)  # and whatever a swap for someone with none made room for
    return _finish(problem, book, "heuristic", bound=len(problem.requests), proven=False,
                   started=started)  # fmt: skip


def _waiting(problem: Problem, book: _Book) -> list[Request]:
    return [r for r in problem.requests if r.id not in book.slot_of]


def _greedy(problem: Problem, book: _Book) -> None:
    def tightness(r: Request) -> tuple:
        # Fewest possible slots first; then the busiest people, whose time runs out.
        asked = len(problem.by_person[r.a]) + len(problem.by_person[r.b])
        return (len(_available(problem, r)), -asked, r.id)

    for request in sorted(_waiting(problem, book), key=tightness):
        slot = _best_slot(book, request)
        if slot is not None:
            book.put(request, slot)


def _best_slot(book: _Book, request: Request) -> int | None:
    people = book.problem.people
    if any(book.count(p) >= people[p].max_meetings for p in (request.a, request.b)):
        return None
    return min(
        book.free_slots(request),
        key=lambda slot: (book.added_gaps(request, slot), book.used[slot], slot),
        default=None,
    )


def _repair(problem: Problem, book: _Book, rounds: int = 3) -> None:
    """For each meeting left out: free one of its slots by moving the meetings that block
    it there (one of each person at most) to other slots that fit them; again while a
    round places anything."""
    for _round in range(rounds):
        placed = [r for r in _waiting(problem, book) if _repair_one(problem, book, r)]
        if not placed:
            return


def _repair_one(problem: Problem, book: _Book, request: Request) -> bool:
    people = problem.people
    if any(book.count(p) >= people[p].max_meetings for p in (request.a, request.b)):
        return False
    for slot in _available(problem, request):
        blockers = [
            r
            for p in (request.a, request.b)
            for r in problem.by_person[p]
            if book.slot_of.get(r.id) == slot
        ]
        if any(r.id in problem.keep for r in blockers):
            continue
        if not blockers and book.used[slot] >= problem.tables:
            continue
        moved = {r.id: book.take(r) for r in blockers}
        if book.fits(request, slot):
            book.put(request, slot)
            if _place_all(book, blockers):
                return True
            book.take(request)
        for r in blockers:
            if r.id in book.slot_of:
                book.take(r)
            book.put(r, moved[r.id])
    return False


def _place_all(book: _Book, requests: list[Request]) -> bool:
    """Each of `requests` into its best slot; all or none (on failure none is placed)."""
    done = []
    for r in requests:
        slot = _best_slot(book, r)
        if slot is None:
            for placed in done:
                book.take(placed)
            return False
        book.put(r, slot)
        done.append(r)
    return True


# --- the solver ------------------------------------------------------------------------------


def solve(problem: Problem, seconds: float = 15.0, threads: int = 2) -> Schedule:
    """The heuristic's schedule improved within about `seconds`: first the most meetings
    (HiGHS, a mixed-integer program, which also proves the bound) and a meeting for
    everyone it can, then the fewest gaps for that set of meetings (CP-SAT on a small
    schedule, annealing on a large one), then the compaction pass."""
    started = time.perf_counter()
    start = quick(problem)
    start_slots = _new_slots(problem, start.placed)
    chosen, bound, proven = _most_meetings(
        problem, start_slots, seconds * MOST_MEETINGS_SHARE, threads
    )
    first = _book_of(problem, chosen)
    _serve_everyone(problem, first)
    chosen = {r: slot for r, slot in first.slot_of.items() if r not in problem.keep}
    if _quality(problem, first)[:2] <= _quality(problem, _book_of(problem, start_slots))[:2]:
        chosen, first = start_slots, _book_of(problem, start_slots)  # the same set: keep it
    remaining = max(1.0, seconds - (time.perf_counter() - started))
    if _quality(problem, first)[2] == 0:  # no gap to close
        book = first
    elif len(chosen) <= WHOLE_GAPS_MODEL:
        book = _book_of(problem, _fewest_gaps(problem, chosen, remaining, threads) or chosen)
    else:  # the first phase chose slots with no thought of gaps
        left = max(0.5, remaining * 0.95)  # what is left, but for the closing compaction
        book = _book_of(problem, _annealed(problem, first, left))
    _compact(problem, book)
    _greedy(problem, book)
    best = max((book, first), key=lambda b: _quality(problem, b))
    return _finish(problem, best, "solver", bound=bound, proven=proven, started=started)


def _new_slots(problem: Problem, placed: Mapping[int, Placement]) -> dict[int, int]:
    """Request id -> slot of the meetings that are not kept."""
    return {r: where.slot for r, where in placed.items() if r not in problem.keep}


def _book_of(problem: Problem, chosen: Mapping[int, int]) -> _Book:
    """The kept meetings and `chosen` (request id -> slot) in a book."""
    book = _kept_book(problem)
    for request_id, slot in chosen.items():
        book.put(problem.request(request_id), slot)
    return book


def _quality(problem: Problem, book: _Book) -> tuple[int, int, int, int]:
    """Better is bigger: meetings, people with one, then fewer gaps, fewer for the most."""
    gaps = [book.gaps(p) for p in problem.people]
    served = sum(1 for p in problem.people if book.agenda[p])
    return len(book.slot_of), served, -sum(gaps), -max(gaps, default=0)


def _choices(problem: Problem, kept: _Book, requests: Iterable[Request]) -> list[tuple]:
    """(request, slot) pairs the solvers choose from: both people available and not in a
    kept meeting then."""
    return [
        (r, slot)
        for r in requests
        if r.id not in problem.keep
        for slot in _available(problem, r)
        if not (kept.busy(r.a, slot) or kept.busy(r.b, slot))
    ]


def _most_meetings(
    problem: Problem, start: Mapping[int, int], seconds: float, threads: int
) -> tuple[dict[int, int], int, bool]:
    """Phase 1 with HiGHS: the most meetings. Returns the choice (request id -> slot),
    the proven bound on the meetings (kept ones included) and whether the choice is
    proven the most. (People served come after, in `_serve_everyone`: as a second term
    of this objective they kept HiGHS's feasibility-jump heuristic from its best finds.)"""
    import highspy  # imported here: only scheduling needs it
    import numpy as np

    kept = _kept_book(problem)
    choices = _choices(problem, kept, problem.requests)
    kept_count = len(problem.keep)
    if not choices:
        return {}, kept_count, True
    rows: dict[tuple, list[int]] = defaultdict(list)
    for column, (r, slot) in enumerate(choices):
        rows["request", r.id].append(column)
        rows["table", slot].append(column)
        for p in (r.a, r.b):
            rows["person at", p, slot].append(column)
            rows["person", p].append(column)

    def limit(key: tuple) -> int:
        if key[0] == "table":
            return problem.tables - kept.used[key[1]]
        if key[0] == "person":
            return max(0, problem.people[key[1]].max_meetings - kept.count(key[1]))
        return 1

    started = time.perf_counter()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("random_seed", 15)
    columns = len(choices)
    every = np.arange(columns, dtype=np.int32)
    highs.addVars(columns, np.zeros(columns), np.ones(columns))
    highs.changeColsCost(columns, every, -np.ones(columns))  # HiGHS minimises
    keys = list(rows)
    # A request the organiser released keeps a time: its row's lower bound is 1.
    lower = [1.0 if k[0] == "request" and k[1] in problem.movable else -highspy.kHighsInf
             for k in keys]  # fmt: skip
    sizes = np.array([len(rows[k]) for k in keys], dtype=np.int32)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int32)
    members = np.fromiter(
        (c for k in keys for c in rows[k]), dtype=np.int32, count=int(sizes.sum())
    )
    highs.addRows(len(keys), np.array(lower), np.array([float(limit(k)) for k in keys]),
                  len(members), starts, members, np.ones(len(members)))  # fmt: skip
    # The bound: the linear relaxation, by the interior-point method (seconds, where the
    # MIP's own root LP can take most of the time limit).
    highs.setOptionValue("solver", "ipm")
    highs.setOptionValue("time_limit", max(0.5, seconds / 2))
    highs.run()
    bound = len(problem.requests)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        # Not even the relaxation in half the time: the MIP, whose root is that LP, would
        # overrun the limit. The time goes to the gaps instead; no bound is proven.
        return dict(start), bound, kept_count + len(start) == bound
    relaxed = -highs.getInfo().objective_function_value
    bound = min(bound, kept_count + math.floor(relaxed + 1e-6))
    if kept_count + len(start) >= bound:  # the start is already the most
        return dict(start), bound, True
    highs.setOptionValue("solver", "choose")
    highs.setOptionValue("time_limit", max(0.5, seconds - (time.perf_counter() - started)))
    highs.changeColsIntegrality(columns, every, np.full(columns, highspy.HighsVarType.kInteger))
    solution = highspy.HighsSolution()
    solution.col_value = [1.0 if start.get(r.id) == slot else 0.0 for r, slot in choices]
    highs.setSolution(solution)
    # Close enough to the bound (the last 0.4 %): the time left goes to the gaps.
    enough = (bound - kept_count) - max(0, math.floor(CLOSE_ENOUGH * bound))

    def stop_when_close(event) -> None:
        if -event.data_out.mip_primal_bound >= enough - 1e-6:
            event.interrupt()

    highs.cbMipInterrupt.subscribe(stop_when_close)
    highs.run()
    info = highs.getInfo()
    if info.primal_solution_status != 2:  # no feasible solution found: keep the start
        return dict(start), bound, False
    values = highs.getSolution().col_value
    chosen = {r.id: slot for column, (r, slot) in enumerate(choices) if values[column] > 0.5}
    if math.isfinite(info.mip_dual_bound):
        bound = min(bound, kept_count + math.floor(-info.mip_dual_bound + 1e-6))
    bound = max(bound, kept_count + len(chosen))
    return chosen, bound, kept_count + len(chosen) == bound


def _serve_everyone(problem: Problem, book: _Book) -> None:
    """Fairness without losing a meeting: someone left with none gets one of their
    requests in place of a meeting of the same partner whose other person keeps at
    least one meeting."""
    for person in sorted(problem.people):
        if book.count(person):
            continue
        for wanted in problem.by_person[person]:
            if _swap_in(problem, book, wanted, person):
                break


def _swap_in(problem: Problem, book: _Book, wanted: Request, person: int) -> bool:
    partner = wanted.b if wanted.a == person else wanted.a
    for other in problem.by_person[partner]:
        if other.id not in book.slot_of or other.id in problem.keep:
            continue
        if other.id in problem.movable:
            continue  # it must keep a time
        third = other.b if other.a == partner else other.a
        if book.count(third) < 2:
            continue  # they would be left with none
        old = book.take(other)
        slot = _best_slot(book, wanted)
        if slot is not None:
            book.put(wanted, slot)
            return True
        book.put(other, old)
    return False


# Up to this many meetings to place, phase 2 gives CP-SAT the whole schedule; above it,
# annealing (`annealing.fewer_gaps`): the whole CP-SAT model of a few hundred meetings
# is not solved within the time limit, and CP-SAT on one part of about 12 meetings after
# another closed 11 % of the benchmark's gaps in 30 s, where annealing closes about 40 %
# in 4 s.
WHOLE_GAPS_MODEL = 60
# Phase 1's share of the time: on the benchmark's 500 people HiGHS has its best find
# after 6-7 s of 15, and stops only at its time limit (it does not look at an
# interruption while it works at the root of its search tree).
MOST_MEETINGS_SHARE = 0.6


def _annealed(problem: Problem, book: _Book, seconds: float) -> dict[int, int]:
    """The book's meetings in slots with fewer gaps (request id -> slot, kept ones left
    out), by `annealing.fewer_gaps`."""
    pairs = {r.id: (r.a, r.b) for r in problem.requests}
    found = annealing.fewer_gaps(problem.sessions, problem.tables, pairs, problem.away_masks,
                                 book.slot_of, set(problem.keep), seconds)  # fmt: skip
    return {r: slot for r, slot in found.items() if r not in problem.keep}


def _fewest_gaps(
    problem: Problem,
    chosen: Mapping[int, int],
    seconds: float,
    threads: int,
) -> dict[int, int] | None:
    """Phase 2 with CP-SAT on a small schedule: the same meetings, each in a slot,
    with the fewest gaps and then the fewest for the person with the most. Starts from
    `chosen`. None when it finds no such schedule in time."""
    from ortools.sat.python import cp_model  # imported here: only scheduling needs it

    kept = _kept_book(problem)
    requests = [problem.request(r) for r in chosen if r not in problem.keep]
    model = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    busy: dict[tuple[int, int], list] = defaultdict(list)
    by_slot: dict[int, list] = defaultdict(list)
    for r, slot in _choices(problem, kept, requests):
        var = model.NewBoolVar(f"x{r.id}_{slot}")
        x[r.id, slot] = var
        by_slot[slot].append(var)
        busy[r.a, slot].append(var)
        busy[r.b, slot].append(var)
        model.AddHint(var, 1 if chosen[r.id] == slot else 0)
    for r in requests:
        model.AddExactlyOne([x[r.id, s] for s in range(problem.slot_count) if (r.id, s) in x])
    for variables in busy.values():
        model.AddAtMostOne(variables)
    for slot, variables in by_slot.items():
        model.Add(sum(variables) <= problem.tables - kept.used[slot])
    people = {p for r in requests for p in (r.a, r.b)}
    most = model.NewIntVar(0, problem.slot_count, "most_gaps")
    gaps = []
    for p in sorted(people):
        agenda = [
            1 if kept.busy(p, s) else sum(busy.get((p, s), [])) for s in range(problem.slot_count)
        ]
        person_gaps = _gap_count(model, agenda, problem.sessions)
        model.Add(most >= person_gaps)
        gaps.append(person_gaps)
    model.Minimize((len(people) * problem.slot_count + 1) * sum(gaps) + most)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = threads if threads == 1 else max(threads, 8)  # portfolio: 8
    solver.parameters.random_seed = 15
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {request_id: slot for (request_id, slot), var in x.items() if solver.Value(var)}


def _gap_count(model, agenda: list, sessions: tuple[int, ...]):
    """Gaps of one agenda (0/1 per slot, numbers or expressions): blocks of consecutive
    meetings minus the sessions with a meeting."""
    blocks, sessions_used = [], defaultdict(list)
    for slot, here in enumerate(agenda):
        sessions_used[sessions[slot]].append(here)
        if isinstance(here, int) and here == 0:
            continue
        block_starts = model.NewBoolVar("")
        if slot > 0 and sessions[slot - 1] == sessions[slot]:
            model.Add(block_starts >= here - agenda[slot - 1])
        else:
            model.Add(block_starts >= here)
        blocks.append(block_starts)
    used = []
    for values in sessions_used.values():
        if all(isinstance(v, int) and v == 0 for v in values):
            continue
        flag = model.NewBoolVar("")
        model.Add(flag <= sum(values))
        used.append(flag)
    return sum(blocks) - sum(used)


def _compact(problem: Problem, book: _Book, rounds: int = 3) -> None:
    """Local search: move single meetings to the slot that adds the fewest gaps to the
    two people's agendas, and swap the times of two meetings of one person where that
    closes gaps, until a round changes nothing."""
    for _round in range(rounds):
        moved = _swap_times(problem, book)
        for request_id in sorted(book.slot_of):
            if request_id in problem.keep:
                continue
            request = problem.request(request_id)
            if not (book.gaps(request.a) or book.gaps(request.b)):
                continue  # no gap to close in either agenda: it stays (as it would)
            old = book.take(request)
            best = min(
                book.free_slots(request), key=lambda s: (book.added_gaps(request, s), s != old)
            )
            book.put(request, best)
            moved = moved or best != old
        if not moved:
            return


def _swap_times(problem: Problem, book: _Book) -> bool:
    """For each person with a gap: swap the slots of two of their meetings when both
    partners are free and available at the other slot and the partners' agendas have
    fewer gaps in all (the person's own agenda stays as it is). Whether anything
    changed."""
    mine: dict[int, list[Request]] = defaultdict(list)  # placed meetings that may move
    for request_id in book.slot_of:
        if request_id not in problem.keep:
            r = problem.request(request_id)
            mine[r.a].append(r)
            mine[r.b].append(r)
    count_gaps, away = problem.gap_counter, problem.away_masks

    def gaps_saved(partner: int, leaves: int, joins: int) -> int | None:
        """Gaps `partner` loses by meeting in slot `joins` instead of `leaves`; None when
        busy or away then."""
        agenda = book.agenda[partner]
        if (agenda | away[partner]) >> joins & 1:
            return None
        return count_gaps(agenda) - count_gaps(agenda & ~(1 << leaves) | 1 << joins)

    changed = False
    for person in sorted(mine):
        if not book.gaps(person):
            continue
        for one, two in itertools.combinations(mine[person], 2):
            first, second = book.slot_of[one.id], book.slot_of[two.id]
            p1 = one.b if one.a == person else one.a
            p2 = two.b if two.a == person else two.a
            if p1 == p2:
                continue
            saved1 = gaps_saved(p1, first, second)
            saved2 = None if saved1 is None else gaps_saved(p2, second, first)
            if saved2 is not None and saved1 + saved2 > 0:
                book.take(one), book.take(two)
                book.put(one, second), book.put(two, first)
                changed = True
    return changed


# --- the result -------------------------------------------------------------------------------


def _tables(problem: Problem, book: _Book) -> dict[int, Placement]:
    """Each slot's meetings at tables: kept meetings at their own, movable ones that kept
    their time at their own table, the others at the lowest free numbers, in request
    order."""
    placed = dict(problem.keep)
    taken: dict[int, set[int]] = defaultdict(set)
    for where in problem.keep.values():
        taken[where.slot].add(where.table)
    for request_id, where in sorted(problem.movable.items()):
        if book.slot_of.get(request_id) == where.slot and where.table not in taken[where.slot]:
            placed[request_id] = where
            taken[where.slot].add(where.table)
    for request_id in sorted(book.slot_of):
        if request_id in placed:
            continue
        slot = book.slot_of[request_id]
        table = next(t for t in range(1, problem.tables + 1) if t not in taken[slot])
        taken[slot].add(table)
        placed[request_id] = Placement(slot, table)
    return placed


def _why(problem: Problem, book: _Book, request: Request) -> Unplaced:
    people = problem.people
    available = _available(problem, request)
    if not available:
        return Unplaced("no_common_slot")
    for p in (request.a, request.b):
        if book.count(p) >= people[p].max_meetings:
            return Unplaced("person_full", p)
    free = [s for s in available if not (book.busy(request.a, s) or book.busy(request.b, s))]
    if not free:
        return Unplaced("both_busy")
    if all(book.used[s] >= problem.tables for s in free):
        return Unplaced("no_table")
    return Unplaced("time_limit")


def _finish(
    problem: Problem, book: _Book, method: str, bound: int, proven: bool, started: float
) -> Schedule:
    placed = _tables(problem, book)
    unplaced = {r.id: _why(problem, book, r) for r in problem.requests if r.id not in book.slot_of}
    per_person = {p: book.gaps(p) for p in problem.people}
    with_meetings = [per_person[p] for p in problem.people if book.agenda[p]] or [0]
    short = tuple(
        sorted(
            p
            for p, person in problem.people.items()
            if book.count(p) < min(len(problem.by_person[p]), person.max_meetings)
        )
    )
    bound = max(bound, len(placed))
    report = Report(
        wanted=len(problem.requests),
        placed=len(placed),
        bound=bound,
        optimal=proven or len(placed) == len(problem.requests),
        gaps=sum(per_person.values()),
        gaps_min=min(with_meetings),
        gaps_median=float(median(with_meetings)),
        gaps_max=max(with_meetings),
        short=short,
        method=method,
        seconds=time.perf_counter() - started,
    )
    return Schedule(placed, unplaced, report)
