"""Start the web server, a Celery worker and Celery beat together, as `make run` does.

The commands are the ones docker-compose runs (see docker-compose.yml). This process holds the embedded
PostgreSQL and Redis (when no URLs are configured) for as long as its children run; Ctrl-C stops all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

WEB = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py"]
WORKER = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "config",
    "worker",
    "-l",
    "info",
    "-Q",
    ",".join(["default", "media", "notifications", "mall", "flashsale"]),
    "--concurrency",
    "2",
]
BEAT = [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"]


class Command(BaseCommand):
    help = "Run web (gunicorn), a Celery worker and Celery beat until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))

    def handle(self, *args, bind: str, **options):
        env = {**os.environ, "BIND": bind}
        # Children find the same embedded servers through the same variables.
        env.setdefault("DATABASE_URL", _database_url())
        env.setdefault("REDIS_URL", settings.REDIS_URL)
        env["BEAT_SCHEDULE"] = settings.CELERY_BEAT_SCHEDULE_FILENAME
        beat = [*BEAT, "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        children = [subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR) for cmd in (WEB, WORKER, beat)]  # noqa: S603
        host = bind.replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - display only
        from accounts.management.commands.seed_demo import DEMO_PASSWORD, OPERATOR, SHOPPERS, WRITERS

        self.stdout.write(
            self.style.SUCCESS(f"\n  Hongshu is running at http://{host}/\n")
            + f"  Admin: http://{host}/admin/   API docs: http://{host}/api/docs/\n"
            + f"  Demo logins (password {DEMO_PASSWORD}):\n"
            + f"    operator (admin): {OPERATOR[0]}\n"
            + f"    writers: {', '.join(w[0] for w in WRITERS)}\n"
            + f"    shoppers: {', '.join(s[0] for s in SHOPPERS)}\n"
            + "  Press Ctrl-C to stop.\n"
        )
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(c.poll() is None for c in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c.args[2] for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            self.stderr.write(f"stopped because a process exited: {failed}")
            sys.exit(1)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or ""
    if host.startswith("/"):
        return f"postgresql://{db['USER']}:@/{db['NAME']}?host={host}"
    port = db.get("PORT") or 5432
    password = db.get("PASSWORD") or ""
    return f"postgresql://{db['USER']}:{password}@{host}:{port}/{db['NAME']}"
