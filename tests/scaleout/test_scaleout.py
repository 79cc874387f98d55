"""Scale-out with real processes (issue 14, item 4): nginx over two gunicorn instances, two Celery workers,
beat and two materialisers against one PostgreSQL database and one Redis, the flash sale on a
three-master Redis Cluster, 30 seconds of the soak's mixed traffic, then every book checked.

The run is benchmarks/scaleout.py's short form (``make scaleout`` is the long one, with figures), in a
subprocess with a database of its own next to this test's (made anew, dropped after) and Redis servers of
its own on free loopback ports. The harness checks the soak's books itself and exits 1 on any failure;
this test also reads its summary and holds the figures that say the work was spread and the books kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_drop(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cur:
        name = parts.path.lstrip("/")
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


@pytest.mark.django_db
def test_two_instances_two_workers_and_a_redis_cluster_keep_every_book(tmp_path):
    params = connection.settings_dict
    host, port, user = params["HOST"] or "127.0.0.1", params["PORT"] or 5432, params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    url = f"postgres://{user}{password}@{host}:{port}/{params['NAME']}_scaleout"
    summary_path = tmp_path / "summary.json"
    try:
        run = subprocess.run(
            [sys.executable, "benchmarks/scaleout.py", "--duration", "30", "--users", "20", "--threads", "6",
             "--web-workers", "1", "--wrk-rounds", "0", "--no-write", "--summary", str(summary_path)],
            cwd=ROOT, env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "HOME": str(tmp_path), "LANG": "C.UTF-8", "SCALEOUT_DATABASE_URL": url},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        database_drop(url)
    tail = (run.stdout + run.stderr)[-6000:]
    assert summary_path.exists(), tail
    s = json.loads(summary_path.read_text())
    assert run.returncode == 0 and s["passed"], (s.get("failures"), tail)

    # Traffic spread over both instances (nginx's upstream log, and each gunicorn's own access log).
    for figures in s["instances"].values():
        assert figures["via_nginx"] > 0.2 * s["requests"], s["instances"]
        assert figures["own_access_log_lines"] > 0
    # Both Celery workers ran tasks.
    assert len(s["celery_tasks_succeeded_by_worker"]) == 2 and all(
        s["celery_tasks_succeeded_by_worker"].values()
    )
    # The flash sale ran on the cluster: admissions, each sale's keys in one slot there, none on the main Redis.
    assert s["flash_buys_admitted"] > 0
    for placement in s["flash_sales_on_the_cluster"].values():
        assert (
            placement["keys_on_cluster"] > 0
            and placement["keys_on_main_redis"] == 0
            and placement["slots"] == 1
        )
    # The books: no 5xx, no unintended 4xx, every payment confirmed, no drift anywhere.
    assert not any(k.startswith("5") for k in s["by_status"]), s["by_status"]
    assert s["unintended_4xx"] == {}
    assert s["payments"]["clicked"] == s["payments"]["confirmed"] > 0
    books = s["books"]
    assert books["stock_drift"] == [] and books["counter_drift"] == {} and books["orders_paid_twice"] == []
    assert all(sale["drift"] == 0 for sale in books["sales"].values()), books["sales"]
    assert books["orders_with_payment_succeeded"] == books["payments_succeeded"]
    assert s["by_action"]["comment"].get("201", 0) > 0 and s["by_action"]["like"]
    assert s["by_action"]["order_place"].get("201", 0) > 0
