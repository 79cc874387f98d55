"""The personal discovery feed against the plain hot feed, in the same run, at 200k notes.

    .venv/bin/python benchmarks/generate_community.py --database hs_recs_large --size large --recreate
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python benchmarks/recs_feed_bench.py --database hs_recs_large

Trains the model on the whole log first (timed, with the peak memory). Then, for ``--readers`` readers
who have engagement (interleaved, so both feeds see the same machine load): the whole page through
Django's test client (middleware, session, view, template), ``/`` (personal; its candidate list built
once beforehand, as the Celery refresh keeps it for active readers) against ``/hot/`` (the hot ranking),
first page and two more through their cursors, plus the API's first page of each. Reports p50/p99 of
wall time and the ratios, and the median CPU ms of each kind of request (``time.process_time``: steadier
than wall time on a loaded machine); a candidate-list build (the miss) is reported on its own. Results go
to benchmarks/results/recs_feed.md. ``--profile "personal API"`` (any request label) runs that kind of
request under cProfile and prints its top functions (``/tmp/recs_feed.prof``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="hs_recs_large")
    parser.add_argument("--readers", type=int, default=60)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--profile", default="", help="a request label to profile, e.g. 'personal API'")
    args = parser.parse_args()
    import generate_notes

    os.environ["DATABASE_URL"] = generate_notes.database_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic here: plain static storage (the same for both feeds), not the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.db import connection
    from django.test import Client
    from django_redis import get_redis_connection

    from accounts.models import User
    from recs.selectors.candidates import candidates_build, candidates_store
    from recs.services.training import model_current, model_train

    get_redis_connection("default").flushdb()
    figures = model_train()
    model = model_current()
    print(f"training: {figures}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM community_note")
        (notes,) = cursor.fetchone()
        cursor.execute("SELECT DISTINCT user_id FROM community_like ORDER BY 1")
        engaged = [r[0] for r in cursor.fetchall()]
    rng = random.Random(15)
    users = list(User.objects.filter(pk__in=rng.sample(engaged, min(args.readers, len(engaged)))))
    builds = []
    for user in users:
        started = time.perf_counter()
        built = candidates_build(viewer=user, reader=f"u:{user.pk}", client=get_redis_connection("default"))
        builds.append(time.perf_counter() - started)
        candidates_store(reader=f"u:{user.pk}", built=built, client=get_redis_connection("default"))
    timings: dict[str, list[float]] = {"personal page": [], "hot page": [], "personal API": [], "hot API": []}
    cpu: dict[str, list[float]] = {label: [] for label in timings}
    profiler = cProfile.Profile()

    def timed(label: str, round_: int, client, url: str, **kwargs):
        profiling = round_ and label == args.profile
        if profiling:
            profiler.enable()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **kwargs)
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if profiling:
            profiler.disable()
        assert response.status_code == 200, (url, response.status_code)
        if round_:
            timings[label].append(elapsed)
            cpu[label].append(elapsed_cpu)
        return response

    next_re = re.compile(r'hx-get="([^"]+)" hx-trigger="revealed"')
    # One request handler for every reader's client: a new test Client builds its own, and the first
    # request through it loads the middleware (WhiteNoise scans the static files, ~100 ms), which landed on
    # whichever page a reader asked for first (the personal one) and made its p99.
    handler = Client().handler
    for round_ in range(2):
        for user in users:
            client = Client()
            client.handler = handler
            client.force_login(user)
            for label, first in (("personal page", "/"), ("hot page", "/hot/")):
                url = first
                for _page in range(args.pages):
                    response = timed(
                        label, round_, client, url, headers={"HX-Request": "true"} if url != first else {}
                    )
                    found = next_re.search(response.content.decode())
                    if not found:
                        break
                    url = found.group(1).replace("&amp;", "&")
            for label, url in (("personal API", "/api/feed/for-you/"), ("hot API", "/api/feed/")):
                timed(label, round_, client, url)
    if args.profile:
        profiler.dump_stats(os.path.join(tempfile.gettempdir(), "recs_feed.prof"))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    rows = []
    for label, values in timings.items():
        rows.append((label, len(values), percentile(values, 50) * 1000, percentile(values, 99) * 1000))
    p99 = {label: p for label, _n, _p50, p in rows}
    cpu_ms = {label: statistics.median(values) * 1000 for label, values in cpu.items()}
    lines = [
        "# Personal feed vs hot feed",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {args.database} ({notes} notes), "
        f"{len(users)} readers, load average {os.getloadavg()[0]:.2f}; model: {len(model.user_ids) if model else 0} "
        f"readers x {len(model.item_ids) if model else 0} notes.",
        "",
        f"Training on the whole log: {figures['seconds']} s, {figures['interactions']} interactions, "
        f"peak memory {figures['peak_rss_mb']} MB (ru_maxrss of the process).",
        "",
        "| request | n | p50 ms | p99 ms | CPU ms (median) |",
        "|---|---:|---:|---:|---:|",
        *[f"| {label} | {n} | {p50:.1f} | {p:.1f} | {cpu_ms[label]:.1f} |" for label, n, p50, p in rows],
        "",
        f"Personal / hot p99, pages: **{p99['personal page'] / p99['hot page']:.2f}x**; "
        f"API: **{p99['personal API'] / p99['hot API']:.2f}x** (goal <= 1.2). Median CPU, pages: "
        f"{cpu_ms['personal page'] / cpu_ms['hot page']:.2f}x; API: {cpu_ms['personal API'] / cpu_ms['hot API']:.2f}x.",
        "",
        f"A candidate-list build (the miss, then cached for 30 minutes and refreshed by Celery): p50 "
        f"{percentile(builds, 50) * 1000:.0f} ms, p99 {percentile(builds, 99) * 1000:.0f} ms.",
        f"Peak memory of the benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.profile:  # a profiled run's timings carry the profiler's cost: not the figures to keep
        (ROOT / "benchmarks" / "results" / "recs_feed.md").write_text(report)


if __name__ == "__main__":
    main()
