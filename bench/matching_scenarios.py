"""The matcher against the golden scenarios (issue 16); prints figures, asserts nothing.

Builds the register of tests/matching/scenarios/ (organisations and projects through the
services, published through moderation, exactly as tests/matching/test_golden_scenarios.py
does) in a temporary SQLite database, runs every scenario through the real matching
service and prints, per scenario, the expected and the actual top 3 and whether the first
pick is right; the last line is

    top1=<x> top3_recall=<y> mrr=<z> scenarios=<n>

    .venv/bin/python bench/matching_scenarios.py            # per scenario, then the figures
    .venv/bin/python bench/matching_scenarios.py --explain  # with each item's score and reasons
    .venv/bin/python bench/matching_scenarios.py --misses   # only the scenarios missed

The floor the test holds the matcher to is tests/matching/scenarios/floor.toml.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/matching_scenarios.py` from anywhere
    sys.path.insert(0, str(ROOT))

from matchmaker import create_app  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from tests.matching import golden  # noqa: E402


def make_app(directory: Path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'scenarios.sqlite'}",
            "SERVER_NAME": None,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "console",
            "WORKER_IMMEDIATE": True,
            "MEDIA_ROOT": str(directory / "media"),
        }
    )


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--explain", action="store_true", help="show each item's score and reason codes"
    )
    parser.add_argument("--misses", action="store_true", help="show only scenarios missed")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    from flask_migrate import upgrade

    args = parse_args(argv)
    data = golden.load()
    directory = Path(tempfile.mkdtemp(prefix="matchmaker-scenarios-"))
    try:
        app = make_app(directory)
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            register = golden.build_register(data)
            built = time.perf_counter() - started
            results = golden.run(data, register)
            figures = golden.summary(results)
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(
        f"golden register: {len(data.organisations)} organisations, {len(data.projects)} "
        f"projects, built and published in {built:.1f} s; {len(results)} scenarios"
    )
    print()
    for result in results:
        if args.misses and result.top1 and result.recall == 1:
            continue
        print("\n".join(golden.report(result, explain=args.explain)))
    print()
    for kind in dict.fromkeys(result.scenario.list for result in results):
        print(
            f"{kind.value:>22}: "
            + golden.summary_line(
                golden.summary(result for result in results if result.scenario.list is kind)
            )
        )
    floor = "  ".join(f"{metric}>={data.floor[metric]:.2f}" for metric in golden.METRICS)
    print(f"{'floor':>22}: {floor}")
    print(golden.summary_line(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
