"""The open data files are written again each night (the register changes by day)."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab

from matchmaker.jobs import periodic_job
from matchmaker.open_data import files


@periodic_job("open-data", crontab(minute="15", hour="2"), every=timedelta(days=1))
def build_open_data() -> int:
    """How many records each file holds."""
    return files.build()
