"""Real processes for fault tests: a Celery worker on the test database and the test Redis, which a test
can SIGKILL (its whole process group, as the OOM killer or a lost machine would)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from core.db import database_url

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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class ThrowawayPostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free loopback port), to
    stop and start under traffic: never the machine's server on 5432. PostgreSQL refuses to run as root,
    so as root it runs as the ``postgres`` user."""

    def __init__(self) -> None:
        import tempfile

        self.dir = Path(tempfile.mkdtemp(prefix="hs-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()

    def _run(self, tool: str, *args: str) -> None:
        argv = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def init(self) -> ThrowawayPostgres:
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"
        )
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=50"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        import shutil

        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def copy_database(self, source: dict, name: str) -> None:
        """A new database ``name`` here holding what ``source`` (Django's settings_dict) holds now."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
        src = ["-h", source.get("HOST") or "127.0.0.1", "-p", str(source.get("PORT") or 5432),
               "-U", source.get("USER") or "postgres"]  # fmt: skip
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), *src, "--format=custom", "--no-owner", source["NAME"]],
            check=True, capture_output=True, env=env, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [str(PG_BIN / "pg_restore"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "--no-owner", "--exit-on-error", "--dbname", name],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip


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
