"""What the HTTP benchmarks share: gunicorn serving the app, a loopback SMTP sink, CPU counters.

Used by `events.py` (sign-ups of one event) and `load.py` (a mixed day under Locust). Every
address here is on loopback (127.0.0.1): nothing leaves the machine.
"""

from __future__ import annotations

import email.parser
import http.client
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
# Variables of the caller's shell that would point the app elsewhere than the benchmark says.
APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "MAIL_", "WORKER_", "SERVER_NAME", "METRICS_TOKEN")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def app_environment(**settings: str) -> dict[str, str]:
    """This process's environment without the app's own variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_VARIABLES)}
    env.update(settings)
    return env


def http_get(port: int, path: str, timeout: float = 30) -> tuple[int, str]:
    """One plain GET on loopback: (status, body)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "matchmaker-bench"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@dataclass
class Process:
    """A child process of the benchmark (gunicorn, the worker), stopped by `stop()`."""

    process: subprocess.Popen
    log: Path
    port: int = 0
    stop_signal: int = signal.SIGTERM  # gunicorn: graceful shutdown

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


Server = Process  # gunicorn, as events.py calls it


def spawn(
    command: list[str], env: dict[str, str], log: Path, new_session: bool = False, **fields
) -> Process:
    """Start `command` in the project's folder, its output (both streams) appended to `log`;
    with `new_session`, in a process group of its own (to kill it and its children with
    `os.killpg` without touching the caller)."""
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
    return Process(process, log, **fields)


def spawn_gunicorn(
    env: dict[str, str], workers: int, log: Path, app: str = "matchmaker:create_app()"
) -> Process:
    """gunicorn with `workers` sync workers on a free loopback port (not waited for)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"{LOOPBACK}:{port}",
        "--error-logfile",
        str(log),
    ]
    if "control_socket_disable" in gunicorn_settings():
        # Recent gunicorn (27 here) opens a control socket in ~/.gunicorn/, one path for all
        # the gunicorns of the user (the tests' live servers too): a benchmark needs none.
        command.append("--no-control-socket")
    return spawn([*command, app], env, log, port=port)


def gunicorn_settings() -> set[str]:
    from gunicorn.config import KNOWN_SETTINGS

    return {setting.name for setting in KNOWN_SETTINGS}


def wait_until_ready(server: Process, probe: str, timeout: float = 120) -> Process:
    """Returns once `probe` answers 200; otherwise stops gunicorn and raises, with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({server.process.returncode}):\n{server.log.read_text()}"
            )
        try:
            status, _ = http_get(server.port, probe)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return server
        server.stop()
        raise RuntimeError(f"GET {probe} answered {status}:\n{server.log.read_text()}")
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def start_gunicorn(
    env: dict[str, str],
    workers: int,
    log: Path,
    probe: str,
    app: str = "matchmaker:create_app()",
    timeout: float = 120,
) -> Process:
    """gunicorn with `workers` sync workers on a free loopback port; returns once `probe`
    answers 200 (raises, with the log, if it does not within `timeout` seconds)."""
    return wait_until_ready(spawn_gunicorn(env, workers, log, app), probe, timeout)


class MailSink:
    """A loopback SMTP server (aiosmtpd, a test dependency) that counts what it receives and
    keeps each message's Message-ID; it can be stopped and started again on the same port
    (an outage of the mail server)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.lock = threading.Lock()
        self.received = 0
        self.message_ids: Counter[str] = Counter()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        headers = email.parser.BytesHeaderParser().parsebytes(envelope.original_content)
        with self.lock:
            self.received += 1
            self.message_ids[str(headers.get("Message-ID", "")).strip()] += 1
        return "250 OK"

    @property
    def running(self) -> bool:
        return self.controller is not None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self.controller is None:
            self.controller = Controller(self, hostname=LOOPBACK, port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> MailSink:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else math.nan


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The child processes of `pid` (those of each of its threads; Linux, [] elsewhere)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def serving(pids: list[int], port: int, client: str | None = None) -> dict[int, list[str]]:
    """Which of `pids` hold an established TCP connection accepted on loopback `port`
    (from the address `client` only, if given): {pid: ["127.0.0.1:port", ...]} (Linux).

    A sync gunicorn worker holds the connection of the request it is serving, so this
    tells which worker serves whom."""
    wanted = {}  # socket inode -> the client's address
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return {}
    for line in lines:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if state != "01" or int(local.split(":")[1], 16) != port:  # 01: ESTABLISHED
            continue
        address = socket.inet_ntoa(bytes.fromhex(remote.split(":")[0])[::-1])
        if client is None or address == client:
            wanted[f"socket:[{inode}]"] = f"{address}:{int(remote.split(':')[1], 16)}"
    found: dict[int, list[str]] = {}
    if not wanted:
        return found
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target in wanted:
                found.setdefault(pid, []).append(wanted[target])
    return found


def staff_accounts(password_hash: str, now):
    """The moderator who approves the benchmark's register and the organiser of its event,
    added and committed (call inside the app's context)."""
    from matchmaker.accounts.models import User
    from matchmaker.extensions import db

    def account(email: str, name: str, role: str = "member") -> User:
        return User(
            email=email,
            name=name,
            password_hash=password_hash,
            role=role,
            locale="en",
            email_confirmed_at=now,
        )

    moderator = account("bench.moderator@example.org", "Bench Moderator", "moderator")
    organiser = account("bench.organiser@example.org", "Bench Organiser")
    db.session.add_all([moderator, organiser])
    db.session.commit()
    return moderator, organiser
