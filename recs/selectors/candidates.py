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

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, connections, router
from django.utils import timezone
from redis.exceptions import RedisError

from community.models import Follow, Note
from community.selectors.notes import note_public_qs
from core.lru import Lru
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
    source_explore,
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

# The operators' switch row and, for a signed-in reader, when they last liked, collected or commented
# (NULL for an anonymous reader): what a page must know before it reads the list, in one round trip.
_SWITCH_SQL = """
SELECT s.plain_hot, s.explore_budget,
       GREATEST((SELECT max(created_at) FROM community_like WHERE user_id = %(u)s),
                (SELECT max(created_at) FROM community_collect WHERE user_id = %(u)s),
                (SELECT max(created_at) FROM community_comment WHERE author_id = %(u)s))
FROM (VALUES (1)) AS one (id) LEFT JOIN recs_recsswitch s ON s.id = one.id
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
    """A reader's list: ``ids`` best first, and the facts the page rules need. A list just built also has
    its ``ranked`` candidates (their scores go to Redis); one read back from Redis has its ids only, and
    decodes each note's facts when a page asks for them (``StoredFacts``)."""

    ids: list[int]
    facts: Mapping[int, NoteFacts]
    built_at: float
    opens: float  # the newest open or search the list was built with (epoch s; 0 for none)
    explore_ids: list[int]  # the notes exploration is credited with (their budget is checked per page)
    sponsored_ids: list[int]
    ranked: list[Candidate] = field(default_factory=list)
    engaged: list[tuple[int, float]] | None = None  # (note id, epoch s) of likes, collects, comments


def switch_read(*, user_id: int | None = None) -> tuple[bool, int, float]:
    """(plain hot ranking?, exploration budget, the reader's engagement marker) in one query: the
    operators' switch row, and when the signed-in reader ``user_id`` last liked, collected or commented
    (epoch seconds; 0 if never, or for an anonymous reader)."""
    # Written as SQL: through the ORM the switch row alone cost 0.5-0.8 ms of CPU per page, 0.06-0.1 ms so.
    with connections[router.db_for_read(RecsSwitch)].cursor() as cursor:
        cursor.execute(_SWITCH_SQL, {"u": user_id})
        plain_hot, budget, latest = cursor.fetchone()
    if plain_hot is None:  # no switch row yet: the model's defaults
        plain_hot, budget = False, RecsSwitch._meta.get_field("explore_budget").default
    return plain_hot, budget, latest.timestamp() if latest else 0.0


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


def _explore_shown(*, pool: list[int], client) -> list[int]:
    """The exploration tally of each note of ``pool`` (zeros without Redis)."""
    if client is not None and pool:
        try:
            return [int(v or 0) for v in client.hmget(keys.explore_shown(), [str(n) for n in pool])]
        except RedisError as exc:
            recs_redis.failed(exc, "exploration tallies read")
    return [0] * len(pool)


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
    shown = _explore_shown(pool=pool, client=client)
    lists.append(
        source_explore(
            pool=[(n, facts[n].topic_ids) for n in pool if n in facts],
            shown=[count for n, count in zip(pool, shown, strict=True) if n in facts],
            profile=profile,
            budget=budget,
        )
    )
    ranked = [c for c in blend(lists) if c.note_id in facts]
    for candidate in ranked:
        fact = facts[candidate.note_id]
        fact.source, fact.reason = candidate.source, candidate.reason
    engaged = [(n, clock - age) for n, kind, age in events if kind != "open"]
    marker = max([when for _n, when in opens] + [when for _w, when in searched], default=0.0)
    ids = [c.note_id for c in ranked]
    return Built(
        ids=ids,
        facts=facts,
        built_at=clock,
        opens=marker,
        explore_ids=[n for n in ids if facts[n].source == EXPLORE],
        sponsored_ids=[n for n in ids if facts[n].sponsored],
        ranked=ranked,
        engaged=engaged,
    )


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


class StoredFacts(Mapping):
    """The facts hash of a list read back from Redis, each note decoded when the page rules first ask for
    it: a page looks at a few dozen of the list's 600 notes, and decoding all of them was the largest
    part of a page's CPU (the API's p99 at 1.56x the hot feed's, issue 15)."""

    def __init__(self, raw: dict[bytes, bytes]):
        self._raw = raw
        self._decoded: dict[int, NoteFacts | None] = {}

    def __getitem__(self, note_id: int) -> NoteFacts:
        try:
            fact = self._decoded[note_id]
        except KeyError:
            raw = self._raw.get(str(note_id).encode())
            fact = self._decoded[note_id] = _fact_decode(raw.decode()) if raw else None
        if fact is None:
            raise KeyError(note_id)
        return fact

    def __iter__(self):
        return (int(k) for k in self._raw if not k.startswith(b"_"))

    def __len__(self) -> int:
        return sum(not k.startswith(b"_") for k in self._raw)


def _ids_encode(ids: list[int]) -> str:
    return ",".join(map(str, ids))


def _ids_decode(raw: bytes | None) -> list[int]:
    return [int(n) for n in raw.split(b",") if n] if raw else []


def candidates_store(*, reader: str, built: Built, client) -> None:
    pipe = client.pipeline(transaction=True)
    cand, meta = keys.candidates(reader), keys.candidates_meta(reader)
    pipe.delete(cand, meta)
    kept = built.ranked[:CANDIDATES_KEPT]
    kept_ids = {c.note_id for c in kept}
    if kept:
        pipe.zadd(cand, {str(c.note_id): c.score for c in kept})
        pipe.hset(meta, mapping={str(c.note_id): _fact_encode(built.facts[c.note_id]) for c in kept})
    pipe.hset(
        meta,
        mapping={
            "_built": str(built.built_at),
            "_opens": str(built.opens),
            # A stored list is never changed, only replaced: its random id names it for ``_decoded``.
            "_id": secrets.token_hex(8),
            "_explore": _ids_encode([n for n in built.explore_ids if n in kept_ids]),
            "_sponsored": _ids_encode([n for n in built.sponsored_ids if n in kept_ids]),
        },
    )
    pipe.expire(cand, CANDIDATES_SECONDS)
    pipe.expire(meta, CANDIDATES_SECONDS)
    pipe.execute()


#: Lists read lately, by (reader, stored id): the next page of the same reader, and every page of readers
#: who share one list, reads four small keys instead of ~600 entries (and reuses the facts decoded so far).
_decoded: Lru[Built] = Lru(16)


def candidates_load(*, reader: str, client) -> tuple[Built | None, float, set[int]]:
    """(the stored list or None, the reader's newest open or search (epoch s, 0 for none), the notes seen
    lately): one round trip when this process read that list lately, two otherwise. A list stored without
    its exploration ids (by an older release) counts as none: it is rebuilt once."""
    cand, meta_key = keys.candidates(reader), keys.candidates_meta(reader)
    pipe = client.pipeline(transaction=False)
    pipe.hget(meta_key, "_id")
    pipe.zrevrange(keys.opens(reader), 0, 0, withscores=True)
    pipe.zrevrange(keys.searches(reader), 0, 0, withscores=True)
    pipe.zrangebyscore(keys.seen(reader), time.time() - 3 * 24 * 3600, "+inf")
    list_id, newest_open, newest_search, seen = pipe.execute()
    opens = max([when for _m, when in newest_open + newest_search], default=0.0)
    seen_ids = {int(n) for n in seen}
    built = _decoded.get((reader, list_id)) if list_id else None
    if built is not None:
        return built, opens, seen_ids
    pipe = client.pipeline(transaction=False)
    pipe.zrevrange(cand, 0, -1)
    pipe.hgetall(meta_key)
    ids, meta = pipe.execute()
    if b"_built" not in meta or b"_explore" not in meta:
        return None, opens, seen_ids
    built = Built(
        ids=[int(n) for n in ids],
        facts=StoredFacts(meta),
        built_at=float(meta[b"_built"]),
        opens=float(meta.get(b"_opens", 0)),
        explore_ids=_ids_decode(meta[b"_explore"]),
        sponsored_ids=_ids_decode(meta.get(b"_sponsored")),
    )
    if b"_id" in meta:
        _decoded.put((reader, meta[b"_id"]), built)
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


def candidates_for(*, viewer, reader: str, budget: int, marker: float) -> tuple[Built, set[int], bool]:
    """The reader's list from Redis, rebuilt if missing or behind the reader (``marker``: when they last
    engaged, from ``switch_read``); (list, seen, degraded)."""
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
