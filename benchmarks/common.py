"""What the benchmarks that serve the site under gunicorn and drive it with wrk share (pages_bench.py,
flashsale_bench.py, scaleout.py): the site's environment, its database, gunicorn started and stopped,
wrk run with a Lua script and its answer parsed, and the machine and versions a result is reported with.

wrk's scripts have one shared part (``LUA_COMMON``: thread numbers, status counts, an optional request
limit, and the ``BENCH {...}`` line that ``wrk_run`` parses) and a part of their own that defines
``request()`` (and, if it prepares requests once per thread, ``prepare()``).
"""

from __future__ import annotations

import base64
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- the environment the site runs in -------------------------------------------------------------------


def site_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) on the sandbox gateways, the benchmarks' URLconf, quiet logs, and no
    worker recycling in the middle of a measurement; ``extra`` adds or overrides."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "DEMO": "1",  # production settings on the sandbox gateways: a benchmark takes no money
        "HTTPS": "0",
        "TESTING": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        # Fixed throwaway keys (production refuses to start without them): a dataset's encrypted fields
        # (the pages benchmark's reader's identity) are read by every later run.
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"pages-bench-field-key-0123456789"[:32]).decode(),
        "FIELD_HASH_KEY": "pages-bench-hash-key-" + "h" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG": "0",
        "WEB_MAX_REQUESTS": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def django_setup(env: dict[str, str]) -> None:
    """Django in this process on the same settings as the served site (for data and in-process figures)."""
    os.environ.update(env)
    import django

    django.setup()


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(  # noqa: S603 - a fixed command
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def database_ensure(database_url: str, *, fresh: bool) -> str:
    """The database of ``database_url`` exists (dropped first when ``fresh``); returns its name."""
    import psycopg2

    parts = urllib.parse.urlsplit(database_url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    admin = psycopg2.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            if fresh:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return name


# --- gunicorn -------------------------------------------------------------------------------------------


def gunicorn_start(env: dict[str, str], port: int, logfile: Path | None = None) -> subprocess.Popen:
    """``gunicorn config.wsgi -c config/gunicorn.py`` on 127.0.0.1:``port``, once it answers /healthz."""
    out = logfile.open("ab") if logfile is not None else None
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py"],
        cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=out, stderr=subprocess.STDOUT if out else None,
        start_new_session=True,
    )  # fmt: skip
    where = f": see {logfile}" if logfile is not None else ""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}){where}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    gunicorn_stop(process)
    raise RuntimeError(f"gunicorn did not answer /healthz{where}")


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def workers_of(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- wrk ------------------------------------------------------------------------------------------------

LUA_COMMON = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  statuses = {}
  counter = 0
  answered = 0
  -- a request limit after "--" (where "--" and the URL land in args depends on getopt): any number
  limit = 0
  for i = 0, #args do
    limit = tonumber(args[i]) or limit
  end
  if prepare then
    prepare()
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      merged[code] = (merged[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(merged) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "non_2xx_3xx": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), errors, summary.errors.status, table.concat(parts, ", ")))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_run(*, port: int, script: str, duration: float, connections: int, threads: int, path: str = "/",
            limit: int = 0) -> dict:  # fmt: skip
    """wrk against 127.0.0.1:``port`` with ``script`` (its own part, after ``LUA_COMMON``): requests,
    duration, p50/p90/p99 in microseconds, socket errors, answers that were not 2xx/3xx, the count of
    each status, and ``rps``. ``limit`` stops each thread after that many answers."""
    workdir = Path(tempfile.mkdtemp(prefix="wrk-"))
    try:
        lua = workdir / "run.lua"
        lua.write_text(LUA_COMMON + script)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(lua),
                   f"http://127.0.0.1:{port}{path}"]  # fmt: skip
        if limit:
            command += ["--", str(limit)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def wrk_required() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: scripts/system-packages wrk (as root) or apt-get install wrk")


# --- what a result is reported with ---------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "python": platform.python_version()}  # fmt: skip


def versions() -> dict:
    """Of Python, Django, gunicorn, the PostgreSQL and Redis the site uses (Django set up), wrk, the commit."""
    import django
    import gunicorn
    from django.db import connection
    from django_redis import get_redis_connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    redis_version = get_redis_connection("default").info().get("redis_version")
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[:1]  # noqa: S607
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,  # noqa: S607
    ).stdout
    return {"python": platform.python_version(), "django": django.get_version(), "gunicorn": gunicorn.__version__,
            "postgresql": pg, "redis": redis_version, "wrk": wrk[0] if wrk else "?", "commit": commit.strip()}  # fmt: skip
