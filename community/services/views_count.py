"""Note view counts: counted in Redis on every page view, added to ``Note.view_count`` by a periodic flush.

Recording is one ``SET NX EX`` (has this viewer been counted lately?) and, the first time, one
``HINCRBY`` on the pending hash. Redis being down never breaks the note page: the view is logged and
lost. The flush moves the pending hash aside with a Lua script (so views recorded meanwhile go to a new
pending hash), adds the counts to PostgreSQL in batches with one statement each (``UPDATE ... FROM
(VALUES ...)`` on the notes, feeding an ``INSERT ... ON CONFLICT`` into today's ``NoteDailyViews`` rows, so
both numbers move together or not at all), and removes each batch from Redis once its transaction has
committed. One flush runs at a time (a lock with a token); a flush that died is finished by the next one.
The one window left: a crash between a batch's commit and its HDEL counts that batch twice (in both
numbers alike) - acceptable for view counts, never for money.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from community import keys
from community.models import Note, NoteDailyViews
from core.pause import DownPause
from core.redis_scripts import lua_script
from core.visitor import address_budget_key, first_time

logger = logging.getLogger(__name__)

LUA_DIR = Path(__file__).resolve().parent.parent / "lua"
FLUSH_BATCH = 1000
FLUSH_LOCK_SECONDS = 600
# After Redis failed, views are not even tried for this long: with redis-py's retries a call to a dead
# server takes seconds, and the note page must stay fast while Redis is away.
REDIS_DOWN_PAUSE_SECONDS = 30.0
redis_down = DownPause(REDIS_DOWN_PAUSE_SECONDS)


def _dedupe_seconds() -> int:
    # How long a viewer's visit counts once: a reload or a back-and-forth within it adds nothing.
    return int(getattr(settings, "NOTE_VIEW_DEDUPE_SECONDS", 30 * 60))


def _redis():
    return get_redis_connection("default")


def _lua(client, name: str):
    """A Lua script from community/lua, registered once per Redis client."""
    return lua_script(client, LUA_DIR / f"{name}.lua")


def note_view_record(*, note_id: int, viewer_key: str, address: str = "") -> bool:
    """Count one view of ``note_id`` by ``viewer_key`` unless that viewer was counted lately.

    ``address``: the client address of an anonymous viewer (``core.visitor``): one address counts at most
    VISITOR_ANONYMOUS_PER_ADDRESS anonymous viewers of a note per window, however many cookies it rotates.
    Returns whether it counted. Never raises for Redis trouble: the page matters more than the count.
    """
    if redis_down.active:
        return False
    try:
        client = _redis()
        budget = address_budget_key(f"view:{note_id}", address) if address else ""
        done = keys.note_viewed(note_id, viewer_key)
        if not first_time(done_key=done, budget_key=budget, window=_dedupe_seconds(), client=client):
            return False
        client.hincrby(keys.note_views_pending(), str(note_id), 1)
        return True
    except RedisError as exc:
        redis_down.start()
        logger.warning(
            "view of note %s not counted, Redis unavailable (views paused %ss): %s",
            note_id,
            REDIS_DOWN_PAUSE_SECONDS,
            exc,
        )
        return False


def note_views_pending(*, note_id: int) -> int:
    """Views of ``note_id`` counted in Redis but not yet in the database (0 if Redis is down)."""
    try:
        client = _redis()
        pending = client.hget(keys.note_views_pending(), str(note_id)) or 0
        flushing = client.hget(keys.note_views_flushing(), str(note_id)) or 0
        return int(pending) + int(flushing)
    except RedisError:
        return 0


def note_views_flush(*, batch_size: int = FLUSH_BATCH) -> int:
    """Add the views counted in Redis to ``Note.view_count``. Returns how many views were added.

    Safe to run concurrently (the second run finds the lock taken and does nothing) and after a crash
    (the batch left behind is flushed first).
    """
    client = _redis()
    lock_key, token = keys.note_views_flush_lock(), uuid.uuid4().hex
    if not client.set(lock_key, token, nx=True, ex=FLUSH_LOCK_SECONDS):
        logger.info("note views flush already running; skipped")
        return 0
    try:
        flushing = keys.note_views_flushing()
        if not _lua(client, "views_take")(keys=[keys.note_views_pending(), flushing]):
            return 0
        counts = _parse(client.hgetall(flushing))
        added = 0
        items = sorted(counts.items())
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            with transaction.atomic(durable=True):
                _add_views(batch)
            # Only after the commit: a crash before this line leaves the batch for the next flush.
            client.hdel(flushing, *[str(note_id) for note_id, _views in batch])
            added += sum(views for _note_id, views in batch)
        client.delete(flushing)
        logger.info("note views flush: %d views on %d notes", added, len(items))
        return added
    finally:
        _lua(client, "lock_release")(keys=[lock_key], args=[token])


def _parse(raw: dict) -> dict[int, int]:
    counts: dict[int, int] = {}
    for field, value in raw.items():
        try:
            note_id, views = int(field), int(value)
        except (TypeError, ValueError):
            logger.warning("note views flush: skipping a malformed entry %r=%r", field, value)
            continue
        if views > 0:
            counts[note_id] = views
    return counts


def _today():
    """The day a flush books its views on: today in the site's time zone, whatever zone is active."""
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def _add_views(batch: list[tuple[int, int]]) -> None:
    notes = connection.ops.quote_name(Note._meta.db_table)
    daily = connection.ops.quote_name(NoteDailyViews._meta.db_table)
    rows = ", ".join(["(%s::bigint, %s::bigint)"] * len(batch))
    params = [value for pair in batch for value in pair]
    with connection.cursor() as cursor:
        # One statement: the daily rows get exactly the views the notes got. Notes deleted meanwhile match
        # nothing in the UPDATE, so RETURNING leaves them out of the daily rows too. A delete still in
        # flight is safe only if it locked its note before cascading to the children: then this UPDATE
        # waits for it and skips the vanished note. One that cascades first and deletes the note last
        # would trip its own foreign-key check at commit on a daily row added in between.
        cursor.execute(
            f"WITH counted AS ("  # noqa: S608 - table names from the models, values as placeholders
            f"UPDATE {notes} AS n SET view_count = n.view_count + v.views "
            f"FROM (VALUES {rows}) AS v(id, views) WHERE n.id = v.id RETURNING n.id, v.views) "
            f"INSERT INTO {daily} AS d (note_id, day, views) SELECT id, %s::date, views FROM counted "
            f"ON CONFLICT (note_id, day) DO UPDATE SET views = d.views + EXCLUDED.views",
            [*params, _today()],
        )
