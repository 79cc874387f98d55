"""Start the web server, a Celery worker and Celery beat together, as `make run` does.

The commands are the ones docker-compose runs (see docker-compose.yml; `.ci/run` checks that they match).
This process holds the embedded PostgreSQL and Redis (when no URLs are configured) for as long as its
children run, and hands the children their URLs, so every process talks to the same two servers.

Stopping: Ctrl-C (SIGINT), SIGTERM or SIGHUP to this process, or to the process group of `make run`, asks
every child to shut down gracefully (SIGTERM: gunicorn finishes requests, the worker finishes its tasks);
a second Ctrl-C, or children still running after the grace period, are killed with their whole process
group. The embedded servers stop when this process exits. Each child runs in its own process group, so a
terminal's Ctrl-C reaches it once, through this process, and it gets SIGTERM if this process dies.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.db import database_url

GRACE_SECONDS = 25


def commands() -> dict[str, list[str]]:
    """The long-running processes, exactly as docker-compose.yml spells them (minus the interpreter)."""
    return {
        "web": ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py"],
        "worker": [
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            "-Q",
            ",".join(settings.CELERY_TASK_QUEUES_NAMES),
            "--concurrency",
            "2",
        ],
        # The schedule file comes from settings (CELERY_BEAT_SCHEDULE_FILENAME, under VAR_DIR).
        "beat": ["celery", "-A", "config", "beat", "-l", "info"],
        # Turns flash-sale admissions into orders as they arrive (beat's drain task is the safety net).
        "materializer": ["python", "manage.py", "flashsale_consumer"],
    }


class Command(BaseCommand):
    help = (
        "Run web (gunicorn), a Celery worker, Celery beat and the flash-sale materializer until interrupted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))

    def handle(self, *args, bind: str, **options):
        env = {**os.environ, "BIND": bind, "PYTHONUNBUFFERED": "1"}
        # Children find the same embedded servers through the same variables; this process keeps them up.
        env.setdefault("DATABASE_URL", _database_url())
        env.setdefault("REDIS_URL", settings.REDIS_URL)

        signals_seen = 0

        def on_signal(signum, frame):
            nonlocal signals_seen
            signals_seen += 1

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, on_signal)

        children: dict[str, subprocess.Popen] = {}
        try:
            for name, cmd in commands().items():
                children[name] = subprocess.Popen(  # noqa: S603 - fixed commands, no shell
                    [sys.executable, *cmd[1:]] if cmd[0] == "python" else [sys.executable, "-m", *cmd],
                    env=env,
                    cwd=settings.BASE_DIR,
                    process_group=0,
                    preexec_fn=_die_with_parent(os.getpid()),
                )
            if _wait_for_port(bind, children["web"], lambda: signals_seen > 0):
                self._banner(bind)
            while not signals_seen and all(c.poll() is None for c in children.values()):
                time.sleep(0.3)
        finally:
            self._stop(children, lambda: signals_seen > 1)

        failed = {
            name: c.returncode for name, c in children.items() if c.returncode not in (0, -signal.SIGTERM)
        }
        if failed and not signals_seen:
            self.stderr.write(f"stopped because a process exited: {failed}")
            sys.exit(1)

    def _banner(self, bind: str) -> None:
        host = bind.replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - display only
        self.stdout.write(
            self.style.SUCCESS(f"\n  Hongshu is running at http://{host}/\n")
            + f"  Admin: http://{host}/admin/   API docs: http://{host}/api/docs/\n"
            + _demo_logins()
            + "  Press Ctrl-C to stop.\n"
        )
        self.stdout.flush()

    def _stop(self, children: dict[str, subprocess.Popen], hurry) -> None:
        running = [c for c in children.values() if c.poll() is None]
        if running:
            self.stdout.write("\n  Stopping web, worker, beat and the flash-sale materializer ...")
            self.stdout.flush()
        for child in running:
            _signal_group(child.pid, signal.SIGTERM, leader_only=True)
        deadline = time.monotonic() + GRACE_SECONDS
        while (
            any(c.poll() is None for c in children.values()) and time.monotonic() < deadline and not hurry()
        ):
            time.sleep(0.2)
        # Whatever is still there (a stuck child, or a grandchild its parent left behind) goes now.
        for child in children.values():
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()


def _demo_logins() -> str:
    """The demo's logins when the dev-only demo app is installed (it knows them; core imports nothing of it)."""
    if not apps.is_installed("demo"):
        return ""
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    return out.getvalue()


def _signal_group(pgid: int, sig: int, leader_only: bool = False) -> None:
    try:
        if leader_only:
            os.kill(pgid, sig)
        else:
            os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _die_with_parent(parent_pid: int):
    """In the child before exec: get SIGTERM when this process dies, however it dies (Linux)."""

    def preexec() -> None:
        if sys.platform.startswith("linux"):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _wait_for_port(bind: str, web: subprocess.Popen, stopping, timeout: float = 60) -> bool:
    """Until gunicorn accepts connections on `bind` (host:port); False if it died or we are stopping."""
    host, _, port = bind.rpartition(":")
    if not port.isdigit():  # a unix socket or something unusual: nothing to poll
        return True
    host = host.strip("[]") or "127.0.0.1"
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - connect, not listen
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None and not stopping():
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _database_url() -> str:
    """The URL of the database this process uses, for the children to use the very same one."""
    try:
        return database_url(settings.DATABASES["default"])
    except ValueError as exc:
        raise CommandError(str(exc)) from None
