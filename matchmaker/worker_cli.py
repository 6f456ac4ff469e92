"""`flask worker`: the background worker (outbox, reminders, digests); `flask worker status`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from matchmaker import jobs


@click.group("worker", cls=AppGroup, invoke_without_command=True)
@click.pass_context
def worker_cli(ctx) -> None:
    """Run the worker: deliver the outbox and run every periodic job on its schedule."""
    if ctx.invoked_subcommand is not None:
        return
    if jobs.huey.immediate:
        raise click.ClickException("WORKER_IMMEDIATE is set: there is no queue to work on.")
    app = current_app._get_current_object()
    jobs.bind_worker_app(app)
    click.echo(f"Worker on the {jobs.current_queue()} queue; jobs: {', '.join(sorted(jobs.JOBS))}")
    stale = jobs.clear_stale_locks()  # a worker killed mid-job leaves its locks behind
    if stale:
        click.echo(f"Cleared locks left by a stopped worker: {', '.join(stale)}")
    jobs.run_job("outbox")  # what waited while no worker ran goes out now
    jobs.huey.create_consumer(**jobs.worker_config(app)).run()


@worker_cli.command("status")
def status() -> None:
    """One line per periodic job: on time, late or never run, and its last success."""
    for name, state in jobs.health().items():
        line = f"{name}: {state['status']}, last success {state['last_success'] or 'never'}"
        if state["last_error"]:
            line += f", last error: {state['last_error']}"
        click.echo(line)


@worker_cli.command("run-job")
@click.argument("name")
def run_job(name: str) -> None:
    """Run one periodic job now, as the worker would (e.g. after an outage)."""
    if name not in jobs.JOBS:
        raise click.ClickException(f"No job {name!r}; the jobs are: {', '.join(sorted(jobs.JOBS))}")
    jobs.run_job(name)
    click.echo(f"{name}: done")


@worker_cli.command("send-waiting")
def send_waiting() -> None:
    """After a mail-server outage: send every waiting e-mail now, not at its next attempt."""
    from matchmaker.outbox import services as outbox

    moved = outbox.send_waiting_now()
    jobs.run_job("outbox")
    counts = outbox.counts()
    click.echo(f"{moved} message(s) brought forward; {counts['queued']} still waiting")


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_cli)
