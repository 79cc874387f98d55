"""The benchmark's dataset (``manage.py bench_data --scale small|large``): a whole site at a given size.

large: 200,000 notes (1-3 image records each), 10,000 users, 2,000,000 likes, 300,000 collects, 500,000
comments (about 15% of them replies), 100,000 follows including one reader (``bench_reader``) who follows
1,000 writers, 1,000 products, 100,000 delivered orders with their payments; topics with a skewed share
(``好物分享`` in about 30% of notes, ``冷门小众`` in about 0.3%), and one note with exactly 300 comments.
small: the same shape at about 1,000 notes.

How it stays fast: the note text comes from ``benchmarks/generate_notes.py``'s pool of pre-segmented
sentences, rows go in with COPY into the real tables (notes through a staging table so PostgreSQL computes
the search vectors with the site's own ``VECTOR_SQL``), and likes, collects and comments are expanded by
PostgreSQL from each note's planned counts with ``generate_series`` (a user sequence with a stride prime
to the number of users, so no pair repeats). Every denormalised figure is then computed from the rows it
counts (note, comment, board and topic counters, hot scores, product sales and minimum prices, the stock
ledger), so the pages show true data and ``counters_recompute`` finds no drift.

Deterministic: the same seed and scale give the same rows (ids included) on an empty database. It
refuses to run on a database that has notes unless ``--reset`` (which flushes every table) is given.
The mall's brands, categories, warehouses and first products are the demo's (``demo.seed.mall``, made
through the inbound services); the rest of the catalogue is copies of them.
"""

# ruff: noqa: S608 - SQL built from constants and integers of the scale, never from input

from __future__ import annotations

import io
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

READER = "bench_reader"
WRITER = "bench_writer"  # the most followed writer, with the most notes: the profile page's subject
PASSWORD = "bench-password"  # noqa: S105 - a benchmark's throwaway accounts
COMMON_TOPIC = "好物分享"
RARE_TOPIC = "冷门小众"
BIG_NOTE_COMMENTS = 300
SEED = 20261207


@dataclass(frozen=True)
class Scale:
    users: int
    notes: int
    likes: int
    collects: int
    comments: int
    follows: int
    reader_follows: int
    products: int
    orders: int


SCALES = {
    "large": Scale(10_000, 200_000, 2_000_000, 300_000, 500_000, 100_000, 1_000, 1_000, 100_000),
    "small": Scale(500, 1_000, 10_000, 1_500, 2_500, 2_000, 100, 100, 500),
}

COMMENT_TEXTS = ["好用！", "求链接", "已种草", "这个颜色好好看", "姐妹我也在用", "真的吗？", "马住了",
                 "价格多少呀", "感谢分享", "太实用了", "同款！", "Looks great", "where did you buy it?",
                 "I love this", "收藏了慢慢看", "博主好会拍", "蹲一个测评", "踩过雷，确实", "学到了",
                 "去试试看"]  # fmt: skip
PHOTO_CATEGORIES = ["beauty", "snacks", "baby"]
PHOTO_RATIOS = [(3, 4), (1, 1), (4, 3)]
PHOTOS = 12


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    buffer = io.StringIO()
    n = 0
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
        n += 1
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return n


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _planned(rng: random.Random, weights: list[float], total: int, cap: int) -> list[int]:
    """``total`` split over the notes in proportion to ``weights``, each at most ``cap``."""
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale + rng.random())) for w in weights]
    return counts


class Timer:
    def __init__(self):
        self.started = time.perf_counter()
        self.mark = self.started
        self.steps: dict[str, float] = {}

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = now - self.mark
        self.mark = now
        log(f"{name}: {self.steps[name]:.1f} s")


def generate(*, scale_name: str, reset: bool, seed: int = SEED) -> dict:  # noqa: PLR0915 - one load, top to bottom
    from django.contrib.auth.hashers import make_password

    from benchmarks.generate_notes import CATEGORY_WEIGHTS, NICK_PARTS, build_pools, build_topics
    from community.services.search import VECTOR_SQL
    from core import segment

    scale = SCALES[scale_name]
    timer = Timer()
    if reset:
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        timer.step("flush")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM community_note")
        if cursor.fetchone()[0]:
            raise SystemExit("the database already has notes: pass --reset to flush it first")
        cursor.execute("SELECT count(*) FROM accounts_user")
        if cursor.fetchone()[0]:
            raise SystemExit("the database already has users: pass --reset to flush it first")

    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)

    # --- the mall's base: the demo's catalogue, through the services ------------------------------------
    from demo.seed import mall as demo_mall
    from demo.seed import relaxed_commits

    with relaxed_commits():
        demo_mall.seed(stdout=io.StringIO())
    timer.step("demo catalogue (brands, categories, warehouses, first products)")

    cursor = connection.cursor()
    cursor.execute("SET synchronous_commit TO OFF")
    cursor.execute("SET maintenance_work_mem = '256MB'")
    U, N = scale.users, scale.notes  # noqa: N806

    # --- users, boards --------------------------------------------------------------------------------
    password = make_password(PASSWORD)
    joined = now - timedelta(days=500)

    def user_rows():
        for i in range(U):
            username = READER if i == 0 else WRITER if i == 1 else f"bench{i}"
            nick = "".join(rng.sample(NICK_PARTS, 2)) + str(i)
            yield (i + 1, password, False, username, "", "", "", False, True, joined, nick[:24], "",
                   "", None, False, False)  # fmt: skip

    _copy(cursor, "accounts_user",
          ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
           "is_active", "date_joined", "nickname", "avatar", "bio", "phone", "likes_private",
           "collects_private"], user_rows())  # fmt: skip
    _copy(cursor, "community_board", ["id", "owner_id", "name", "is_private", "is_default", "note_count",
                                      "created_at"],
          ((i + 1, i + 1, "默认收藏", False, True, 0, joined) for i in range(U)))  # fmt: skip
    timer.step(f"{U:,} users and their default boards")

    # --- topics ---------------------------------------------------------------------------------------
    sentences, titles = build_pools(rng)
    topics = build_topics(rng)
    names = [COMMON_TOPIC, RARE_TOPIC] + [
        name for _cat, name in topics if name not in (COMMON_TOPIC, RARE_TOPIC)
    ]
    _copy(cursor, "community_topic", ["id", "name", "note_count", "created_at"],
          ((i + 1, name, 0, joined) for i, name in enumerate(names)))  # fmt: skip
    topic_id = {name: i + 1 for i, name in enumerate(names)}
    topics_of: dict[str, list[str]] = {}
    for cat, name in topics:
        topics_of.setdefault(cat, []).append(name)
    seg_cache: dict[str, str] = {}

    def seg(text: str) -> str:
        if text not in seg_cache:
            seg_cache[text] = segment.segment(text)
        return seg_cache[text]

    timer.step("segment the sentence pool, topics")

    # --- photos: a few drawn files that every image record points at ------------------------------------
    from demo.drawing import encoded, note_photo

    photos = []
    for k in range(PHOTOS):
        ratio = PHOTO_RATIOS[k % len(PHOTO_RATIOS)]
        image = note_photo(category=PHOTO_CATEGORIES[k % 3], word="BENCH", ratio=ratio, variant=k, index=0)
        data = encoded(image, "WEBP", quality=70, method=2)
        name = f"bench/photo-{k}.webp"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
        photos.append((name, image.width, image.height))
    timer.step(f"{PHOTOS} photos drawn")

    # --- notes, through a staging table for the search vectors ------------------------------------------
    cursor.execute(
        "CREATE TEMPORARY TABLE bench_note_stage (id bigint, author_id bigint, title text, body text, "
        "location text, visibility text, status text, like_count int, collect_count int, comment_count int, "
        "view_count bigint, created_at timestamptz, cover_id bigint, seg_title text, seg_topics text, "
        "seg_body text, seg_location text)"
    )
    cats = list(CATEGORY_WEIGHTS)
    cat_weights = [CATEGORY_WEIGHTS[c] for c in cats]
    # Writers: user i (from 1) writes in proportion to 1/i^0.9 (bench_writer most); the reader writes a few.
    author_weights = [0.0] + [1 / (i**0.9) for i in range(1, U)]
    authors = rng.choices(range(1, U + 1), weights=author_weights, k=N)
    reader_notes = set(range(N // 40, N, max(1, N // 20)))
    for i in reader_notes:
        authors[i] = 1
    # Engagement: log-normal popularity, newer notes a little more, scaled to the totals.
    popularity = [math.exp(rng.gauss(0, 1.3)) * (0.5 + i / N) for i in range(N)]
    cap = max(2, U // 2)
    likes = _planned(rng, popularity, scale.likes, cap)
    collects = _planned(rng, [p * rng.uniform(0.5, 1.5) for p in popularity], scale.collects, cap)
    comments = _planned(rng, [p * rng.uniform(0.5, 1.5) for p in popularity], scale.comments, 200)
    big_note = N // 2 + 1  # public and published (see below); its comments are exactly 300
    comments[big_note - 1] = BIG_NOTE_COMMENTS
    locations = ["上海", "北京", "广州", "深圳", "杭州", "成都", "Shanghai", "Hong Kong", "", "", "", ""]
    span = timedelta(days=365)
    links: list[tuple[int, int]] = []
    images: list[tuple] = []
    image_id = 0

    def note_rows():
        nonlocal image_id
        for i in range(N):
            note_id = i + 1
            cat = rng.choices(cats, cat_weights)[0]
            title, seg_title = rng.choice(titles[cat])
            parts = [rng.choice(sentences[cat]) for _ in range(rng.randint(3, 8))]
            chosen = rng.sample(topics_of[cat], k=rng.randint(0, 2))
            if rng.random() < 0.3:
                chosen.append(COMMON_TOPIC)
            if rng.random() < 0.003:
                chosen.append(RARE_TOPIC)
            tags = " ".join(f"#{t}" for t in chosen)
            body = ("".join(p for p, _s in parts).strip() + ("\n" + tags if tags else ""))[:1000]
            seg_body = " ".join(s for _p, s in parts if s) + (
                " " + " ".join(seg(t) for t in chosen) if chosen else ""
            )
            seg_topics = " ".join(seg(t) for t in sorted(chosen))
            links.extend((note_id, topic_id[t]) for t in chosen)
            roll = rng.random()
            status, visibility = "published", "public"
            if note_id != big_note and i not in reader_notes:
                if roll < 0.01:
                    status = "hidden"
                elif roll < 0.02:
                    status = "under_review"
                elif roll < 0.03:
                    visibility = "private"
            created = now - span + (span - timedelta(hours=6)) * (i / max(N - 1, 1))
            cover = image_id + 1
            for position in range(rng.choice((1, 1, 2, 3))):
                image_id += 1
                name, width, height = photos[(i + position) % PHOTOS]
                images.append(
                    (image_id, note_id, position, name, name, name, width, height, "ready", created)
                )
            location = rng.choice(locations)
            yield (note_id, authors[i], title, body, location, visibility, status, likes[i], collects[i],
                   comments[i], likes[i] * rng.randint(5, 40), created, cover, seg_title, seg_topics, seg_body,
                   seg(location))  # fmt: skip

    columns = ["id", "author_id", "title", "body", "location", "visibility", "status", "like_count",
               "collect_count", "comment_count", "view_count", "created_at", "cover_id", "seg_title",
               "seg_topics", "seg_body", "seg_location"]  # fmt: skip
    rows = note_rows()
    while True:
        chunk = [row for _, row in zip(range(20_000), rows, strict=False)]
        if not chunk:
            break
        _copy(cursor, "bench_note_stage", columns, chunk)
    timer.step(f"{N:,} notes generated and staged")
    vector = VECTOR_SQL.format(
        title="seg_title", topics="seg_topics", body="seg_body", location="seg_location"
    )
    cursor.execute("DROP INDEX IF EXISTS note_search")
    cursor.execute(
        "INSERT INTO community_note (id, author_id, title, body, location, visibility, status, like_count, "
        "collect_count, comment_count, view_count, hot_score, created_at, updated_at, search_vector) "
        "SELECT id, author_id, title, body, location, visibility, status, like_count, collect_count, "
        f"comment_count, view_count, 0, created_at, created_at, {vector} FROM bench_note_stage"  # noqa: S608
    )
    timer.step("notes with their search vectors")
    _copy(cursor, "community_noteimage",
          ["id", "note_id", "position", "original", "feed", "detail", "width", "height", "state", "created_at"],
          images)  # fmt: skip
    cursor.execute(
        "UPDATE community_note n SET cover_id = s.cover_id FROM bench_note_stage s WHERE n.id = s.id"
    )
    _copy(cursor, "community_note_topics", ["note_id", "topic_id"], links)
    cursor.execute("DROP TABLE bench_note_stage")
    timer.step(f"{len(images):,} image records, covers, {len(links):,} topic links")

    # --- likes, collects, comments: expanded by PostgreSQL from each note's planned count ---------------
    # User of the j-th like of note n: (n * a + j * p) mod U with p prime to U, so a note's likers differ.
    cursor.execute(
        "INSERT INTO community_like (user_id, note_id, created_at) "
        f"SELECT 1 + ((n.id * 7919 + j * 104729) % {U}), n.id, n.created_at + j * interval '61 seconds' "
        "FROM community_note n, generate_series(0, n.like_count - 1) j"
    )
    timer.step(f"{cursor.rowcount:,} likes")
    cursor.execute(
        "INSERT INTO community_collect (user_id, note_id, board_id, created_at) "
        f"SELECT 1 + ((n.id * 3001 + j * 7907 + 17) % {U}), n.id, 1 + ((n.id * 3001 + j * 7907 + 17) % {U}), "
        "n.created_at + j * interval '97 seconds' "
        "FROM community_note n, generate_series(0, n.collect_count - 1) j"
    )
    timer.step(f"{cursor.rowcount:,} collects")
    texts = "ARRAY[" + ", ".join("'" + t.replace("'", "''") + "'" for t in COMMENT_TEXTS) + "]"
    # Three quarters are top-level comments, the rest replies to them (to their author).
    cursor.execute(
        "INSERT INTO community_comment (note_id, author_id, parent_id, reply_to_id, body, status, like_count, "
        "reply_count, created_at) "
        f"SELECT n.id, 1 + ((n.id * 131 + j * 2741) % {U}), NULL, NULL, "
        f"({texts})[1 + ((n.id + j * 7) % {len(COMMENT_TEXTS)})], 'visible', 0, 0, "
        "n.created_at + j * interval '7 seconds' "
        "FROM community_note n, generate_series(0, ceil(n.comment_count * 0.75)::int - 1) j "
        "ORDER BY n.id, j"
    )
    top_level = cursor.rowcount
    # A note's top-level comments have consecutive ids (one ordered INSERT), so the k-th is first id + k;
    # checked below, since a reply under another note's comment would be a broken page.
    cursor.execute(
        "WITH firsts AS (SELECT note_id, min(id) AS first_id FROM community_comment GROUP BY note_id) "
        "INSERT INTO community_comment (note_id, author_id, parent_id, reply_to_id, body, status, like_count, "
        "reply_count, created_at) "
        f"SELECT n.id, 1 + ((n.id * 577 + j * 3067) % {U}), f.first_id + j % t.tops, "
        f"1 + ((n.id * 131 + (j % t.tops) * 2741) % {U}), "
        f"({texts})[1 + ((n.id + j * 3) % {len(COMMENT_TEXTS)})], 'visible', 0, 0, "
        "n.created_at + interval '1 hour' + j * interval '11 seconds' "
        "FROM community_note n JOIN firsts f ON f.note_id = n.id "
        "CROSS JOIN LATERAL (SELECT ceil(n.comment_count * 0.75)::int AS tops) t "
        "CROSS JOIN LATERAL generate_series(0, n.comment_count - t.tops - 1) j "
        "ORDER BY n.id, j"
    )
    replies = cursor.rowcount
    cursor.execute(
        "SELECT count(*) FROM community_comment r JOIN community_comment p ON p.id = r.parent_id "
        "WHERE p.note_id <> r.note_id OR p.parent_id IS NOT NULL OR p.author_id <> r.reply_to_id"
    )
    if cursor.fetchone()[0]:
        raise RuntimeError("replies landed under the wrong comments: top-level ids were not consecutive")
    timer.step(f"{top_level + replies:,} comments ({replies:,} replies)")

    # --- follows: the reader follows the top writers; everyone else a few, popular writers most ----------
    follows = {(1, w) for w in range(2, 2 + min(scale.reader_follows, U - 2))}
    target = scale.follows
    followee_weights = [0.0] + [1 / (i**0.8) for i in range(1, U)]
    while len(follows) < target:
        batch = target - len(follows)
        followers = [rng.randrange(2, U + 1) for _ in range(batch)]
        followees = rng.choices(range(1, U + 1), weights=followee_weights, k=batch)
        follows.update((f, e) for f, e in zip(followers, followees, strict=True) if f != e)
    ordered = sorted(follows)
    _copy(cursor, "community_follow", ["follower_id", "followee_id", "created_at"],
          ((f, e, joined + timedelta(minutes=k)) for k, (f, e) in enumerate(ordered)))  # fmt: skip
    timer.step(f"{len(ordered):,} follows (the reader follows {scale.reader_follows:,})")

    # --- the mall: copies of the demo's products up to the scale's count, stocked through the ledger ----
    products = _catalogue(cursor, scale.products)
    timer.step(f"{products:,} products with stock")
    _links_and_orders(cursor, rng, scale, now)
    timer.step(f"product links, {scale.orders:,} orders with payments")
    _reader(cursor, now, scale.users)
    timer.step("the reader's address, identity, cart and notifications")

    # --- every denormalised figure from the rows it counts ------------------------------------------
    _counters(cursor)
    timer.step("counters from the rows")
    from community.models import Note
    from community.services.feeds import _hot_expression

    # Every note by the site's formula, before the GIN index exists (the UPDATE writes new row versions).
    Note.objects.update(hot_score=_hot_expression(timezone.now()))
    timer.step("hot scores")
    for table in ("accounts_user", "community_board", "community_topic", "community_note", "community_noteimage",
                  "community_like", "community_collect", "community_comment", "community_follow"):  # fmt: skip
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )  # noqa: S608
    cursor.execute("CREATE INDEX IF NOT EXISTS note_search ON community_note USING gin (search_vector)")
    timer.step("GIN index")
    cursor.execute("VACUUM ANALYZE")
    timer.step("VACUUM ANALYZE")
    cursor.close()
    total = time.perf_counter() - timer.started
    log(f"bench_data {scale_name}: {total:.0f} s")
    return {
        "scale": scale_name,
        "seconds": round(total, 1),
        "steps": {k: round(v, 1) for k, v in timer.steps.items()},
    }


def _catalogue(cursor, count: int) -> int:
    """Copies of the demo's products (all columns, so translations come along) until there are ``count``,
    each SKU stocked with a "received" ledger row, then minimum prices and search vectors."""
    from mall.models import Product, ProductImage, Sku

    def columns(model, skip=("id",)):
        return [f.column for f in model._meta.concrete_fields if f.column not in skip]

    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM mall_product")
    originals, last = cursor.fetchone()
    stride = 10 ** len(str(last))  # a copy's id is the original's plus copy x stride
    p_cols = columns(Product, ("id", "slug", "sales_count", "created_at"))
    s_cols = columns(Sku, ("id", "product_id", "code"))
    i_cols = columns(ProductImage, ("id", "product_id"))
    have, copy = originals, 0
    while have < count:
        copy += 1
        cursor.execute(
            f"INSERT INTO mall_product (id, {', '.join(p_cols)}, slug, sales_count, created_at) "  # noqa: S608
            f"SELECT id + {copy * stride}, {', '.join(p_cols)}, slug || '-{copy}', 0, now() FROM mall_product "
            f"WHERE id <= {last} ORDER BY id LIMIT {count - have}"
        )
        have += cursor.rowcount
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('mall_product', 'id'), (SELECT max(id) FROM mall_product))"
    )
    # Their SKUs and images: copies of their original's.
    cursor.execute(
        f"INSERT INTO mall_sku ({', '.join(s_cols)}, product_id, code) "  # noqa: S608
        f"SELECT {', '.join('s.' + c for c in s_cols)}, p.id, s.code || '-' || (p.id / {stride}) "
        f"FROM mall_product p JOIN mall_sku s ON s.product_id = p.id % {stride} WHERE p.id > {stride} "
        "ORDER BY p.id, s.id"
    )
    cursor.execute(
        f"INSERT INTO mall_productimage ({', '.join(i_cols)}, product_id) "  # noqa: S608
        f"SELECT {', '.join('i.' + c for c in i_cols)}, p.id "
        f"FROM mall_product p JOIN mall_productimage i ON i.product_id = p.id % {stride} WHERE p.id > {stride} "
        "ORDER BY p.id, i.id"
    )
    # Stock for every SKU without a record, in the first warehouse, from a "received" ledger row.
    cursor.execute(
        "INSERT INTO mall_stockrecord (sku_id, warehouse_id, on_hand, allocated, low_stock_threshold) "
        "SELECT s.id, (SELECT min(id) FROM mall_warehouse), 100000, 0, 10 FROM mall_sku s "
        "WHERE NOT EXISTS (SELECT 1 FROM mall_stockrecord r WHERE r.sku_id = s.id) ORDER BY s.id"
    )
    cursor.execute(
        "INSERT INTO mall_stockmovement (stock_record_id, kind, on_hand_delta, allocated_delta, quantity, "
        "on_hand_after, allocated_after, source, reason, created_at) "
        "SELECT r.id, 'received', r.on_hand, 0, r.on_hand, r.on_hand, 0, 'bench_data', '', now() "
        "FROM mall_stockrecord r WHERE NOT EXISTS (SELECT 1 FROM mall_stockmovement m WHERE m.stock_record_id = r.id)"
    )
    cursor.execute(
        "UPDATE mall_product p SET min_price = m.price FROM (SELECT product_id, min(price) AS price FROM mall_sku "
        "WHERE is_active GROUP BY product_id) m WHERE m.product_id = p.id"
    )
    from mall.services.search import products_search_index

    products_search_index()
    return have


def _links_and_orders(cursor, rng: random.Random, scale: Scale, now) -> None:
    """One note in ten tags a product; orders are delivered, one line each, paid, a fifth of them
    attributed to a tagging note (``note:<id>``), which the note cards' "bought here" counts."""
    cursor.execute(
        "INSERT INTO community_noteproduct (note_id, product_id, sku_id, position) "
        "SELECT n.id, p.id, NULL, 0 FROM community_note n "
        "JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn, count(*) OVER () AS cnt FROM mall_product) p "
        "ON p.rn = (n.id * 7) % p.cnt WHERE n.id % 10 = 0"
    )
    cursor.execute(
        "SELECT s.id, s.code, s.name, s.price, p.id, p.name, t.vat_rate, r.warehouse_id FROM mall_sku s "
        "JOIN mall_product p ON p.id = s.product_id JOIN mall_taxcategory t ON t.id = p.tax_category_id "
        "JOIN mall_stockrecord r ON r.sku_id = s.id ORDER BY s.id"
    )
    skus = cursor.fetchall()
    cursor.execute("SELECT note_id, product_id FROM community_noteproduct ORDER BY note_id")
    tagging: dict[int, list[int]] = {}
    for note_id, product_id in cursor.fetchall():
        tagging.setdefault(product_id, []).append(note_id)
    orders, lines, payments = [], [], []
    for k in range(scale.orders):
        order_id = k + 1
        sku_id, code, sku_name, price, product_id, product_name, rate, warehouse = rng.choice(skus)
        quantity = rng.choice((1, 1, 1, 2))
        subtotal = price * quantity
        tax = (subtotal * rate * 7 / 10).quantize(price)  # the cross-border rate: 70% of VAT
        total = subtotal + tax
        created = now - timedelta(days=360) + timedelta(days=350) * (k / max(scale.orders, 1))
        user = rng.randrange(1, scale.users + 1)
        notes = tagging.get(product_id)
        referral = f"note:{rng.choice(notes)}" if notes and rng.random() < 0.2 else ""
        ship_to = '{"recipient": "张三", "city": "上海市", "detail": "南京西路 1 号"}'
        orders.append((order_id, f"B{order_id:012d}", user, "completed", f"bench-{order_id}", True, True,
                       subtotal, tax, 0, total, "CNY", ship_to, "", "", "", created + timedelta(minutes=30),
                       created + timedelta(minutes=5), created + timedelta(days=1), created + timedelta(days=3),
                       "SF", f"SF{order_id:010d}", created, created + timedelta(days=3)))  # fmt: skip
        lines.append((order_id, sku_id, warehouse, product_name, sku_name, code, price, quantity, rate, tax, total,
                      referral))  # fmt: skip
        payments.append((order_id, "sandbox", f"bench-pay-{order_id}", total, "succeeded", "", "",
                         created + timedelta(minutes=4), created + timedelta(minutes=5)))  # fmt: skip
    _copy(cursor, "mall_order",
          ["id", "number", "user_id", "state", "idempotency_key", "is_cross_border", "holds_own_stock", "subtotal",
           "tax_total", "shipping_total", "total", "currency", "ship_to", "buyer_name", "buyer_id_number",
           "buyer_id_hash", "payment_deadline", "paid_at", "shipped_at", "delivered_at", "carrier",
           "tracking_number", "created_at", "updated_at"], orders)  # fmt: skip
    _copy(cursor, "mall_orderline",
          ["order_id", "sku_id", "warehouse_id", "product_name", "sku_name", "sku_code", "unit_price", "quantity",
           "tax_rate", "tax_amount", "line_total", "referral"], lines)  # fmt: skip
    _copy(cursor, "mall_payment",
          ["order_id", "provider", "reference", "amount", "state", "payer_name", "payer_id_number", "created_at",
           "succeeded_at"], payments)  # fmt: skip
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('mall_order', 'id'), (SELECT max(id) FROM mall_order))"
    )
    cursor.execute(
        "UPDATE mall_product p SET sales_count = s.n FROM (SELECT s.product_id, sum(l.quantity) AS n "
        "FROM mall_orderline l JOIN mall_sku s ON s.id = l.sku_id GROUP BY s.product_id) s WHERE s.product_id = p.id"
    )


def _reader(cursor, now, users: int) -> None:
    """The reader can check out (address, verified identity, three lines in the cart) and has a page of
    notifications on their notes."""
    from accounts.models import Address, CustomsIdentity
    from mall.models import Cart, CartLine, Sku

    Address.objects.create(user_id=1, recipient="张三", phone="13800138000", province="上海市", city="上海市",
                           district="静安区", detail="南京西路 1 号", postal_code="200040", is_default=True)  # fmt: skip
    from accounts.tests.factories import valid_id_number

    CustomsIdentity.objects.create(user_id=1, real_name="张三", id_number=valid_id_number(1), is_default=True,
                                   verified_at=now)  # fmt: skip
    cart = Cart.objects.create(user_id=1, token="bench-reader-cart")  # noqa: S106 - a cart token, not a secret
    for sku in Sku.objects.filter(is_active=True, product__is_active=True).order_by("id")[:3]:
        CartLine.objects.create(cart=cart, sku=sku, quantity=1)
    cursor.execute(
        "INSERT INTO community_notification (recipient_id, actor_id, kind, inbox, note_id, comment_id, params, "
        "dedupe_key, read_at, created_at) "
        f"SELECT 1, 2 + (k * 37) % {users - 1}, (ARRAY['like_note', 'collect_note', 'follow'])[1 + k % 3], "
        "(ARRAY['likes', 'likes', 'follows'])[1 + k % 3], "
        "CASE WHEN k % 3 = 2 THEN NULL ELSE (SELECT id FROM community_note WHERE author_id = 1 ORDER BY id "
        "OFFSET k % 10 LIMIT 1) END, NULL, '{}', 'bench:' || k, CASE WHEN k > 20 THEN now() END, "
        "now() - k * interval '1 hour' FROM generate_series(0, 299) k"
    )


def _counters(cursor) -> None:
    cursor.execute(
        "UPDATE community_note n SET like_count = c.n FROM (SELECT note_id, count(*) AS n FROM community_like "
        "GROUP BY note_id) c WHERE c.note_id = n.id AND n.like_count <> c.n"
    )
    cursor.execute(
        "UPDATE community_note n SET collect_count = c.n FROM (SELECT note_id, count(*) AS n FROM "
        "community_collect GROUP BY note_id) c WHERE c.note_id = n.id AND n.collect_count <> c.n"
    )
    cursor.execute(
        "UPDATE community_note n SET comment_count = c.n FROM (SELECT note_id, count(*) AS n FROM "
        "community_comment GROUP BY note_id) c WHERE c.note_id = n.id AND n.comment_count <> c.n"
    )
    cursor.execute(
        "UPDATE community_comment p SET reply_count = c.n FROM (SELECT parent_id, count(*) AS n FROM "
        "community_comment WHERE parent_id IS NOT NULL GROUP BY parent_id) c WHERE c.parent_id = p.id"
    )
    cursor.execute(
        "UPDATE community_board b SET note_count = c.n FROM (SELECT board_id, count(*) AS n FROM "
        "community_collect GROUP BY board_id) c WHERE c.board_id = b.id"
    )
    cursor.execute(
        "UPDATE community_topic t SET note_count = c.n FROM (SELECT topic_id, count(*) AS n FROM "
        "community_note_topics GROUP BY topic_id) c WHERE c.topic_id = t.id"
    )


def facts() -> dict:
    """What the page benchmark needs to know about the dataset (ids, names), read back from it."""
    from accounts.models import User
    from community.models import Note
    from mall.models import Product

    reader = User.objects.get(username=READER)
    writer = User.objects.get(username=WRITER)
    # The load numbers notes 1..N and gives note N // 2 + 1 its 300 comments; benchmark traffic adds
    # comments elsewhere but no notes, so this finds it after any number of runs.
    last = Note.objects.order_by("-id").values_list("id", flat=True).first() or 0
    big = Note.objects.filter(pk=last // 2 + 1, comment_count=BIG_NOTE_COMMENTS)
    product = Product.objects.filter(is_active=True).order_by("-sales_count", "id").first()
    return {
        "reader_id": reader.pk,
        "writer_id": writer.pk,
        "big_note_id": big.values_list("id", flat=True).get(),
        "common_topic": COMMON_TOPIC,
        "rare_topic": RARE_TOPIC,
        "product_slug": product.slug,
        "media_root": str(Path(settings.MEDIA_ROOT)),
    }
