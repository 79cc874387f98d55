"""Every page of the site under gunicorn and wrk, against the trivial DRF endpoint in the same round.

    .venv/bin/python benchmarks/pages_bench.py --scale large            # make bench-pages (with small first)
    .venv/bin/python benchmarks/pages_bench.py --scale small --smoke    # make bench-smoke (CI)
    .venv/bin/python benchmarks/pages_bench.py --scale small --memory 100000   # item 5: worker RSS
    .venv/bin/python benchmarks/pages_bench.py --report                 # results/pages.md from the JSON
    .venv/bin/python benchmarks/pages_bench.py --only "mall home" --only profile   # some rows and the floor

The dataset is ``manage.py bench_data --scale small|large`` (demo/benchdata.py) in its own database
(``--database-url``; default hs_bench for small, hs_bench_large for large on 127.0.0.1:5432), loaded when
the database does not hold that scale yet (``--reload`` forces it; ``--fresh`` drops and recreates the
database first, as CI does). Redis: ``--redis-url`` (default db 13 on 127.0.0.1:6379), flushed first.

The site runs as production runs it: ``gunicorn config.wsgi -c config/gunicorn.py`` (gthread, 2 workers x 4
threads), DEBUG off, the URLconf of benchmarks/urls.py, no access log, no worker recycling during a run.
wrk drives each endpoint for ``--duration`` seconds with a Lua script that rotates over prepared requests:
signed-in pages carry a real session cookie (the reader who follows 1,000 writers), POSTs a CSRF cookie and
the matching X-CSRFToken header (likes and comments by 50 users on 500 notes, as htmx sends them), the floor
``POST /api/flash/ping/`` a DRF token of one of 200 users. ``--rounds`` interleaved rounds in rotating order;
per endpoint: median req/s, p50, p99, errors, and the median of its per-round ratio to the floor's req/s.
Then, in process (Django's test client, same settings, no HTTP): SQL queries per request and Django's CPU
milliseconds per request (least of a few interleaved rounds). Then the invariants: every counter equals
its rows (``counters_recompute`` finds no drift) and the stock ledger balances. Any answer that is not 2xx
or 3xx, a socket error or a broken invariant makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common  # noqa: E402
from benchmarks.common import (  # noqa: E402
    ROOT,
    database_ensure,
    django_setup,
    gunicorn_start,
    gunicorn_stop,
    log,
    lua_string,
    machine,
    manage,
    rss_mib,
    versions,
    workers_of,
    wrk_required,
    wrk_run,
)
from flashsale.tests.redis_servers import free_port  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASES = {"small": f"{SERVER}/hs_bench", "large": f"{SERVER}/hs_bench_large"}
FLOOR = "floor: POST /api/flash/ping/"
GOAL_RATIO = 0.5  # every read page at least half the floor's throughput (issue 14)
GOAL_P99_GROWTH = 1.5  # p99 at large within 1.5x p99 at small

# wrk: each thread rotates over the endpoint's prepared requests (benchmarks/common.py adds the rest).
LUA = r"""
local entries = __ENTRIES__

function prepare()
  prepared = {}
  for i, e in ipairs(entries) do
    prepared[i] = wrk.format(e[1], e[2], e[3], e[4])
  end
end

function request()
  counter = counter + 1
  return prepared[((counter + tid * 7919) % #prepared) + 1]
end
"""


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass
class Endpoint:
    label: str
    requests: list[Req]
    write: bool = False  # a POST: not held to the read pages' goal


# --- environment, database, processes -----------------------------------------------------------------


def site_env(database_url: str, redis_url: str) -> dict[str, str]:
    return common.site_env(database_url, redis_url, DEMO_APP="1")  # bench_data lives in the demo app


def database_prepare(
    database_url: str, env: dict[str, str], scale: str, *, fresh: bool, reload: bool
) -> dict:
    """Create/migrate the database and load the dataset unless it is already there; returns the load's
    figures (or {"reused": True})."""
    import psycopg2

    name = database_ensure(database_url, fresh=fresh)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")  # DEBUG off serves the hashed names
    migrated = time.perf_counter() - started
    # The load leaves a mark on the database (its scale and the encryption key's fingerprint): a dataset
    # loaded another way (other keys) would not decrypt the reader's identity at checkout.
    mark = f"pages_bench {scale} {hashlib.sha256(env['FIELD_ENCRYPTION_KEYS'].encode()).hexdigest()[:12]}"
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        )
        found = cur.fetchone()[0]
    conn.close()
    if not reload and found == mark:
        log(f"dataset {scale} already in {name}: reused")
        return {"reused": True, "migrate_seconds": round(migrated, 1)}
    log(f"loading the {scale} dataset into {name} (manage.py bench_data --scale {scale} --reset)")
    out = manage(env, "bench_data", "--scale", scale, "--reset")
    result = json.loads(out.strip().splitlines()[-1])
    result["migrate_seconds"] = round(migrated, 1)
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'COMMENT ON DATABASE "{name}" IS %s', [mark])
    conn.close()
    log(f"bench_data {scale}: {result['seconds']} s")
    return result


# --- who is signed in, and what the endpoints are --------------------------------------------------------


def session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def cookie_headers(session_key: str | None, csrf: str) -> dict[str, str]:
    from django.conf import settings

    cookie = f"{settings.CSRF_COOKIE_NAME}={csrf}"
    if session_key:
        cookie += f"; {settings.SESSION_COOKIE_NAME}={session_key}"
    return {"Cookie": cookie}


def next_cursor_path(path: str, headers: dict[str, str], pages: int) -> str:
    """The URL of page ``pages`` of a feed, following its "more" links (each page's cursor) in process."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    meta = {"HTTP_COOKIE": headers["Cookie"]} if "Cookie" in headers else {}
    current = path
    for _ in range(pages - 1):
        html = client.get(current, **meta).content.decode()
        cursors = re.findall(r'[?&]cursor=([^"&\s]+)', html)
        if not cursors:
            raise RuntimeError(f"no next page after {current}")
        current = f"{path}?cursor={cursors[-1]}"
    return current


def endpoints_build(*, smoke: bool) -> tuple[list[Endpoint], dict]:
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from community.models import Note
    from demo.benchdata import facts

    info = facts()
    reader = User.objects.get(pk=info["reader_id"])
    csrf = secrets.token_hex(
        16
    )  # 32 characters: an unmasked CSRF secret Django accepts from cookie and header
    anon = cookie_headers(None, csrf)
    signed = cookie_headers(session_for(reader), csrf)
    writers = list(User.objects.exclude(pk__in=[info["reader_id"], info["writer_id"]]).order_by("pk")[:50])
    writer_headers = [
        {**cookie_headers(session_for(u), csrf), "X-CSRFToken": csrf, "HX-Request": "true",
         "Content-Type": "application/x-www-form-urlencoded"}
        for u in writers
    ]  # fmt: skip
    token_users = list(User.objects.order_by("pk")[:200])
    Token.objects.bulk_create(
        [Token(user=u, key=Token.generate_key()) for u in token_users], ignore_conflicts=True
    )
    tokens = list(Token.objects.filter(user__in=token_users).values_list("key", flat=True))
    notes = list(
        Note.objects.filter(status="published", visibility="public")
        .exclude(pk=info["big_note_id"])  # its page stays at exactly 300 comments, run after run
        .order_by("-hot_score", "-id")
        .values_list("id", flat=True)[:500]
    )
    q = urllib.parse.quote
    pages = 10
    feed_anon_10 = next_cursor_path("/", anon, pages)
    feed_signed_10 = next_cursor_path("/", signed, pages)

    def get(label: str, path: str, headers: dict) -> Endpoint:
        return Endpoint(label, [Req("GET", path, headers)])

    endpoints = [
        Endpoint(
            FLOOR,
            [
                Req(
                    "POST",
                    "/api/flash/ping/",
                    {"Authorization": f"Token {t}", "Content-Type": "application/json"},
                    "{}",
                )
                for t in tokens
            ],
        ),  # fmt: skip
        get("discovery feed, anonymous, page 1", "/", anon),
        get("discovery feed, anonymous, page 10", feed_anon_10, anon),
        get("discovery feed, signed in, page 1", "/", signed),
        get("discovery feed, signed in, page 10", feed_signed_10, signed),
        get("following feed (follows 1,000)" if not smoke else "following feed", "/following/", signed),
        get(f"topic, common ({info['common_topic']})", f"/topics/{q(info['common_topic'])}/", anon),
        get(
            f"topic, common ({info['common_topic']}), signed in",
            f"/topics/{q(info['common_topic'])}/",
            signed,
        ),
        get(f"topic, rare ({info['rare_topic']})", f"/topics/{q(info['rare_topic'])}/", anon),
        get("note with 300 comments", f"/notes/{info['big_note_id']}/", signed),
        get("profile (most followed writer)", f"/users/{info['writer_id']}/", anon),
        get("profile (most followed writer), signed in", f"/users/{info['writer_id']}/", signed),
        get("search, Chinese 2 characters (面霜)", f"/search/?q={q('面霜')}", signed),
        get("search, English (sunscreen)", "/search/?q=sunscreen", signed),
        get("notifications", "/notifications/", signed),
        get("mall home", "/mall/", anon),
        get("mall home, signed in", "/mall/", signed),
        get("product list", "/mall/products/", anon),
        get("product page", f"/mall/products/{info['product_slug']}/", anon),
        get("cart", "/mall/cart/", signed),
        get("checkout page", "/mall/checkout/", signed),
        Endpoint(
            "like (POST)",
            [
                Req("POST", f"/notes/{n}/like/", writer_headers[i % len(writer_headers)], "")
                for i, n in enumerate(notes)
            ],
            write=True,
        ),  # fmt: skip
        Endpoint(
            "comment (POST)",
            [
                Req(
                    "POST",
                    f"/notes/{n}/comments/",
                    writer_headers[i % len(writer_headers)],
                    "body=" + q(f"bench comment {i}"),
                )
                for i, n in enumerate(notes[:200])
            ],
            write=True,
        ),  # fmt: skip
    ]
    info.update(reader_session=signed, feed_anon_10=feed_anon_10, feed_signed_10=feed_signed_10)
    return endpoints, info


# --- wrk ---------------------------------------------------------------------------------------------------


def lua_entries(requests: list[Req]) -> str:
    items = []
    for r in requests:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items())
        body = lua_string(r.body) if r.body is not None else "nil"
        items.append(f"{{{lua_string(r.method)}, {lua_string(r.path)}, {{{headers}}}, {body}}}")
    return "{\n" + ",\n".join(items) + "\n}"


def endpoint_run(*, port: int, endpoint: Endpoint, duration: float, connections: int, threads: int,
                 limit: int = 0) -> dict:  # fmt: skip
    script = LUA.replace("__ENTRIES__", lua_entries(endpoint.requests))
    return wrk_run(port=port, script=script, duration=duration, connections=connections, threads=threads,
                   limit=limit)  # fmt: skip


# --- in process: queries and CPU per request ------------------------------------------------------------


def _client_call(client, req: Req):
    meta = {}
    for key, value in req.headers.items():
        if key == "Content-Type":
            continue
        meta["HTTP_" + key.upper().replace("-", "_")] = value
    if req.method == "GET":
        return client.get(req.path, **meta)
    return client.post(
        req.path, data=req.body or "", content_type=req.headers.get("Content-Type", ""), **meta
    )


def in_process(endpoints: list[Endpoint], *, requests: int, rounds: int) -> dict[str, dict]:
    """SQL queries of one request and the least CPU ms per request over ``rounds`` interleaved rounds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # One client per endpoint: a cookie one page sets must not reach another (a session would turn the
    # floor's token authentication into session authentication, with its CSRF check).
    clients = {ep.label: Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True) for ep in endpoints}
    figures: dict[str, dict] = {}
    for ep in endpoints:
        client = clients[ep.label]
        _client_call(client, ep.requests[0])  # warm: templates, caches
        with CaptureQueriesContext(connection) as queries:
            response = _client_call(client, ep.requests[len(ep.requests) // 2])
        figures[ep.label] = {"queries": len(queries), "status": response.status_code, "cpu_ms": None}
    for _ in range(rounds):
        for ep in endpoints:
            client = clients[ep.label]
            started = time.process_time()
            for i in range(requests):
                status = _client_call(client, ep.requests[(i * 7) % len(ep.requests)]).status_code
                if status >= 400:  # any refusal counts against the run, not only the first request's
                    figures[ep.label]["status"] = max(status, figures[ep.label]["status"])
            spent = (time.process_time() - started) / requests * 1000
            best = figures[ep.label]["cpu_ms"]
            figures[ep.label]["cpu_ms"] = spent if best is None else min(best, spent)
    return figures


def invariants() -> dict:
    from community.services.counters import counters_recompute
    from mall.services.stock import stock_reconcile

    counters = counters_recompute()
    stock = stock_reconcile()
    return {
        "counter_drift": {k: {"rows": v.rows, "sample": v.sample} for k, v in counters.items()},
        "stock_drift": [d.__dict__ for d in stock],
    }


# --- the run ---------------------------------------------------------------------------------------------


def measure(args, env: dict[str, str], endpoints: list[Endpoint], logfile: Path) -> dict[str, list[dict]]:
    port = free_port()
    gunicorn = gunicorn_start(env, port, logfile)
    runs: dict[str, list[dict]] = {ep.label: [] for ep in endpoints}
    try:
        log(f"gunicorn on 127.0.0.1:{port} (workers {workers_of(gunicorn.pid)}); warm-up")
        for ep in endpoints:
            if args.smoke:  # the smoke checks answers, not speed: one request each, so no page is cold
                endpoint_run(port=port, endpoint=ep, duration=2, connections=1, threads=1, limit=1)
            else:
                endpoint_run(
                    port=port, endpoint=ep, duration=1, connections=args.connections, threads=args.threads
                )
        for round_no in range(args.rounds):
            shift = round_no * max(1, len(endpoints) // args.rounds)
            for ep in endpoints[shift:] + endpoints[:shift]:
                result = endpoint_run(port=port, endpoint=ep, duration=args.duration, connections=args.connections,
                                 threads=args.threads)  # fmt: skip
                result["round"] = round_no + 1
                runs[ep.label].append(result)
                log(f"round {round_no + 1} {ep.label[:42]:42s} {result['rps']:7.0f} req/s  p50 "
                    f"{result['p50_us'] / 1000:6.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms  {result['statuses']}")  # fmt: skip
    finally:
        gunicorn_stop(gunicorn)
    return runs


def summarise(endpoints: list[Endpoint], runs: dict[str, list[dict]], process: dict[str, dict]) -> list[dict]:
    floors = {r["round"]: r["rps"] for r in runs[FLOOR]}
    rows = []
    for ep in endpoints:
        results = runs[ep.label]
        ratios = [r["rps"] / floors[r["round"]] for r in results if floors.get(r["round"])]
        rows.append({
            "page": ep.label,
            "write": ep.write,
            "rps": statistics.median(r["rps"] for r in results),
            "p50_ms": statistics.median(r["p50_us"] for r in results) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in results) / 1000,
            "ratio_to_floor": statistics.median(ratios) if ratios else None,
            "errors": sum(r["socket_errors"] + r["non_2xx_3xx"] for r in results),
            "statuses": _merge(r["statuses"] for r in results),
            "rounds_rps": [round(r["rps"], 1) for r in results],
            "queries": process.get(ep.label, {}).get("queries"),
            "cpu_ms": process.get(ep.label, {}).get("cpu_ms"),
            "in_process_status": process.get(ep.label, {}).get("status"),
        })  # fmt: skip
    return rows


def _merge(dicts) -> dict:
    merged: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            merged[k] = merged.get(k, 0) + v
    return merged


def table(rows: list[dict], small: dict[str, dict] | None = None) -> str:
    head = "| page | req/s | x floor | p50 ms | p99 ms | errors | SQL/req | CPU ms/req | x floor by CPU |"
    sep = "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    floor_cpu = next((r["cpu_ms"] for r in rows if r["page"] == FLOOR), None)
    if small is not None:
        head += " p99 large/small |"
        sep += " ---: |"
    lines = [head, sep]
    for r in rows:
        ratio = "" if r["page"] == FLOOR or r["ratio_to_floor"] is None else f"{r['ratio_to_floor']:.2f}"
        if ratio and not r["write"] and r["ratio_to_floor"] < GOAL_RATIO:
            ratio += " (miss)"
        cpu = f"{r['cpu_ms']:.1f}" if r["cpu_ms"] is not None else ""
        # The floor's CPU over the page's: what the throughput ratio would be if Django's CPU were all
        # (steadier than req/s on a shared machine; the database's CPU is not in it).
        by_cpu = f"{floor_cpu / r['cpu_ms']:.2f}" if floor_cpu and r["cpu_ms"] and r["page"] != FLOOR else ""
        line = (f"| {r['page']} | {r['rps']:.0f} | {ratio} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
                f"{r['queries'] if r['queries'] is not None else ''} | {cpu} | {by_cpu} |")  # fmt: skip
        if small is not None:
            other = small.get(_base_label(r["page"]))
            if other and other["p99_ms"]:
                growth = r["p99_ms"] / other["p99_ms"]
                line += f" {growth:.2f}{' (miss)' if growth > GOAL_P99_GROWTH else ''} |"
            else:
                line += " |"
        lines.append(line)
    return "\n".join(lines)


def _base_label(label: str) -> str:
    return label.replace(" (follows 1,000)", "")


def failures(rows: list[dict], checks: dict) -> list[str]:
    problems = [f"{r['page']}: {r['errors']} errors {r['statuses']}" for r in rows if r["errors"]]
    # A page that answered nothing in its round was not checked at all (each answer slower than the round).
    problems += [f"{r['page']}: no answer within the round" for r in rows if not r["statuses"]]
    problems += [f"{r['page']}: in process answered {r['in_process_status']}" for r in rows
                 if r["in_process_status"] is not None and r["in_process_status"] >= 400]  # fmt: skip
    if checks["counter_drift"]:
        problems.append(f"counters drifted from their rows: {checks['counter_drift']}")
    if checks["stock_drift"]:
        problems.append(f"stock ledger drift: {checks['stock_drift']}")
    return problems


def memory_run(args, env: dict[str, str], endpoints: list[Endpoint], logfile: Path, out: Path | None) -> dict:
    """Item 5: RSS of each gunicorn worker after 1k mixed requests, then every 10k up to ``--memory`` (every
    endpoint in one rotating list, the floor left out). The JSON is rewritten after each sample,
    so a stopped run still leaves its curve."""
    # Every endpoint weighs the same: four requests each (a page's one request four times, four different
    # likes or comments), so reads are 17 of 19 parts.
    mixed = Endpoint("mixed", [ep.requests[i % len(ep.requests)] for ep in endpoints if ep.label != FLOOR
                               for i in range(4)])  # fmt: skip
    port = free_port()
    gunicorn = gunicorn_start(env, port, logfile)
    result: dict = {"samples": [], "goal": 1.2, "mix": len(mixed.requests)}
    targets = [1_000, *range(10_000, args.memory + 1, 10_000)] if args.memory > 1_000 else [args.memory]
    if targets[-1] != args.memory:
        targets.append(args.memory)
    try:
        done = 0
        for target in targets:
            # wrk stops sending at the limit but waits out its duration: chunks of 10 s until the target.
            chunks = []
            while done < target:
                chunk = endpoint_run(port=port, endpoint=mixed, duration=10, connections=args.connections, threads=1,
                                limit=target - done)  # fmt: skip
                done += chunk["requests"]
                chunks.append(chunk)
            answer = {
                "socket_errors": sum(c["socket_errors"] for c in chunks),
                "non_2xx_3xx": sum(c["non_2xx_3xx"] for c in chunks),
                "statuses": _merge(c["statuses"] for c in chunks),
                "rps": statistics.mean(c["rps"] for c in chunks),
            }
            rss = {pid: round(rss_mib(pid), 1) for pid in workers_of(gunicorn.pid)}
            result["samples"].append({
                "requests": done, "rss_mib": rss, "errors": answer["socket_errors"] + answer["non_2xx_3xx"],
                "statuses": answer["statuses"], "rps": round(answer["rps"], 1),
            })  # fmt: skip
            first = result["samples"][0]["rss_mib"]
            result["growth"] = {str(pid): round(rss[pid] / first[pid], 3) for pid in first if pid in rss}
            result["met"] = bool(result["growth"]) and max(result["growth"].values()) <= result["goal"]
            log(f"after {done:,} requests: worker RSS {rss} MiB, growth {result['growth']} "
                f"({answer['rps']:.0f} req/s, {answer['statuses']})")  # fmt: skip
            if out is not None:
                out.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        gunicorn_stop(gunicorn)
    return result


def report() -> None:
    """results/pages.md from results/pages-large.json and pages-small.json."""
    large = json.loads((RESULTS / "pages-large.json").read_text())
    small_path = RESULTS / "pages-small.json"
    small = json.loads(small_path.read_text()) if small_path.exists() else None
    small_rows = {_base_label(r["page"]): r for r in small["rows"]} if small else None
    lines = ["# Pages benchmark", ""]
    for data in (large, small):
        if not data:
            continue
        lines += [
            f"## {data['scale']} dataset: {data['run_at']}, {data['machine']['cpus']} cores ({data['machine']['cpu']}), "
            f"load average {data['load_before'][0]:.1f} -> {data['load_after'][0]:.1f}",
            "",
            f"`{data['command']}`; wrk -t{data['args']['threads']} -c{data['args']['connections']} "
            f"-d{data['args']['duration']}s, {data['args']['rounds']} interleaved rounds (medians); versions: "
            + ", ".join(f"{k} {v}" for k, v in data["versions"].items()),
            "",
            table(data["rows"], small_rows if data is large else None),
            "",
        ]
    (RESULTS / "pages.md").write_text("\n".join(lines))
    print("\n".join(lines))


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one script, read top to bottom
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--duration", type=float, default=5, help="seconds per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--cpu-requests", type=int, default=20, help="in-process requests per endpoint per round"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="short: 1 round of 2 s, 3 in-process requests, no file"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--reload", action="store_true", help="load the dataset even if it is there")
    parser.add_argument("--load-only", action="store_true", help="prepare the dataset, measure nothing")
    parser.add_argument("--memory", type=int, default=0, help="only the RSS run: N mixed requests (item 5)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the endpoints whose label holds TEXT (repeatable), beside the floor; writes no file")  # fmt: skip
    parser.add_argument("--report", action="store_true", help="write results/pages.md from the JSON files")
    args = parser.parse_args()
    if args.report:
        report()
        return 0
    if args.smoke:
        args.duration, args.rounds, args.cpu_requests, args.no_write = 2, 1, 3, True
    wrk_required()

    database_url = args.database_url or DEFAULT_DATABASES[args.scale]
    env = site_env(database_url, args.redis_url)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DEMO_APP")})
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    load_before = os.getloadavg()
    django_setup(env)
    loaded = database_prepare(database_url, env, args.scale, fresh=args.fresh, reload=args.reload)
    if args.load_only:
        print(json.dumps(loaded))
        return 0
    endpoints, info = endpoints_build(smoke=args.smoke)
    if args.only:  # a part of the table, measured against the floor in the same rounds
        endpoints = [ep for ep in endpoints if ep.label == FLOOR or any(t in ep.label for t in args.only)]
        args.no_write = True
    from django.db import connections

    connections.close_all()
    logdir = Path(tempfile.mkdtemp(prefix="pagesbench-logs-"))
    logfile = logdir / "gunicorn.log"
    if args.memory:
        out = None if args.no_write else RESULTS / f"pages-memory-{args.scale}.json"
        result = memory_run(args, env, endpoints, logfile, out)
        result.update(scale=args.scale, run_at=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", machine=machine(),
                      load_before=load_before, load_after=os.getloadavg(), command=" ".join(sys.argv))  # fmt: skip
        print(json.dumps(result, indent=2))
        if out is not None:
            out.write_text(json.dumps(result, indent=2) + "\n")
        errors = sum(s["errors"] for s in result["samples"])
        return 0 if errors == 0 else 1

    runs = measure(args, env, endpoints, logfile)
    log("in process: SQL queries and CPU per request")
    process = in_process(endpoints, requests=args.cpu_requests, rounds=1 if args.smoke else 3)
    log("invariants: counters against their rows, the stock ledger")
    checks = invariants()
    rows = summarise(endpoints, runs, process)
    data = {
        "scale": args.scale,
        "run_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "command": "make bench-smoke"
        if args.smoke
        else " ".join(["benchmarks/pages_bench.py", *sys.argv[1:]]),
        "args": {
            k: getattr(args, k) for k in ("duration", "rounds", "connections", "threads", "cpu_requests")
        },
        "machine": machine(),
        "versions": versions(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "dataset": loaded,
        "facts": {k: v for k, v in info.items() if k not in ("reader_session",)},
        "invariants": checks,
        "rows": rows,
    }
    small = None
    if args.scale == "large" and (RESULTS / "pages-small.json").exists():
        small = {
            _base_label(r["page"]): r for r in json.loads((RESULTS / "pages-small.json").read_text())["rows"]
        }
    print(table(rows, small))
    print(f"load average {load_before[0]:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"gunicorn log {logfile}")  # fmt: skip
    if not args.no_write:
        out = RESULTS / f"pages-{args.scale}.json"
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        log(f"written to {out.relative_to(ROOT)}")
    problems = failures(rows, checks)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if problems:
        print(f"gunicorn's log: {logfile}", file=sys.stderr)
        return 1
    shutil.rmtree(logdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
