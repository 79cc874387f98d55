"""Real processes for fault tests: a Celery worker on the test database and the test Redis, which a test
can SIGKILL (its whole process group, as the OOM killer or a lost machine would)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from core.db import database_url

ROOT = Path(__file__).resolve().parent.parent.parent


class CeleryWorker:
    """``celery -A config worker`` (prefork, one child) in a new session, its log in ``log``."""

    def __init__(self, *, name: str, queues: list[str], log: Path, env: dict[str, str] | None = None):
        self.name, self.queues, self.log, self.env = name, queues, log, env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        env = {
            **os.environ,
            "TESTING": "1",
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": settings.REDIS_URL,
            "FLASHSALE_REDIS_URL": settings.FLASHSALE_REDIS_URL,
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "text",
            **self.env,
        }
        argv = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", ",".join(self.queues),
            "--pool", "prefork", "--concurrency", "1", "--without-mingle", "--without-gossip",
            "--without-heartbeat", "-n", f"{self.name}@%h",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL to the worker and its pool children at once: nothing gets to acknowledge or give back."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
