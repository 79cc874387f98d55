"""CPU milliseconds and SQL queries per request for the read pages, in process (no server, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_perf REDIS_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python benchmarks/pages_inprocess.py [--rounds 30] [--profile NAME]

Runs against a database made by ``generate_notes.py`` (it adds, once, a reader who follows up to 1,000 writers,
likes on the first notes and 300 comments on one note). Each page is requested through Django's test
client: warmed up, then ``--rounds`` times, reporting the median and the least CPU time of the request
(``time.process_time``; on a shared machine the least is the steadier figure) and its query count.
``--profile NAME`` writes a cProfile of that page to
``/tmp/NAME.prof`` and prints the top functions; ``--templates NAME`` prints that page's CPU per template
(a timer around each ``Template.render``, nested templates counted in their parents too). Figures are for comparing before/after on the same
machine in the same session, not absolute. ``--bench`` runs instead against a ``bench_data`` database:
the note page with 300 comments, search, notifications, the mall's pages, cart and checkout.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def fixtures():
    from django.db import connection

    from accounts.models import User
    from community.models import Comment, Follow, Like, Note

    reader, created = User.objects.get_or_create(username="bench_reader", defaults={"nickname": "Reader"})
    if created or not Follow.objects.filter(follower=reader).exists():
        writers = list(User.objects.exclude(pk=reader.pk).order_by("pk").values_list("pk", flat=True)[:1000])
        Follow.objects.bulk_create(
            [Follow(follower=reader, followee_id=w) for w in writers], ignore_conflicts=True
        )
        notes = list(Note.objects.order_by("-id").values_list("pk", flat=True)[:400])
        Like.objects.bulk_create([Like(user=reader, note_id=n) for n in notes[::3]], ignore_conflicts=True)
    note = Note.objects.filter(status="published", visibility="public").order_by("id").first()
    if Comment.objects.filter(note=note).count() < 300:
        users = list(User.objects.values_list("pk", flat=True)[:300])
        Comment.objects.bulk_create(
            [
                Comment(note=note, author_id=users[i % len(users)], body=f"评论 comment {i} 很好用")
                for i in range(300)
            ]
        )
        Note.objects.filter(pk=note.pk).update(comment_count=300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    writer = (
        Note.objects.values("author_id")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        .order_by("-n")[0]["author_id"]
    )
    from community.models import Topic

    common = Topic.objects.order_by("-note_count").first().name
    rare = Topic.objects.filter(note_count__gt=0).order_by("note_count").first().name
    return reader, note, writer, common, rare


def pages(note, writer, common, rare):
    from urllib.parse import quote

    return [
        ("ping (floor, POST)", "/api/flash/ping/", True),
        ("feed anon", "/", False),
        ("feed signed in", "/", True),
        ("feed api anon", "/api/notes/", False),
        ("following", "/following/", True),
        ("topic common", f"/topics/{quote(common)}/", False),
        ("topic rare", f"/topics/{quote(rare)}/", False),
        ("profile", f"/users/{writer}/", True),
        ("note 300 comments", f"/notes/{note.pk}/", True),
        ("search zh", "/search/?q=" + quote("面霜"), False),
    ]


def bench_pages():
    """The reader, and the pages of ``pages_bench.py``'s signed-in and mall rows, on a ``bench_data`` database."""
    from urllib.parse import quote

    from accounts.models import User
    from demo.benchdata import facts

    info = facts()
    reader = User.objects.get(pk=info["reader_id"])
    return reader, [
        ("ping (floor, POST)", "/api/flash/ping/", True),
        ("note 300 comments", f"/notes/{info['big_note_id']}/", True),
        ("search zh", "/search/?q=" + quote("面霜"), True),
        ("search en", "/search/?q=sunscreen", True),
        ("notifications", "/notifications/", True),
        ("mall home", "/mall/", False),
        ("product list", "/mall/products/", False),
        ("product page", f"/mall/products/{info['product_slug']}/", False),
        ("cart", "/mall/cart/", True),
        ("checkout page", "/mall/checkout/", True),
    ]


def measure(client, path: str, rounds: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get = client.post if path == "/api/flash/ping/" else client.get
    for _ in range(3):
        assert get(path).status_code == 200, path
    cpu = []
    queries = 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            start = time.process_time()
            response = get(path)
            cpu.append((time.process_time() - start) * 1000)
        assert response.status_code == 200, path
        queries = len(ctx.captured_queries)
    return statistics.median(cpu), min(cpu), queries


def templates(client, path: str, rounds: int) -> None:
    """CPU ms per request spent in each template of ``path`` (and the request's total)."""
    from collections import Counter

    from django.template import base

    spent: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    render = base.Template.render

    def timed(self, context):
        start = time.process_time()
        try:
            return render(self, context)
        finally:
            spent[str(self.origin.template_name)] += time.process_time() - start
            calls[str(self.origin.template_name)] += 1

    for _ in range(3):
        client.get(path)
    base.Template.render = timed
    try:
        start = time.process_time()
        for _ in range(rounds):
            client.get(path)
        total = time.process_time() - start
    finally:
        base.Template.render = render
    print(f"{path}: {total / rounds * 1000:.2f} ms CPU per request, of which in templates:")
    for name, seconds in spent.most_common(15):
        print(f"  {seconds / rounds * 1000:7.2f} ms  x{calls[name] / rounds:5.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument("--only", default="")
    parser.add_argument("--templates", default="")
    parser.add_argument(
        "--bench",
        action="store_true",
        help="a bench_data database: the signed-in and mall pages of pages_bench.py",
    )
    args = parser.parse_args()
    setup()
    from django.test import Client

    if args.bench:
        reader, page_list = bench_pages()
    else:
        reader, note, writer, common, rare = fixtures()
        page_list = pages(note, writer, common, rare)
    anon, signed = Client(), Client()
    signed.force_login(reader)
    for name, path, auth in page_list:
        if args.only and args.only not in name:
            continue
        client = signed if auth else anon
        if args.profile and args.profile in name:
            client.get(path)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.rounds):
                client.get(path)
            profiler.disable()
            profiler.dump_stats(os.path.join(tempfile.gettempdir(), args.profile.replace(" ", "_") + ".prof"))
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            continue
        if args.templates and args.templates in name:
            templates(client, path, args.rounds)
            continue
        cpu, least, queries = measure(client, path, args.rounds)
        print(f"{name:<22} {cpu:7.2f} ms CPU (least {least:6.2f})  {queries:2d} queries  {path}")


if __name__ == "__main__":
    main()
