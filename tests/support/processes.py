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
from flashsale.tests.redis_servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


class ChildProcess:
    """A process started in a session of its own (``start_new_session=True``) as ``self.process``: stopped
    with SIGTERM to its whole group, or killed with SIGKILL to it (children included)."""

    process: subprocess.Popen | None = None

    def start(self):
        raise NotImplementedError

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL to the process and its children at once: nothing gets to acknowledge or give back."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        if self.alive:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class CeleryWorker(ChildProcess):
    """``celery -A config worker`` (prefork, one child) in a new session, its log in ``log``."""

    def __init__(self, *, name: str, queues: list[str], log: Path, env: dict[str, str] | None = None):
        self.name, self.queues, self.log, self.env = name, queues, log, env or {}

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


class Gunicorn(ChildProcess):
    """The site under gunicorn (config/gunicorn.py) on a free loopback port, production's error handling
    (DEBUG=0) on the sandbox gateways (DEMO=1)."""

    def __init__(self, *, env: dict[str, str], log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TESTING": "1",
            "DEBUG": "0",
            "DEMO": "1",
            "HTTPS": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": settings.REDIS_URL,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "4",
            "WEB_MAX_REQUESTS": "0",
            "ACCESS_LOG": "0",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.log = log

    def start(self) -> Gunicorn:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self
