"""The site under gunicorn on a throwaway primary and its streaming replica (tests/support/pgcluster.py),
for tests/scaleout/test_replica*.py: the environment, the schema and a note to read, and gunicorn itself.

CI runs these as root: the clusters then run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import requests
from django.conf import settings

from flashsale.tests.redis_servers import wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE = "hongshu"

SEED = """
import json
from rest_framework.authtoken.models import Token
from accounts.tests.factories import UserFactory
from community.tests.factories import NoteFactory
writer, reader = UserFactory(username="writer"), UserFactory(username="reader")
note = NoteFactory(author=writer, title="first title", images=0)
print("SEED" + json.dumps({"note": note.pk, "token": Token.objects.create(user=reader).key}))
"""


def site_env(tmp_path: Path, primary_url: str, replica_url: str, port: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": primary_url,
        "DATABASE_REPLICA_URL": replica_url,
        "REDIS_URL": settings.REDIS_URL,  # this test's own Redis db (flushed around it)
        "DEBUG": "0",
        "DEMO": "1",
        "TESTING": "0",
        "SECRET_KEY": "replica-test-" + uuid.uuid4().hex * 2,
        "FIELD_ENCRYPTION_KEYS": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
        # Longer than any pause in these tests on a slow machine: the window is measured in the unit tests.
        "DATABASE_PIN_SECONDS": "60",
        "CELERY_BROKER_URL": "memory://",  # the comment's notification task is not these tests' subject
        **extra,
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


def site_prepare(primary, replica, env: dict[str, str]) -> dict:
    """The schema and a writer, a reader (``token``) and a ``note`` titled "first title" on the primary,
    replayed on the replica."""
    primary.sql(f"CREATE DATABASE {DATABASE}")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)  # noqa: S603
    seeded = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    wait_until(lambda: replica_caught_up(primary, replica), timeout=30, what="the replica to catch up")
    return json.loads(seeded.stdout.split("SEED", 1)[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path):
    with open(log, "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - a fixed command
            [str(BIN / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:

        def answers() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            return False

        wait_until(answers, timeout=90, interval=0.2, what="gunicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def replica_caught_up(primary, replica) -> bool:
    (lsn,) = primary.sql("SELECT pg_current_wal_lsn()")[0]
    return replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0][0]
