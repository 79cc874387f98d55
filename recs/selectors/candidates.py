"""A reader's candidate list: every source asked once, blended (``recs.ranking``), kept in Redis.

Built on demand when the reader has no list (or when their likes, collects, comments or opens moved on
since it was built), refreshed by Celery for readers active lately, dropped when they say "not
interested". A build costs a fixed number of queries, whatever the reader's history:

1. the reader's likes, collects and comments of the last 90 days (one UNION ALL);
2. their picks and "not interested" (signed-in readers);
3. the engaged and opened notes' titles and topics;
4. the best notes of their strongest topics (a window function over the topics' notes), and of their
   strongest words (the jieba words of those titles and of their searches: per word, a GIN lookup on the
   search vector within the newest ``WORDS_POOL`` notes, the hottest ``PER_WORD`` of the window), in one
   UNION ALL;
5. fresh notes of the writers they follow;
6. fresh notes still within the exploration budget;
7. global hot (cached in Redis for a minute for everyone);
8. the facts the page rules need about every candidate (writer, topics, sponsorship), which also drops
   any candidate no longer public.

ALS and co-engagement come from the trained model in memory (``services/training.py``): no query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

from community.models import Follow, Note
from community.selectors.notes import note_public_qs
from core.segment import lexeme
from recs import keys
from recs import redis as recs_redis
from recs.models import ReaderPreference, RecsSwitch
from recs.ranking import (
    ALS,
    EXPLORE,
    FOLLOWED,
    HOT,
    PER_WORD,
    Candidate,
    NoteFacts,
    Profile,
    blend,
    note_words,
    profile_build,
    source_coengage,
    source_scored,
    source_topic,
    source_words,
    top_topics,
    top_words,
)
from recs.services.signals import engagements_credit, opens_read
from recs.services.training import model_current

ENGAGED_WINDOW = timedelta(days=90)
TOPIC_WINDOW = timedelta(days=30)
PER_TOPIC = 60
FOLLOWED_WINDOW = timedelta(days=3)
EXPLORE_WINDOW = timedelta(hours=48)
EXPLORE_POOL = 400
HOT_POOL = 300
#: The words lookup reads only the newest this many notes (by id, as they were written): the GIN bitmap of a
#: common word ANDed with this id range, so its heap reads stay bounded however large the catalogue grows
#: (10 words: ~60 ms at 200k notes of the benchmark's small vocabulary, against ~750 ms over the whole table).
WORDS_POOL = 20_000
HOT_CACHE_SECONDS = 60
CANDIDATES_SECONDS = 30 * 60
#: The best this many are kept: enough for ~25 pages after the page rules, and every page reads them all.
CANDIDATES_KEPT = 600

_EVENTS_SQL = """
(SELECT note_id, 'like', created_at FROM community_like WHERE user_id = %(u)s AND created_at >= %(since)s)
UNION ALL (SELECT note_id, 'collect', created_at FROM community_collect
           WHERE user_id = %(u)s AND created_at >= %(since)s)
UNION ALL (SELECT note_id, 'comment', created_at FROM community_comment
           WHERE author_id = %(u)s AND created_at >= %(since)s)
ORDER BY 3 DESC LIMIT 300
"""

_MARKER_SQL = """
SELECT GREATEST((SELECT max(created_at) FROM community_like WHERE user_id = %(u)s),
                (SELECT max(created_at) FROM community_collect WHERE user_id = %(u)s),
                (SELECT max(created_at) FROM community_comment WHERE author_id = %(u)s))
"""

# Topic rows carry the topic's id and name; word rows a NULL id and the word.
_TOPIC_NOTES_SQL = """
(SELECT topic_id, topic_name, note_id, hot FROM (
  SELECT nt.topic_id, t.name AS topic_name, n.id AS note_id, n.hot_score AS hot,
         row_number() OVER (PARTITION BY nt.topic_id ORDER BY n.hot_score DESC, n.id DESC) AS r
  FROM community_note_topics nt
  JOIN community_note n ON n.id = nt.note_id
  JOIN community_topic t ON t.id = nt.topic_id
  WHERE nt.topic_id = ANY(%(topics)s::bigint[]) AND n.status = 'published' AND n.visibility = 'public'
    AND n.created_at >= %(since)s
) ranked WHERE r <= %(per_topic)s)
UNION ALL
(SELECT NULL::bigint, w.word, n.id, n.hot_score
 FROM unnest(%(words)s::text[], %(queries)s::text[]) AS w(word, query)
 CROSS JOIN LATERAL (
   SELECT id, hot_score FROM community_note
   WHERE search_vector @@ to_tsquery('simple', w.query) AND status = 'published' AND visibility = 'public'
     AND created_at >= %(since)s AND id > (SELECT max(id) FROM community_note) - %(words_pool)s
   ORDER BY hot_score DESC, id DESC LIMIT %(per_word)s
 ) n)
"""


@dataclass
class Built:
    ranked: list[Candidate]
    facts: dict[int, NoteFacts]
    built_at: float
    opens: float  # the newest open or search the list was built with (epoch s; 0 for none)
    engaged: list[tuple[int, float]] | None = None  # (note id, epoch s) of likes, collects, comments


def switch_read() -> tuple[bool, int]:
    """(plain hot ranking?, exploration budget) from the operators' switch row (one query)."""
    row = RecsSwitch.objects.filter(pk=1).values_list("plain_hot", "explore_budget").first()
    return row if row is not None else (False, RecsSwitch._meta.get_field("explore_budget").default)


def engagement_marker(*, user_id: int) -> float:
    """When the reader last liked, collected or commented (epoch seconds; 0 if never)."""
    with connection.cursor() as cursor:
        cursor.execute(_MARKER_SQL, {"u": user_id})
        (latest,) = cursor.fetchone()
    return latest.timestamp() if latest else 0.0


def _hot(client) -> list[tuple[int, float]]:
    if client is not None:
        try:
            cached = client.get(keys.hot_ids())
        except RedisError as exc:
            recs_redis.failed(exc, "hot list read")
            client, cached = None, None
        if cached:
            return [(int(n), 1.0 / (1 + i)) for i, n in enumerate(cached.decode().split(",")) if n]
    ids = list(note_public_qs().order_by("-hot_score", "-id").values_list("id", flat=True)[:HOT_POOL])
    if client is not None and ids:
        try:
            client.set(keys.hot_ids(), ",".join(map(str, ids)), ex=HOT_CACHE_SECONDS)
        except RedisError as exc:
            recs_redis.failed(exc, "hot list write")
    return [(n, 1.0 / (1 + i)) for i, n in enumerate(ids)]


def _explore_pool(*, now, exclude_author: int | None) -> list[int]:
    qs = Note.objects.filter(
        status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC, created_at__gte=now - EXPLORE_WINDOW
    )
    if exclude_author:
        qs = qs.exclude(author_id=exclude_author)
    return list(qs.order_by("-id").values_list("id", flat=True)[:EXPLORE_POOL])


def explore_spent(*, note_ids: list[int], budget: int) -> set[int]:
    """Of ``note_ids``, the notes whose exploration budget is spent now: a list shared by many readers
    (``keys.SHARED_READER``) or kept for half an hour must not go on spending it once it has run out."""
    client = recs_redis.client()
    if client is None or not note_ids:
        return set()
    try:
        counts = client.hmget(keys.explore_shown(), [str(n) for n in note_ids])
    except RedisError as exc:
        recs_redis.failed(exc, "exploration tallies read")
        return set()
    return {n for n, count in zip(note_ids, counts, strict=True) if int(count or 0) >= budget}


def _explore_scores(*, pool, facts, profile: Profile, budget: int, client) -> list[tuple[int, float]]:
    """Fresh notes under their budget; those of the reader's topics first (readers of its topics are
    whom the budget is for), the youngest first among equals."""
    shown = [0] * len(pool)
    if client is not None and pool:
        try:
            shown = [int(v or 0) for v in client.hmget(keys.explore_shown(), [str(n) for n in pool])]
        except RedisError as exc:
            recs_redis.failed(exc, "exploration tallies read")
    out = []
    for rank, (note_id, count) in enumerate(zip(pool, shown, strict=True)):
        fact = facts.get(note_id)
        if fact is None or count >= budget:
            continue
        matches = sum(profile.topics.get(t, 0.0) for t in fact.topic_ids)
        base = 1.0 if matches > 0 else (0.5 if profile.empty else 0.2)
        out.append((note_id, base * (1.0 - rank / (2 * len(pool)))))
    return out


def candidates_build(*, viewer, reader: str, client, degraded: bool = False, budget: int = 50) -> Built:
    """Ask every source and blend them (see the module's docstring for the queries)."""
    now = timezone.now()
    user_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    profile = Profile()
    opens: list[tuple[int, float]] = []
    searched: list[tuple[str, float]] = []
    anon_hides: set[bytes] = set()
    if client is not None and not degraded:
        try:
            pipe = client.pipeline(transaction=False)
            pipe.zrevrange(keys.opens(reader), 0, -1, withscores=True)
            pipe.smembers(keys.hides(reader))
            pipe.zrevrange(keys.searches(reader), 0, -1, withscores=True)
            raw_opens, anon_hides, raw_searches = pipe.execute()
            opens = opens_read(raw_opens)
            searched = [(w.decode(), when) for w, when in raw_searches]
        except RedisError as exc:
            recs_redis.failed(exc, "reader's opens read")
            client = None
    events: list[tuple[int, str, float]] = []
    picks: list[int] = []
    if user_id and not degraded:
        with connection.cursor() as cursor:
            cursor.execute(_EVENTS_SQL, {"u": user_id, "since": now - ENGAGED_WINDOW})
            events = [(n, kind, (now - when).total_seconds()) for n, kind, when in cursor.fetchall()]
        for kind, target in ReaderPreference.objects.filter(user_id=user_id).values_list("kind", "target_id"):
            if kind == ReaderPreference.Kind.PICK_TOPIC:
                picks.append(target)
            elif kind == ReaderPreference.Kind.HIDE_TOPIC:
                profile.hidden_topics.add(target)
            elif kind == ReaderPreference.Kind.HIDE_WRITER:
                profile.hidden_writers.add(target)
            else:
                profile.hidden_notes.add(target)
    for entry in anon_hides:
        kind, _sep, target = entry.decode().partition(":")
        if target.isdigit():
            {
                "note": profile.hidden_notes,
                "topic": profile.hidden_topics,
                "writer": profile.hidden_writers,
            }.get(kind, set()).add(int(target))
    events += [(n, "open", time.time() - when) for n, when in opens]

    engaged_ids = {n for n, _k, _a in events}
    note_topics: dict[int, list[int]] = {}
    titles: dict[int, str] = {}
    words_of: dict[int, tuple[str, ...]] = {}
    topic_names: dict[int, str] = {}
    if engaged_ids:
        rows = Note.objects.filter(pk__in=engaged_ids).annotate(
            topic_ids=ArrayAgg("topics__id", distinct=True), names=ArrayAgg("topics__name", distinct=True)
        )
        for note_id, title, ids, names in rows.values_list("id", "title", "topic_ids", "names"):
            titles[note_id] = title
            note_topics[note_id] = [t for t in ids if t is not None]
            words_of[note_id] = note_words(title, [n for n in names if n])
    clock = time.time()
    profile_new = profile_build(
        events=events,
        note_topics=note_topics,
        picked_topics=picks,
        note_words=words_of,
        searched=[(word, clock - when) for word, when in searched],
    )
    profile_new.hidden_topics, profile_new.hidden_writers = profile.hidden_topics, profile.hidden_writers
    profile_new.hidden_notes = profile.hidden_notes
    profile = profile_new

    lists: list[list[Candidate]] = []
    tops = top_topics(profile)
    words = [w for w, _weight in top_words(profile)]
    if (tops or words) and not degraded:
        by_topic: dict[int, list[tuple[int, float]]] = {}
        by_word: dict[str, list[tuple[int, float]]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                _TOPIC_NOTES_SQL,
                {
                    "topics": [t for t, _w in tops],
                    "since": now - TOPIC_WINDOW,
                    "per_topic": PER_TOPIC,
                    "words": words,
                    "queries": [lexeme(w) for w in words],
                    "per_word": PER_WORD,
                    "words_pool": WORDS_POOL,
                },
            )
            for topic_id, name, note_id, hot in cursor.fetchall():
                if topic_id is None:
                    by_word.setdefault(name, []).append((note_id, hot))
                    continue
                topic_names[topic_id] = name
                by_topic.setdefault(topic_id, []).append((note_id, hot))
        for ranked in [*by_topic.values(), *by_word.values()]:
            ranked.sort(key=lambda nh: (-nh[1], -nh[0]))
        profile.topic_names = topic_names
        lists.append(source_topic(profile=profile, notes_by_topic=by_topic))
        lists.append(source_words(profile=profile, notes_by_word=by_word))
    model = None if degraded else model_current()
    if model is not None and profile.notes:
        lists.append(source_coengage(profile=profile, neighbours=model.neighbours, titles=titles))
    if model is not None and user_id:
        lists.append(source_scored(model.user_top(user_id, exclude=engaged_ids), source=ALS))
    if user_id and not degraded:
        followed = (
            note_public_qs()
            .filter(
                author_id__in=Follow.objects.filter(follower_id=user_id).values("followee_id"),
                created_at__gte=now - FOLLOWED_WINDOW,
            )
            .order_by("-id")
            .values_list("id", flat=True)[:100]
        )
        lists.append(source_scored([(n, 1.0 / (1 + i)) for i, n in enumerate(followed)], source=FOLLOWED))
    hot = _hot(client)
    lists.append(source_scored(hot, source=HOT))
    pool = _explore_pool(now=now, exclude_author=user_id)

    wanted = {c.note_id for cands in lists for c in cands} | set(pool)
    wanted -= engaged_ids | profile.hidden_notes
    facts = {
        note_id: fact
        for note_id, fact in _facts(wanted).items()
        if fact.author_id not in profile.hidden_writers
        and not profile.hidden_topics.intersection(fact.topic_ids)
    }
    lists.append(
        source_scored(
            _explore_scores(pool=pool, facts=facts, profile=profile, budget=budget, client=client),
            source=EXPLORE,
        )
    )
    ranked = [c for c in blend(lists) if c.note_id in facts]
    for candidate in ranked:
        fact = facts[candidate.note_id]
        fact.source, fact.reason = candidate.source, candidate.reason
    engaged = [(n, clock - age) for n, kind, age in events if kind != "open"]
    marker = max([when for _n, when in opens] + [when for _w, when in searched], default=0.0)
    return Built(ranked=ranked, facts=facts, built_at=clock, opens=marker, engaged=engaged)


def _facts(note_ids: set[int]) -> dict[int, NoteFacts]:
    if not note_ids:
        return {}
    qs = Note.objects.filter(
        pk__in=note_ids, status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC
    ).annotate(topic_ids=ArrayAgg("topics__id", distinct=True))
    return {
        note_id: NoteFacts(
            author_id=author_id,
            topic_ids=tuple(t for t in topic_ids if t is not None),
            sponsored=partnership_id is not None,
        )
        for note_id, author_id, partnership_id, topic_ids in qs.values_list(
            "id", "author_id", "partnership_id", "topic_ids"
        )
    }


# --- the list in Redis ----------------------------------------------------------------------------------


def _fact_encode(fact: NoteFacts) -> str:
    topics = ",".join(map(str, fact.topic_ids))
    return f"{fact.author_id}|{topics}|{fact.source}|{int(fact.sponsored)}|{fact.reason}"


def _fact_decode(raw: str) -> NoteFacts | None:
    try:
        author, topics, source, sponsored, reason = raw.split("|", 4)
        return NoteFacts(
            author_id=int(author),
            topic_ids=tuple(int(t) for t in topics.split(",") if t),
            source=source,
            sponsored=sponsored == "1",
            reason=reason,
        )
    except ValueError:
        return None


def candidates_store(*, reader: str, built: Built, client) -> None:
    pipe = client.pipeline(transaction=True)
    cand, meta = keys.candidates(reader), keys.candidates_meta(reader)
    pipe.delete(cand, meta)
    kept = built.ranked[:CANDIDATES_KEPT]
    if kept:
        pipe.zadd(cand, {str(c.note_id): c.score for c in kept})
        pipe.hset(meta, mapping={str(c.note_id): _fact_encode(built.facts[c.note_id]) for c in kept})
    pipe.hset(meta, mapping={"_built": str(built.built_at), "_opens": str(built.opens)})
    pipe.expire(cand, CANDIDATES_SECONDS)
    pipe.expire(meta, CANDIDATES_SECONDS)
    pipe.execute()


def candidates_load(*, reader: str, client) -> tuple[Built | None, float, set[int]]:
    """(the stored list or None, the reader's newest open or search (epoch s, 0 for none), the notes seen
    lately) in one round trip."""
    pipe = client.pipeline(transaction=False)
    pipe.zrevrange(keys.candidates(reader), 0, -1)
    pipe.hgetall(keys.candidates_meta(reader))
    pipe.zrevrange(keys.opens(reader), 0, 0, withscores=True)
    pipe.zrevrange(keys.searches(reader), 0, 0, withscores=True)
    pipe.zrangebyscore(keys.seen(reader), time.time() - 3 * 24 * 3600, "+inf")
    ids, meta, newest_open, newest_search, seen = pipe.execute()
    opens = max([when for _m, when in newest_open + newest_search], default=0.0)
    seen_ids = {int(n) for n in seen}
    if b"_built" not in meta:
        return None, opens, seen_ids
    facts: dict[int, NoteFacts] = {}
    ranked: list[Candidate] = []
    for raw_id in ids:
        fact = _fact_decode(meta.get(raw_id, b"").decode())
        if fact is None:
            continue
        note_id = int(raw_id)
        facts[note_id] = fact
        ranked.append(Candidate(note_id, 0.0, fact.source, fact.reason))
    built = Built(
        ranked=ranked, facts=facts, built_at=float(meta[b"_built"]), opens=float(meta.get(b"_opens", 0))
    )
    return built, opens, seen_ids


def _hid_anything(*, reader: str, client) -> bool:
    try:
        return bool(client.exists(keys.hides(reader)))
    except RedisError as exc:
        recs_redis.failed(exc, "reader's hides read")
        return False


def _shared_list(*, client, budget: int) -> Built:
    """The list of every anonymous reader without history: built once and shared, not once per visitor, so
    a client that drops its cookie on every request costs a read of it, not a build and a stored list."""
    try:
        shared, _opens, _seen = candidates_load(reader=keys.SHARED_READER, client=client)
    except RedisError as exc:
        recs_redis.failed(exc, "shared list read")
        shared, client = None, None
    if shared is None:
        shared = candidates_build(viewer=None, reader=keys.SHARED_READER, client=client, budget=budget)
        if client is not None:
            try:
                candidates_store(reader=keys.SHARED_READER, built=shared, client=client)
            except RedisError as exc:
                recs_redis.failed(exc, "shared list write")
    return shared


def candidates_for(*, viewer, reader: str, budget: int) -> tuple[Built, set[int], bool]:
    """The reader's list from Redis, rebuilt if missing or behind the reader; (list, seen, degraded)."""
    client = recs_redis.client()
    if client is None:
        return (
            candidates_build(viewer=viewer, reader=reader, client=None, degraded=True, budget=budget),
            set(),
            True,
        )
    try:
        built, opens, seen = candidates_load(reader=reader, client=client)
    except RedisError as exc:
        recs_redis.failed(exc, "candidate list read")
        return (
            candidates_build(viewer=viewer, reader=reader, client=None, degraded=True, budget=budget),
            set(),
            True,
        )
    signed_in = viewer is not None and viewer.is_authenticated
    if built is None and not signed_in and not opens and not _hid_anything(reader=reader, client=client):
        return _shared_list(client=client, budget=budget), seen, False
    marker = engagement_marker(user_id=viewer.pk) if signed_in else 0.0
    if built is not None and marker <= built.built_at and opens <= built.opens:
        return built, seen, False
    fresh = candidates_build(viewer=viewer, reader=reader, client=client, budget=budget)
    try:
        if built is not None and marker > built.built_at:
            since = [n for n, when in fresh.engaged or () if when > built.built_at]
            engagements_credit(reader=reader, note_ids=since, client=client)
        candidates_store(reader=reader, built=fresh, client=client)
    except RedisError as exc:
        recs_redis.failed(exc, "candidate list write")
    return fresh, seen, False
