"""Schedule all: the heuristic and the CP-SAT solver on seeded instances.

Instances (issue 15): (a) 70 participants, 154 accepted meetings, 14 tables, 21 slots;
(b) 500 participants, 2,000 accepted requests, 16 slots, 130 or 150 tables, 0-8 slots
away per person, with uniform or skewed popularity (a few people are asked by many);
(c) 1,500 participants, 6,000 requests, 24 slots. For each: meetings placed by the
heuristic and by the solver, the solver's proven bound, idle gaps (total and the most
for one person), the fairness spread (most minus fewest gaps among people with a
meeting) and the run time.

    python bench/scheduler.py            # every instance, 15 s of solver time each
    python bench/scheduler.py --quick    # (a) and one (b); last line is machine-readable

Sessions are runs of eight slots (a morning or an afternoon); a gap is a run of free
slots between two meetings of one session.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaker.meetings import scheduler
from matchmaker.meetings.scheduler import Person, Problem, Request


@dataclass(frozen=True)
class Instance:
    name: str
    people: int
    requests: int
    slots: int
    tables: int
    max_meetings: int
    away_most: int  # 0..away_most slots away per person
    skewed: bool = False


INSTANCES = {
    "a": Instance("(a) forum: 70 people, 154 meetings, 14 tables, 21 slots", 70, 154, 21, 14, 8, 2),
    "b-uniform-130": Instance("(b) 500 people, 2,000 requests, uniform, 130 tables", 500, 2000, 16, 130, 10, 8),
    "b-uniform-150": Instance("(b) 500 people, 2,000 requests, uniform, 150 tables", 500, 2000, 16, 150, 10, 8),
    "b-skewed-130": Instance("(b) 500 people, 2,000 requests, skewed, 130 tables", 500, 2000, 16, 130, 10, 8, True),
    "b-skewed-150": Instance("(b) 500 people, 2,000 requests, skewed, 150 tables", 500, 2000, 16, 150, 10, 8, True),
    "c": Instance("(c) 1,500 people, 6,000 requests, 24 slots", 1500, 6000, 24, 400, 12, 8),
}  # fmt: skip
QUICK = ("a", "b-skewed-130")
SESSION_SLOTS = 8


def sessions_of(slots: int) -> tuple[int, ...]:
    """Sessions of eight slots (a morning or an afternoon); the last may be shorter."""
    return tuple(slot // SESSION_SLOTS for slot in range(slots))


def make(instance: Instance, seed: int) -> Problem:
    """A seeded instance: people away in a few random slots, requests between distinct
    pairs; skewed popularity draws the asked person with weight 1/rank."""
    rng = random.Random(seed)  # nosec B311  # a benchmark, not a secret
    ids = list(range(1, instance.people + 1))
    people = {
        p: Person(p, instance.max_meetings, frozenset(rng.sample(range(instance.slots), rng.randint(0, instance.away_most))))
        for p in ids
    }  # fmt: skip
    weights = [1 / rank for rank in range(1, instance.people + 1)] if instance.skewed else None
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < instance.requests:
        a = rng.choice(ids)
        b = rng.choices(ids, weights=weights)[0]
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    requests = tuple(Request(n, a, b) for n, (a, b) in enumerate(sorted(pairs), start=1))
    return Problem(sessions_of(instance.slots), instance.tables, people, requests)


def spread(schedule: scheduler.Schedule) -> int:
    return schedule.report.gaps_max - schedule.report.gaps_min


def run(name: str, seconds: float, seed: int) -> tuple[scheduler.Schedule, scheduler.Schedule]:
    instance = INSTANCES[name]
    problem = make(instance, seed)
    quick = scheduler.quick(problem)
    solved = scheduler.solve(problem, seconds=seconds)
    q, s = quick.report, solved.report
    print(
        f"{instance.name}\n"
        f"  heuristic: placed {q.placed:,}/{q.wanted:,}, gaps {q.gaps:,} (most {q.gaps_max}), "
        f"spread {spread(quick)}, {q.seconds * 1000:.0f} ms\n"
        f"  solver:    placed {s.placed:,}/{s.wanted:,}, bound {s.bound:,} "
        f"({'optimal' if s.optimal else f'{s.ratio:.2%} of the bound'}), gaps {s.gaps:,} "
        f"(most {s.gaps_max}), spread {spread(solved)}, {s.seconds:.1f} s; "
        f"gaps {1 - s.gaps / q.gaps if q.gaps else 0:.0%} fewer than the heuristic's",
        flush=True,
    )
    return quick, solved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="(a) and one (b) only")
    parser.add_argument("--seconds", type=float, default=15.0, help="solver time limit")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", choices=sorted(INSTANCES), action="append")
    args = parser.parse_args(argv)
    names = args.only or (QUICK if args.quick else tuple(INSTANCES))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores; solver limit {args.seconds:.0f} s", flush=True)  # fmt: skip
    started = time.perf_counter()
    results = [run(name, args.seconds, args.seed) for name in names]
    quick, solved = results[-1]
    s = solved.report
    print(f"total {time.perf_counter() - started:.1f} s")
    print(
        f"placed={s.placed} bound={s.bound} ratio={s.ratio:.4f} gaps={s.gaps} "
        f"heuristic_gaps={quick.report.gaps} seconds={s.seconds:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
