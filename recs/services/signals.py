"""The reader's signals that no community row records: impressions, opens and card taps, searches,
"not interested", picks.

Impressions are counted like note views (``community/services/views_count.py``): one pipeline per feed
page into Redis (the reader's seen set and shown-by-source hash, a pending hash of "note:source" counts,
the exploration tally), and a periodic flush moves the pending hash aside with the same Lua script and
adds it to ``NoteReach`` and ``SourceDaily`` in one statement each. No row is written per card.

Engagement is credited to the source that showed the note: when a reader's candidate list notices new
likes, collects or comments (or an open) since it was built, it looks up which source showed those notes
and counts an engagement for it (``engagements_credit``).

An open is noticed when a note page loads "more like this"; a **card tap** is an open whose page was
reached from a card (``?from=<surface>`` on the note's link, passed on to the fragment). Both are one Lua
call (``recs/lua/open_record.lua``): the reader's opens are a sorted set, one member per note, so an open
of the same note within ``OPEN_DEDUPE_SECONDS`` is nothing at all; the tap is counted in the pending hash
(``t:<surface>:<source>``, flushed into ``TapDaily``), at most ``TAPS_PER_READER_DAY`` per reader a day and
``VISITOR_ANONYMOUS_PER_ADDRESS`` anonymous readers per address and note, like note views.

A **search** (``community.search_listeners``) puts its words in the reader's searched words, a sorted set
word -> when, the newest ``SEARCH_WORDS_MAX`` kept: searching the same word a thousand times is one word,
and a thousand different words leave the newest few. Both lists are read by the next build as interests.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from community.services.views_count import _lua
from core.visitor import Visitor
from recs import keys
from recs import redis as recs_redis
from recs.models import NoteReach, ReaderPreference, SourceDaily, TapDaily
from recs.ranking import EXPLORE, interest_words

logger = logging.getLogger(__name__)

SEEN_SECONDS = 3 * 24 * 3600
SEEN_MAX = 3000
OPENS_MAX = 50
READER_KEYS_SECONDS = 7 * 24 * 3600
FLUSH_LOCK_SECONDS = 600
ENGAGED = "e"  # pending field prefix: "e:<source>" counts engagements, "<note>:<source>" impressions
TAPPED = "t"  # pending field prefix: "t:<surface>:<source>" counts card taps
#: The surfaces whose cards say where a tap came from (``data-tap-from``, read by ``static/js/recs.js``).
#: "discover" is the plain hot feed; any other ``from`` is an open, not a tap.
FOR_YOU = "foryou"
SURFACES = frozenset({FOR_YOU, "discover", "following", "topic", "profile", "board", "search", "related"})
#: A reader opening the same note again within this window adds nothing (no interest, credit or tap).
OPEN_DEDUPE_SECONDS = 30 * 60
#: Card taps counted for one reader in a day: far above a person's reading, a ceiling for a script's.
TAPS_PER_READER_DAY = 300
#: Searched words kept per reader, and the words taken from one search.
SEARCH_WORDS_MAX = 30
SEARCH_WORDS_PER_QUERY = 5
SEARCH_KEYS_SECONDS = 30 * 24 * 3600


def impressions_record(*, reader: str, shown: list[tuple[int, str]], client=None) -> None:
    """Remember a page: ``shown`` is [(note id, source)] in page order. Never raises."""
    client = client or recs_redis.client()
    if client is None or not shown:
        return
    now = time.time()
    try:
        pipe = client.pipeline(transaction=False)
        pipe.zadd(keys.seen(reader), {str(n): now for n, _s in shown})
        pipe.zremrangebyscore(keys.seen(reader), 0, now - SEEN_SECONDS)
        pipe.zremrangebyrank(keys.seen(reader), 0, -SEEN_MAX - 1)
        pipe.expire(keys.seen(reader), SEEN_SECONDS)
        pipe.hset(keys.shown_source(reader), mapping={str(n): s for n, s in shown})
        pipe.expire(keys.shown_source(reader), SEEN_SECONDS)
        for note_id, source in shown:
            pipe.hincrby(keys.impressions_pending(), f"{note_id}:{source}", 1)
            if source == EXPLORE:
                pipe.hincrby(keys.explore_shown(), str(note_id), 1)
        pipe.zadd(keys.active_readers(), {reader: now})
        pipe.execute()
    except RedisError as exc:
        recs_redis.failed(exc, "impressions not recorded")


def note_open_record(*, who: Visitor, note_id: int, surface: str = "") -> int:
    """The reader opened a note, by tapping its card on ``surface`` (one of ``SURFACES``) or otherwise
    (``surface`` empty or unknown): it joins their within-session interests at once, the source that showed
    it is credited, and a tap is counted. Returns 0 (a repeat: nothing done), 1 (an open) or 2 (a counted
    tap). Nothing for a visitor whose request brought no cookie (``Visitor.fresh``): a client that drops
    cookies would leave a key per request. Never raises."""
    client = recs_redis.client()
    if client is None or who.fresh:
        return 0
    surface = surface if surface in SURFACES else ""
    reader = who.key
    budget = "" if who.signed_in else keys.tap_address_budget(note_id, who.address)
    try:
        return int(
            recs_redis.script(client, "open_record")(
                keys=[
                    keys.opens(reader),
                    keys.shown_source(reader),
                    keys.impressions_pending(),
                    keys.taps_today(reader),
                    budget,
                ],
                args=[
                    note_id,
                    f"{time.time():.3f}",
                    OPENS_MAX,
                    READER_KEYS_SECONDS,
                    OPEN_DEDUPE_SECONDS,
                    surface,
                    TAPS_PER_READER_DAY,
                    settings.VISITOR_ANONYMOUS_PER_ADDRESS,
                    ENGAGED,
                    FOR_YOU,
                ],
            )
        )
    except RedisError as exc:
        recs_redis.failed(exc, "open not recorded")
        return 0


def search_record(*, who: Visitor, query: str) -> list[str]:
    """The words of a search join the reader's interests (a signed-in reader or one whose request brought
    its session cookie: an address alone is nobody's profile, and a client that drops cookies would leave
    a key per request). Returns the words kept. Never raises: it is the
    community's search listener (registered in ``RecsConfig.ready``)."""
    if not (who.signed_in or (who.key.startswith("c:") and not who.fresh)):
        return []
    words = list(interest_words(query))[:SEARCH_WORDS_PER_QUERY]
    client = recs_redis.client()
    if client is None or not words:
        return []
    key = keys.searches(who.key)
    try:
        pipe = client.pipeline(transaction=False)
        pipe.zadd(key, dict.fromkeys(words, round(time.time(), 3)))
        pipe.zremrangebyrank(key, 0, -SEARCH_WORDS_MAX - 1)
        pipe.expire(key, SEARCH_KEYS_SECONDS)
        pipe.execute()
    except RedisError as exc:
        recs_redis.failed(exc, "search not recorded")
        return []
    return words


def engagements_credit(*, reader: str, note_ids: list[int], client) -> None:
    """Count an engagement for the source that showed each of ``note_ids`` to the reader (if one did)."""
    if not note_ids:
        return
    sources = client.hmget(keys.shown_source(reader), [str(n) for n in note_ids])
    pipe = client.pipeline(transaction=False)
    for source in sources:
        if source:
            pipe.hincrby(keys.impressions_pending(), f"{ENGAGED}:{source.decode()}", 1)
    pipe.execute()


def opens_read(raw: list[tuple[bytes, float]]) -> list[tuple[int, float]]:
    """The opens set's (member, score) pairs as (note id, epoch seconds), malformed ones skipped."""
    out = []
    for member, when in raw:
        try:
            out.append((int(member), float(when)))
        except (ValueError, TypeError):
            continue
    return out


# --- stated tastes --------------------------------------------------------------------------------------


def preference_add(*, user, kind: str, target_id: int) -> bool:
    """Record one taste (idempotent: saying it twice is saying it once). Returns whether it was new."""
    try:
        with transaction.atomic():
            ReaderPreference.objects.create(user=user, kind=kind, target_id=target_id)
    except IntegrityError:
        return False
    return True


def candidates_forget(*, reader: str) -> None:
    """Drop the reader's candidate list, so the next page is built with what they just told us."""
    client = recs_redis.client()
    if client is None:
        return
    try:
        client.delete(keys.candidates(reader), keys.candidates_meta(reader))
    except RedisError as exc:
        recs_redis.failed(exc, "candidate list not dropped")


def anonymous_hide(*, reader: str, kind: str, target_id: int) -> None:
    client = recs_redis.client()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.sadd(keys.hides(reader), f"{kind}:{target_id}")
        pipe.expire(keys.hides(reader), READER_KEYS_SECONDS * 4)
        pipe.execute()
    except RedisError as exc:
        recs_redis.failed(exc, "hide not recorded")


def interests_pick(*, user, topic_ids: list[int]) -> int:
    """The topics a new reader picked (replacing an earlier pick). Returns how many were kept."""
    with transaction.atomic(durable=True):
        ReaderPreference.objects.filter(user=user, kind=ReaderPreference.Kind.PICK_TOPIC).delete()
        ReaderPreference.objects.bulk_create(
            [
                ReaderPreference(user=user, kind=ReaderPreference.Kind.PICK_TOPIC, target_id=t)
                for t in topic_ids
            ]
        )
    return len(topic_ids)


# --- the flush --------------------------------------------------------------------------------------------


def impressions_flush() -> int:
    """Add the impressions and engagements counted in Redis to PostgreSQL. Returns the impressions added.

    One flush at a time (a lock with a token); a flush that died leaves its batch, which the next one
    takes first (the Lua script hands it back). Exploration tallies of notes past the window are pruned.
    """
    client = recs_redis.client()
    if client is None:
        return 0
    lock_key, token = keys.impressions_flush_lock(), uuid.uuid4().hex
    if not client.set(lock_key, token, nx=True, ex=FLUSH_LOCK_SECONDS):
        logger.info("recs impressions flush already running; skipped")
        return 0
    try:
        flushing = keys.impressions_flushing()
        if not _lua(client, "views_take")(keys=[keys.impressions_pending(), flushing]):
            return 0
        per_note: dict[int, list[int]] = {}
        per_source: dict[str, list[int]] = {}
        taps: dict[tuple[str, str], int] = {}
        for field, value in client.hgetall(flushing).items():
            try:
                head, source = field.decode().split(":", 1)
                count = int(value)
                if head == TAPPED:
                    surface, source = source.split(":", 1)
                    taps[(surface[:12], source[:12])] = taps.get((surface[:12], source[:12]), 0) + count
                    continue
                if head != ENGAGED:
                    int(head)
            except (ValueError, AttributeError):
                logger.warning("recs flush: skipping a malformed entry %r=%r", field, value)
                continue
            if head == ENGAGED:
                per_source.setdefault(source, [0, 0])[1] += count
                continue
            note_id = int(head)
            per_note.setdefault(note_id, [0, 0])
            per_note[note_id][0] += count
            per_note[note_id][1] += count if source == EXPLORE else 0
            per_source.setdefault(source, [0, 0])[0] += count
        with transaction.atomic(durable=True):
            _add_reach(per_note)
            _add_sources(per_source)
            _add_taps(taps)
        client.delete(flushing)
        added = sum(v[0] for v in per_note.values())
        logger.info(
            "recs impressions flush: %d impressions on %d notes, %d taps",
            added,
            len(per_note),
            sum(taps.values()),
        )
        return added
    finally:
        _lua(client, "lock_release")(keys=[lock_key], args=[token])


def _add_reach(per_note: dict[int, list[int]]) -> None:
    if not per_note:
        return
    table = connection.ops.quote_name(NoteReach._meta.db_table)
    items = sorted(per_note.items())
    rows = ", ".join(["(%s::bigint, %s::int, %s::int)"] * len(items))
    params = [v for note_id, (imp, exp) in items for v in (note_id, imp, exp)]
    with connection.cursor() as cursor:
        # Notes deleted meanwhile are left out by the join, so the foreign key never trips.
        cursor.execute(
            f"INSERT INTO {table} AS r (note_id, impressions, explore_impressions, updated_at) "  # noqa: S608
            f"SELECT v.id, v.imp, v.exp, now() FROM (VALUES {rows}) AS v(id, imp, exp) "
            f"JOIN community_note n ON n.id = v.id "
            f"ON CONFLICT (note_id) DO UPDATE SET impressions = r.impressions + EXCLUDED.impressions, "
            f"explore_impressions = r.explore_impressions + EXCLUDED.explore_impressions, updated_at = now()",
            params,
        )


def _add_sources(per_source: dict[str, list[int]]) -> None:
    rows = [(source[:12], imp, eng) for source, (imp, eng) in sorted(per_source.items())]
    _add_daily(SourceDaily, keys=("source",), counts=("impressions", "engagements"), rows=rows)


def _add_taps(taps: dict[tuple[str, str], int]) -> None:
    rows = [(surface, source, count) for (surface, source), count in sorted(taps.items())]
    _add_daily(TapDaily, keys=("surface", "source"), counts=("taps",), rows=rows)


def _add_daily(model, *, keys: tuple[str, ...], counts: tuple[str, ...], rows: list[tuple]) -> None:
    """Add ``rows`` (the key columns' values, then the counts) to today's rows of ``model``, whose unique
    constraint is (day, *keys), in one statement."""
    if not rows:
        return
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join((*keys, *counts))
    row = "(" + ", ".join(["%s"] * len(keys) + ["%s::int"] * len(counts)) + ")"
    updates = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in counts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS t (day, {columns}) "  # noqa: S608 - names from the model, values bound
            f"SELECT %s::date, {columns} FROM (VALUES {', '.join([row] * len(rows))}) AS v({columns}) "
            f"ON CONFLICT (day, {', '.join(keys)}) DO UPDATE SET {updates}",
            [today, *(v for r in rows for v in r)],
        )


def explore_prune(*, live_note_ids: set[int]) -> int:
    """Drop exploration tallies of notes no longer in the window (the hash would grow for ever)."""
    client = recs_redis.client()
    if client is None:
        return 0
    stale = [f for f in client.hkeys(keys.explore_shown()) if int(f) not in live_note_ids]
    if stale:
        client.hdel(keys.explore_shown(), *stale)
    return len(stale)
