"""SQL planning and execution time of the read pages' main queries, for comparing dataset sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_perf_large REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python benchmarks/pages_sql.py

Run ``benchmarks/pages_inprocess.py`` once first on the same database (it adds the reader who follows up to
1,000 writers). Medians of 15 ``EXPLAIN (ANALYZE, BUFFERS)`` runs each: the topic page for the rarest and
the commonest topic (the query before migration 0007, joining the topic table while walking the site's
hot index, and the query now), the following feed's first and tenth page, a profile header with its
counts and from the cache, and the discovery feed's card query.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(sql: str, params=None, n: int = 15) -> str:
    from django.db import connection

    runs = []
    with connection.cursor() as cursor:
        for _ in range(n):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            out = "\n".join(row[0] for row in cursor.fetchall())
            runs.append(
                (
                    float(re.search(r"Planning Time: ([\d.]+)", out).group(1)),
                    float(re.search(r"Execution Time: ([\d.]+)", out).group(1)),
                )
            )
    plan = statistics.median(r[0] for r in runs)
    execute = statistics.median(r[1] for r in runs)
    return f"plan {plan:.2f} ms, exec {execute:.2f} ms"


def queries_of(fn) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db.models import Count

    from accounts.models import User
    from community import keys
    from community.models import Note, Topic
    from community.selectors import feeds, profiles
    from community.selectors.notes import note_public_qs

    rare = Topic.objects.filter(note_count__gt=0).order_by("note_count").first()
    common = Topic.objects.order_by("-note_count").first()
    print(f"{Note.objects.count()} notes")
    for topic in (rare, common):
        before = note_public_qs().filter(topics=topic).order_by("-hot_score", "-id")[:21]
        sql, params = before.query.sql_with_params()
        print(f"topic of {topic.note_count} notes, before 0007: {timed(sql, params)}")
        after = queries_of(lambda topic=topic: feeds.topic_notes(topic=topic, viewer=None))[-1]
        print(f"topic of {topic.note_count} notes, now:         {timed(after)}")
    reader = User.objects.get(username="bench_reader")
    print(f"following {reader.following_set.count()} writers, page 1: "
          f"{timed(queries_of(lambda: feeds.feed_following(viewer=reader))[0])}")  # fmt: skip
    page = feeds.feed_following(viewer=reader)
    for _ in range(9):
        page = feeds.feed_following(viewer=reader, cursor=page.next_cursor)
    tenth = queries_of(lambda: feeds.feed_following(viewer=reader, cursor=page.next_cursor))[0]
    print(f"following page 10: {timed(tenth)}")
    writer = Note.objects.values("author_id").annotate(n=Count("id")).order_by("-n")[0]["author_id"]
    cache.delete(keys.profile_counts(writer))
    miss = queries_of(lambda: profiles.profile_get(user_id=writer, viewer=reader))[0]
    hit = queries_of(lambda: profiles.profile_get(user_id=writer, viewer=reader))[0]
    print(f"profile header with counts: {timed(miss)}; counts cached: {timed(hit)}")
    print(f"discovery feed card query: {timed(queries_of(lambda: feeds.feed_discover(viewer=None))[0])}")


if __name__ == "__main__":
    main()
