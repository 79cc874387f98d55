"""Scale-out (issue 14, item 4): the site as several machines would run it, on loopback, with the soak's
traffic and the soak's books.

    .venv/bin/python benchmarks/scaleout.py                   # 5 minutes, with wrk figures (make scaleout)
    .venv/bin/python benchmarks/scaleout.py --duration 30 --no-write --wrk-rounds 0   # the CI test's form

What runs, as real processes: two gunicorn instances (config/gunicorn.py, each on its own port, as two
machines would), two Celery workers on every queue (separate processes, one consumer each), beat, two
flash-sale materialisers (one consumer group), and nginx (Debian's package, run with a config file of
the run's own in a temporary directory) balancing over both instances on a free port. One PostgreSQL
database (SCALEOUT_DATABASE_URL, default hs_scaleout on the machine's server, dropped and made anew), one
Redis of the run's own (a redis-server on a free port: cache, sessions, broker), and the flash sale's
Redis on a three-master Redis Cluster (FLASHSALE_REDIS_URL, FLASHSALE_REDIS_CLUSTER=1), each sale in one
slot by its hash tag.

The traffic is the soak's (benchmarks/soak.py: browsing, likes, collects, comments, follows, cart +
checkout + order + payment on the sandbox page, flash-sale buys on two live sales, uploads), sent to
nginx. At the end, besides the soak's checks (no 5xx, no unintended 4xx, queues drained, every payment
confirmed, stock ledger balanced, every flash sale without drift, counters equal to their rows, no order
paid twice, no error in any server's log), this run fails unless both instances served requests (nginx's
access log by upstream, and each gunicorn's own access log), both Celery workers ran tasks (their logs),
and the sales' keys live on the cluster, not on the main Redis.

With ``--wrk-rounds N`` it then measures, in N interleaved rounds, the trivial endpoint
(``/api/flash/ping/``) through nginx over both instances against one instance directly. Results:
benchmarks/results/scaleout.json and scaleout.md (not with --no-write). Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.flashsale_bench import site_env  # noqa: E402
from benchmarks.soak import (  # noqa: E402
    BIN,
    Processes,
    TrafficRun,
    answers,
    books_checked,
    log,
    settle,
    sigterm_raises,
    site_prepare,
)

RESULTS_JSON = ROOT / "benchmarks" / "results" / "scaleout.json"
RESULTS_MD = ROOT / "benchmarks" / "results" / "scaleout.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
# The run's own nginx (benchmarks/scaleout.py), shaped like deploy/nginx.conf without TLS.
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 25m;
    server_tokens off;
    log_format upstream '$upstream_addr $status $request_method $uri $request_time';
    access_log {dir}/nginx-access.log upstream;
    upstream web {{
{servers}
        keepalive 32;
        # Under gunicorn's keepalive (2 s): nginx must never reuse a connection gunicorn may be closing
        # (that race is a "connection reset" and a 502 for a POST, which nginx does not retry).
        keepalive_timeout 1s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto http;
            proxy_set_header X-Request-ID $request_id;
            proxy_read_timeout 60s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class ScaleOut(Processes):
    """Two gunicorn instances, two Celery workers, beat, two materialisers and nginx in front."""

    def __init__(self, env: dict[str, str], port: int, logdir: Path, web_ports: list[int], workers: int):
        super().__init__(env, port, logdir)
        self.web_ports, self.workers = web_ports, workers

    def start_all(self, queues: list[str]) -> None:
        self.queues = queues
        for i, web_port in enumerate(self.web_ports, 1):
            self._start(
                f"web{i}", [str(BIN / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py"], f"web{i}",
                env={**self.env, "BIND": f"127.0.0.1:{web_port}", "ACCESS_LOG": "1"},
            )  # fmt: skip
        for i in range(1, self.workers + 1):
            self._start(
                f"worker{i}",
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-Q", ",".join(queues),
                 "--concurrency", "2", "-n", f"scale{i}@%h"],
                f"worker{i}",
                env={**self.env, "LOG_LEVEL": "INFO"},  # "Task ... succeeded" lines tell which worker ran what
            )  # fmt: skip
        self._start("beat", [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"], "beat")
        for i in (1, 2):
            self._start(
                f"materializer{i}", [sys.executable, "manage.py", "flashsale_consumer"], f"materializer{i}"
            )
        conf = self.logdir / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                dir=self.logdir, port=self.port,
                user="user root;" if os.geteuid() == 0 else "",  # its temp files live in the run's own dir
                servers="\n".join(f"        server 127.0.0.1:{p};" for p in self.web_ports),
            )
        )  # fmt: skip
        self._start("nginx", [NGINX, "-p", str(self.logdir), "-c", str(conf), "-g", "daemon off;"], "nginx")
        for web_port in self.web_ports:
            self.wait_http(f"http://127.0.0.1:{web_port}/healthz")
        self.wait_http(f"http://127.0.0.1:{self.port}/healthz")

    def logs(self, prefix: str) -> list[Path]:
        return sorted(self.logdir.glob(f"{prefix}*.log"))


def upstream_share(logdir: Path, web_ports: list[int]) -> dict[str, int]:
    """Requests nginx passed to each instance (the last upstream tried, from its access log)."""
    counts = Counter()
    for line in (logdir / "nginx-access.log").read_text(errors="replace").splitlines():
        upstream = line.split(" ")[0].rstrip(",")
        counts[upstream] += 1
    return {f"127.0.0.1:{p}": counts.get(f"127.0.0.1:{p}", 0) for p in web_ports}


def gunicorn_access_lines(path: Path) -> int:
    return sum(
        1
        for line in path.read_text(errors="replace").splitlines()
        if re.search(r'"(GET|POST|DELETE) /', line)
    )


def tasks_succeeded(path: Path) -> int:
    return sum(1 for line in path.read_text(errors="replace").splitlines() if "succeeded in" in line)


def sales_on_the_cluster(main_redis_url: str) -> dict:
    """Where each live sale's keys are: on the cluster (flashsale's client), not on the main Redis."""
    import redis

    from flashsale import keys
    from flashsale.models import FlashSale
    from flashsale.services.redis import client

    cluster, main = client(), redis.Redis.from_url(main_redis_url)
    out = {}
    for sale_id in FlashSale.objects.filter(state=FlashSale.State.PUBLISHED).values_list("pk", flat=True):
        names = keys.sale_keys(sale_id)
        out[sale_id] = {
            "keys_on_cluster": sum(cluster.exists(k) for k in names),
            "keys_on_main_redis": sum(main.exists(k) for k in names),
            "slots": len({cluster.keyslot(k) for k in names}),
        }
    return out


def buy_script_cost(cluster) -> dict:
    """What the buy script costs a cluster node: EVALSHA calls and microseconds per call (INFO
    commandstats). One sale lives in one slot, so one node's single thread bounds one sale."""
    out = {}
    for node in cluster.nodes:
        stats = node.client().info("commandstats")
        for name in ("cmdstat_evalsha", "cmdstat_eval"):
            if name in stats and stats[name]["calls"]:
                out[f"127.0.0.1:{node.port}"] = {
                    "calls": stats[name]["calls"],
                    "usec_per_call": round(stats[name]["usec_per_call"], 1),
                }
    return out


def database_connections() -> int:
    """Connections the site's processes hold to the database now (the harness's own excluded)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]


def wrk_rounds(port: int, direct_port: int, tokens: list[str], args) -> dict:
    """The trivial endpoint (a token-authenticated POST, the flash-sale benchmark's floor and its wrk
    script) through nginx over both instances and on one instance directly, in interleaved rounds."""
    from benchmarks.flashsale_bench import wrk_post

    options = argparse.Namespace(threads=1, connections=args.wrk_connections, duration=args.wrk_seconds)
    credentials = ("Authorization", [f"Token {t}" for t in tokens])
    targets = {"through_nginx_two_instances": port, "one_instance_direct": direct_port}
    results: dict[str, list[dict]] = {name: [] for name in targets}
    for i in range(args.wrk_rounds):
        for name in list(targets) if i % 2 == 0 else list(reversed(targets)):
            got = wrk_post(
                port=targets[name], path="/api/flash/ping/", credentials=credentials, args=options, label=name
            )
            results[name].append(
                {"rps": round(got["rps"], 1), "p99_ms": round(got["p99_us"] / 1000, 1),
                 "non_2xx_3xx": got["non_2xx_3xx"], "socket_errors": got["socket_errors"]}
            )  # fmt: skip
    median = {k: sorted(r["rps"] for r in v)[len(v) // 2] for k, v in results.items()}
    return {
        "rounds": results,
        "median_rps": median,
        "ratio_two_behind_nginx_over_one_direct": round(
            median["through_nginx_two_instances"] / median["one_instance_direct"], 2
        ),
    }


def main() -> int:  # noqa: C901, PLR0915 - one script, read top to bottom
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=300, help="seconds of traffic")
    parser.add_argument("--users", type=int, default=40, help="shoppers")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a thread's actions (s)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--drain-timeout", type=float, default=60.0)
    parser.add_argument("--wrk-rounds", type=int, default=3, help="0: no wrk figures")
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--wrk-connections", type=int, default=16)
    parser.add_argument("--no-write", action="store_true", help="print, don't write the results files")
    parser.add_argument("--summary", type=Path, help="also write the JSON summary to this file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, sigterm_raises)

    from cryptography.fernet import Fernet

    from flashsale.tests.redis_servers import RedisCluster3, RedisServer, free_port

    database_url = os.environ.get("SCALEOUT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hs_scaleout")
    workdir = Path(tempfile.mkdtemp(prefix="scaleout-"))
    port, web_ports = free_port(), [free_port(), free_port()]
    base = f"http://127.0.0.1:{port}"
    main_redis = cluster = None
    procs = None
    failures: list[str] = []
    summary: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()})",
        "load_average_start": os.getloadavg(),
        "shape": f"nginx -> 2 gunicorn instances x {args.web_workers} workers x 4 threads; 2 Celery workers "
        "(concurrency 2, every queue); beat; 2 materialisers; PostgreSQL; a Redis; a 3-master Redis Cluster "
        "for the flash sale",
        "duration_s": args.duration,
        "users": args.users,
        "threads": args.threads,
    }
    try:
        main_redis = RedisServer(workdir / "redis", aof=False).start()
        cluster = RedisCluster3(workdir / "cluster").start()
        env = {
            **site_env(database_url, main_redis.url),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEMO_APP": "1",
            "VAR_DIR": str(workdir / "var"),
            "SANDBOX_PAYMENT_SECRET": "scale-" + uuid.uuid4().hex,
            "WEB_CONCURRENCY": str(args.web_workers),
            "WEB_THREADS": "4",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "FIELD_HASH_KEY": "scale-hash-" + uuid.uuid4().hex * 2,
            "FLASHSALE_REDIS_URL": cluster.url,
            "FLASHSALE_REDIS_CLUSTER": "1",
            "PROXY_COUNT": "1",  # nginx in front sets X-Forwarded-For
        }
        env.pop("CELERY_BROKER_URL", None)
        log(
            f"database {database_url} (new), redis {main_redis.url}, cluster {cluster.url}, logs in {workdir}"
        )
        shopper_data, fx, queues = site_prepare(
            env, database_url=database_url, redis_url=main_redis.url, base=base, users=args.users
        )
        procs = ScaleOut(env, port, workdir, web_ports, workers=2)
        procs.start_all(queues)
        log(f"serving on {base}: nginx -> {web_ports}, 2 Celery workers, beat, 2 materialisers")

        run = TrafficRun(shopper_data, base, fx, threads=args.threads, think=args.think)
        stats, payments = run.stats, run.payments
        last_report = 0.0
        while (elapsed := run.elapsed()) < args.duration:
            payments.watch_once()
            if dead := procs.dead():
                failures.append(f"a process died: {dead}")
                break
            if elapsed - last_report >= 15:
                last_report = elapsed
                log(f"{elapsed:4.0f} s: {stats.requests} requests, {len(payments.clicked)} pays clicked")
            time.sleep(0.5)
        summary["database_connections_under_traffic"] = database_connections()
        traffic_seconds = run.finish()
        drained = settle(main_redis.url, queues, args.drain_timeout, set(), payments)
        log(f"traffic stopped after {traffic_seconds:.0f} s; drained: {drained}")

        answered, answer_failures = answers(stats, traffic_seconds)
        checked, book_failures = books_checked(
            worker_logs=procs.logs("worker"),
            server_logs=[
                *procs.logs("web"),
                *procs.logs("worker"),
                *procs.logs("beat"),
                *procs.logs("materializer"),
            ],
            payments=payments,
        )
        share = upstream_share(workdir, web_ports)
        instances = {
            f"web{i}": {"port": p, "via_nginx": share[f"127.0.0.1:{p}"],
                        "own_access_log_lines": gunicorn_access_lines(workdir / f"web{i}.log")}
            for i, p in enumerate(web_ports, 1)
        }  # fmt: skip
        workers = {path.stem: tasks_succeeded(path) for path in procs.logs("worker")}
        placement = sales_on_the_cluster(main_redis.url)
        summary["buy_script_on_the_cluster"] = buy_script_cost(cluster)
        summary.update(
            {
                **answered,
                "instances": instances,
                "celery_tasks_succeeded_by_worker": workers,
                "flash_sales_on_the_cluster": placement,
                "payments": payments.summary(),
                "drain": drained,
                **checked,
            }
        )
        failures += answer_failures + book_failures
        if not drained["drained"]:
            failures.append(f"queues not drained: {drained}")
        if len(payments.clicked) != len(payments.confirmed):
            failures.append(
                f"{len(payments.clicked) - len(payments.confirmed)} clicked payments never confirmed"
            )
        for name, figures in instances.items():
            if not (figures["via_nginx"] and figures["own_access_log_lines"]):
                failures.append(f"{name} served no request: {figures}")
        if len(workers) != 2 or not all(workers.values()):
            failures.append(f"a Celery worker ran no task: {workers}")
        if not placement or any(
            p["keys_on_cluster"] == 0 or p["keys_on_main_redis"] or p["slots"] != 1
            for p in placement.values()
        ):
            failures.append(f"flash sales not (only) on the cluster: {placement}")
        admitted = stats.by_action["flash_buy"].get(202, 0)
        if not admitted:
            failures.append("no flash-sale buy was admitted")
        summary["flash_buys_admitted"] = admitted

        if args.wrk_rounds and not failures:
            log(f"wrk: {args.wrk_rounds} rounds of {args.wrk_seconds} s, {args.wrk_connections} connections")
            summary["wrk"] = wrk_rounds(port, web_ports[0], [d["token"] for d in shopper_data], args)
            if bad := sum(
                r["non_2xx_3xx"] + r["socket_errors"] for v in summary["wrk"]["rounds"].values() for r in v
            ):
                failures.append(f"wrk: {bad} answers that were not 2xx")
        summary["load_average_end"] = os.getloadavg()
        summary["failures"] = failures
        summary["passed"] = not failures
    except BaseException as exc:
        failures.append(f"scale-out harness failed: {exc!r}")
        summary["failures"] = failures
        summary["passed"] = False
        raise
    finally:
        if procs is not None:
            procs.stop_all()
        for server in (cluster, main_redis):
            if server is not None:
                server.stop()
        summary["logs"] = str(workdir)
        if summary.get("passed"):
            shutil.rmtree(workdir, ignore_errors=True)
            summary["logs"] = "(removed: the run passed)"
        print(json.dumps(summary, indent=2, ensure_ascii=False, default=str), flush=True)
        if args.summary:
            args.summary.write_text(json.dumps(summary, ensure_ascii=False, default=str))

    if not args.no_write:
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n")
        RESULTS_MD.write_text(markdown(summary))
        log(f"written to {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    log("PASSED" if summary["passed"] else f"FAILED: {failures}")
    return 0 if summary["passed"] else 1


def markdown(s: dict) -> str:
    books_ = s["books"]
    rows = [
        ("shape", s["shape"]),
        ("requests served", f"{s['requests']} in {s['traffic_seconds']} s ({s['requests_per_second']}/s)"),
        ("latency p50 / p99", f"{s['latency_ms']['p50']} / {s['latency_ms']['p99']} ms"),
        ("answers by status", ", ".join(f"{k}: {v}" for k, v in s["by_status"].items())),
        ("requests per instance (nginx upstream / own access log)",
         ", ".join(f"{n}: {f['via_nginx']} / {f['own_access_log_lines']}" for n, f in s["instances"].items())),
        ("Celery tasks succeeded per worker", ", ".join(f"{k}: {v}" for k, v in s["celery_tasks_succeeded_by_worker"].items())),
        ("flash-sale buys admitted (on the Redis Cluster)", str(s["flash_buys_admitted"])),
        ("flash sales: keys on the cluster / on the main Redis / slots",
         ", ".join(f"sale {k}: {v['keys_on_cluster']} / {v['keys_on_main_redis']} / {v['slots']}"
                   for k, v in s["flash_sales_on_the_cluster"].items())),
        ("buy script on the cluster nodes (EVALSHA calls, µs per call)",
         ", ".join(f"{k}: {v['calls']}, {v['usec_per_call']}" for k, v in s["buy_script_on_the_cluster"].items())),
        ("database connections held under traffic", str(s["database_connections_under_traffic"])),
        ("payments clicked / confirmed", f"{s['payments']['clicked']} / {s['payments']['confirmed']}"),
        ("stock ledger drift", str(len(books_["stock_drift"]))),
        ("flash-sale drift", ", ".join(f"sale {k}: {v['drift']} (quota {v['quota']}, orders {v['live_orders']})"
                                      for k, v in books_["sales"].items())),
        ("counter drift", str(len(books_["counter_drift"]))),
        ("paid orders / successful payments / paid twice",
         f"{books_['orders_with_payment_succeeded']} / {books_['payments_succeeded']} / {len(books_['orders_paid_twice'])}"),
    ]  # fmt: skip
    if "wrk" in s:
        w = s["wrk"]
        rows.append(
            (
                "trivial endpoint, median req/s: two instances behind nginx / one instance direct",
                f"{w['median_rps']['through_nginx_two_instances']:.0f} / {w['median_rps']['one_instance_direct']:.0f}"
                f" = {w['ratio_two_behind_nginx_over_one_direct']}",
            )
        )
    rows.append(("verdict", "PASSED" if s["passed"] else "FAILED: " + "; ".join(s["failures"])))
    return "\n".join(
        [
            "# Scale-out",
            "",
            f"Run {s['started']} on {s['machine']}, load average {s['load_average_start']} at the start and "
            f"{s.get('load_average_end')} at the end; {s['users']} shoppers on {s['threads']} client threads "
            f"for {s['duration_s']} s, the soak's traffic (benchmarks/soak.py).",
            "",
            "Reproduce: `make scaleout` (the CI test, tests/scaleout/test_scaleout.py, runs 30 s of it).",
            "",
            "| figure | measured |",
            "| --- | --- |",
            *[f"| {k} | {v} |" for k, v in rows],
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
