"""Generate a community with structure, for the personal feed's offline evaluation and benchmark.

    .venv/bin/python benchmarks/generate_community.py --database hs_recs_small --size small --recreate
    .venv/bin/python benchmarks/generate_community.py --database hs_recs_large --size large --recreate

Readers have a few interests among many topics (topic popularity is skewed); writers write about one or
two topics of their own, with a long tail (a few write a lot, most write little); notes appear over 30
days and each has a quality. Engagement follows interest with noise: most of a reader's likes, collects
and comments go to notes of their topics, recent and good ones more often, the rest to any note. Readers
follow a few writers of their topics, the famous ones far more often (a few writers have hundreds or
thousands of followers, most a handful), and a famous writer's notes draw more engagement. Sizes:
small = 1k notes, 5k interactions; large = 200k notes, 150k interactions, 30k readers. Counters and hot scores are set from the generated rows. Rows go in with COPY
(``benchmarks/generate_notes.py``'s helpers). Deterministic for a given --seed. No images.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate_notes import _connect, _copy, database_prepare, database_url  # noqa: E402

SIZES = {
    "small": {"notes": 1_000, "writers": 150, "readers": 600, "interactions": 5_000, "topics": 30},
    "large": {"notes": 200_000, "writers": 20_000, "readers": 30_000, "interactions": 150_000, "topics": 80},
}
DAYS = 30
WORDS = ["防晒", "面霜", "旅行", "露营", "咖啡", "烘焙", "健身", "瑜伽", "猫咪", "狗狗", "穿搭", "球鞋", "口红",
         "香水", "读书", "摄影", "家居", "收纳", "绿植", "美甲", "发型", "护肤", "租房", "装修", "滑雪", "潜水",
         "徒步", "骑行", "茶饮", "火锅", "甜品", "手账", "耳机", "键盘", "相机", "游戏", "动漫", "汉服", "古镇",
         "海岛"]  # fmt: skip
SUFFIXES = ["攻略", "测评", "分享", "日记", "推荐", "清单", "心得", "合集"]
KINDS = (("like", 0.6), ("collect", 0.3), ("comment", 0.1))


def topic_names(n: int) -> list[str]:
    names = list(WORDS) + [w + s for w in WORDS for s in SUFFIXES]
    return names[:n]


def generate(name: str, *, size: str, seed: int, recreate: bool, keep: bool = False) -> dict:
    spec = SIZES[size]
    started = time.perf_counter()
    database_prepare(name, recreate=recreate)
    rng = random.Random(seed)
    conn = _connect(database_url(name))
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM community_note")
    if cursor.fetchone()[0]:
        if keep:
            conn.close()
            return {"database": name, "kept": "it already has a community (--recreate makes it anew)"}
        raise SystemExit(f"{name} already has notes: pass --recreate (or --if-missing to keep it)")
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    n_topics, n_writers, n_readers = spec["topics"], spec["writers"], spec["readers"]
    # Topic popularity: Zipf-like.
    topic_weight = [1.0 / (i + 1) ** 0.8 for i in range(n_topics)]

    users = []
    for i in range(n_writers + n_readers):
        users.append((i + 1, "!unusable", False, f"u{i}", "", "", "", False, True, start - timedelta(days=30),
                      f"用户{i}"[:24], "", "", None, False, False))  # fmt: skip
    _copy(cursor, "accounts_user",
          ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
           "is_active", "date_joined", "nickname", "avatar", "bio", "phone", "likes_private", "collects_private"],
          users)  # fmt: skip
    names = topic_names(n_topics)
    _copy(cursor, "community_topic", ["id", "name", "note_count", "created_at"],
          [(i + 1, names[i], 0, start) for i in range(n_topics)])  # fmt: skip

    writer_topics = {
        w: rng.choices(range(n_topics), topic_weight, k=rng.choice((1, 1, 2))) for w in range(n_writers)
    }
    writer_weight = [1.0 / (i + 1) ** 1.1 for i in range(n_writers)]  # the long tail
    reader_topics = {
        r: set(rng.choices(range(n_topics), topic_weight, k=rng.randint(2, 4))) for r in range(n_readers)
    }

    # Follows come first (a writer's fame draws engagement): each reader follows 0-2 writers of each of
    # their topics, chosen by fame: how much the writer writes (the same long tail) to the power 1.3, so at
    # 200k notes ~120 writers of popular topics have 100+ followers, ~10 over 1,000, and 94% fewer than
    # five (at 1k notes, 600 readers: one writer passes 100).
    writers_of_topic: dict[int, list[int]] = {}
    for w, ts in writer_topics.items():
        for t in set(ts):
            writers_of_topic.setdefault(t, []).append(w)
    fame = {
        t: list(itertools.accumulate(writer_weight[w] ** 1.3 for w in ws))
        for t, ws in writers_of_topic.items()
    }
    follows = set()
    followers = [0] * n_writers
    for r in range(n_readers):
        for t in sorted(reader_topics[r]):
            if t not in fame:
                continue
            for w in set(rng.choices(writers_of_topic[t], cum_weights=fame[t], k=rng.randint(0, 2))):
                if (n_writers + r + 1, w + 1) not in follows:
                    follows.add((n_writers + r + 1, w + 1))
                    followers[w] += 1

    notes = []  # (id, author user id, created, topic ids, quality)
    by_topic: dict[int, list[tuple[float, int, float]]] = {t: [] for t in range(n_topics)}
    writers = rng.choices(range(n_writers), writer_weight, k=spec["notes"])
    for i, w in enumerate(writers):
        created = start + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        topics = sorted(set(rng.sample(writer_topics[w], k=len(writer_topics[w]))))
        # Famous writers' notes draw more engagement: x1 with no followers, about x4 with a thousand.
        quality = math.exp(rng.gauss(0, 1)) * (1 + math.log1p(followers[w]) / 2)
        notes.append((i + 1, w + 1, created, topics, quality))
        for t in topics:
            by_topic[t].append((created.timestamp(), i + 1, quality))
    for t in by_topic:
        by_topic[t].sort()
    # Cumulative quality per topic, so a draw from any time window is one bisect (not a scan of it).
    cumulative = {t: list(itertools.accumulate(p[2] for p in pool)) for t, pool in by_topic.items()}
    note_by_id = {n[0]: n for n in notes}
    all_sorted = sorted((n[2].timestamp(), n[0]) for n in notes)
    all_times = [t for t, _n in all_sorted]

    def note_rows():
        for note_id, author, created, topics, _q in notes:
            title = (names[topics[0]] + rng.choice(SUFFIXES))[:20]
            body = " ".join(f"#{names[t]}" for t in topics)
            yield (note_id, author, title, body, "", "public", "published", 0, 0, 0, 0, 0.0, created, created)

    _copy(cursor, "community_note",
          ["id", "author_id", "title", "body", "location", "visibility", "status", "like_count", "collect_count",
           "comment_count", "view_count", "hot_score", "created_at", "updated_at"], note_rows())  # fmt: skip
    _copy(cursor, "community_note_topics", ["note_id", "topic_id"],
          [(n[0], t + 1) for n in notes for t in n[3]])  # fmt: skip

    reader_activity = [1.0 / (i + 1) ** 0.7 for i in range(n_readers)]
    picks = rng.choices(range(n_readers), reader_activity, k=spec["interactions"])
    seen: set[tuple[int, int, str]] = set()
    likes, collects, comments = [], [], []
    for r in picks:
        when = start + timedelta(seconds=rng.uniform(3600, DAYS * 86400))
        ts = when.timestamp()
        note_id = None
        if rng.random() < 0.85:
            topic = rng.choice(sorted(reader_topics[r]))
            pool = by_topic[topic]
            end = bisect.bisect_left(pool, (ts,))
            if end:
                # Mostly what was posted lately (the last five days), good notes more often.
                begin = bisect.bisect_left(pool, (ts - 5 * 86400,)) if rng.random() < 0.75 else 0
                if begin >= end:
                    begin = 0
                cum = cumulative[topic]
                low = cum[begin - 1] if begin else 0.0
                point = low + rng.random() * (cum[end - 1] - low)
                note_id = pool[min(bisect.bisect_left(cum, point, begin, end), end - 1)][1]
        if note_id is None:
            end = bisect.bisect_left(all_times, ts)
            if not end:
                continue
            note_id = all_sorted[rng.randrange(end)][1]
        kind = rng.choices([k for k, _w in KINDS], [w for _k, w in KINDS])[0]
        user_id = n_writers + r + 1
        if (user_id, note_id, kind) in seen or note_by_id[note_id][1] == user_id:
            continue
        seen.add((user_id, note_id, kind))
        {"like": likes, "collect": collects, "comment": comments}[kind].append((user_id, note_id, when))
    _copy(cursor, "community_like", ["user_id", "note_id", "created_at"], likes)
    collectors = sorted({u for u, _n, _w in collects})
    _copy(cursor, "community_board", ["id", "owner_id", "name", "is_private", "is_default", "note_count", "created_at"],
          [(i + 1, u, "收藏", False, True, 0, start) for i, u in enumerate(collectors)])  # fmt: skip
    board_of = {u: i + 1 for i, u in enumerate(collectors)}
    _copy(cursor, "community_collect", ["user_id", "note_id", "board_id", "created_at"],
          [(u, n, board_of[u], w) for u, n, w in collects])  # fmt: skip
    _copy(cursor, "community_comment",
          ["note_id", "author_id", "parent_id", "reply_to_id", "body", "status", "like_count", "reply_count",
           "created_at"], [(n, u, None, None, "好用", "visible", 0, 0, w) for u, n, w in comments])  # fmt: skip
    _copy(cursor, "community_follow", ["follower_id", "followee_id", "created_at"],
          [(a, b, start) for a, b in follows])  # fmt: skip
    cursor.execute("""
        UPDATE community_note n SET like_count = c.likes, collect_count = c.collects, comment_count = c.comments
        FROM (SELECT id, (SELECT count(*) FROM community_like l WHERE l.note_id = x.id) AS likes,
                     (SELECT count(*) FROM community_collect k WHERE k.note_id = x.id) AS collects,
                     (SELECT count(*) FROM community_comment m WHERE m.note_id = x.id) AS comments
              FROM community_note x) c
        WHERE n.id = c.id AND (c.likes + c.collects + c.comments) > 0""")
    cursor.execute("""
        UPDATE community_note SET hot_score = (like_count + 2 * collect_count + 3 * comment_count + 1)
            / power(greatest(extract(epoch FROM (now() - created_at)) / 3600.0, 0) + 2, 1.5)""")
    cursor.execute("UPDATE community_topic t SET note_count = (SELECT count(*) FROM community_note_topics x "
                   "WHERE x.topic_id = t.id)")  # fmt: skip
    for table in ("accounts_user", "community_topic", "community_note", "community_board", "community_like",
                  "community_collect", "community_comment", "community_follow"):  # fmt: skip
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )  # noqa: S608
    conn.commit()
    conn.autocommit = True
    cursor.execute("VACUUM ANALYZE")
    conn.close()
    return {"database": name, "size": size, "notes": len(notes), "likes": len(likes), "collects": len(collects),
            "comments": len(comments), "follows": len(follows),
            "writers >= 100 followers": sum(f >= 100 for f in followers), "most followers": max(followers),
            "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--if-missing", action="store_true", help="keep a database that has a community")
    args = parser.parse_args()
    print(
        generate(args.database, size=args.size, seed=args.seed, recreate=args.recreate, keep=args.if_missing)
    )


if __name__ == "__main__":
    main()
