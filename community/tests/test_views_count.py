"""View counts against the real Redis and PostgreSQL: deduplicated per viewer, flushed exactly once, safe
while views keep coming and while two flushes race; Redis down never breaks a page."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings
from django.db import connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from community import keys
from community.models import Note
from community.services import views_count
from community.services.views_count import note_view_record, note_views_flush, note_views_pending
from community.tests.factories import NoteFactory


def _view_count(note) -> int:
    return Note.objects.values_list("view_count", flat=True).get(pk=note.pk)


@pytest.mark.django_db
def test_a_view_counts_once_per_viewer_and_reaches_the_database_on_flush(redis_conn):
    note = NoteFactory()

    assert note_view_record(note_id=note.pk, viewer_key="u:1") is True
    assert note_view_record(note_id=note.pk, viewer_key="u:1") is False  # a reload
    assert note_view_record(note_id=note.pk, viewer_key="u:2") is True
    assert note_views_pending(note_id=note.pk) == 2
    assert _view_count(note) == 0

    assert note_views_flush() == 2

    assert _view_count(note) == 2
    assert note_views_pending(note_id=note.pk) == 0
    assert not redis_conn.exists(keys.note_views_pending(), keys.note_views_flushing())
    # The viewer's mark outlives the flush: the same visitor still doesn't count twice.
    assert note_view_record(note_id=note.pk, viewer_key="u:1") is False
    ttl = redis_conn.ttl(keys.note_viewed(note.pk, "u:1"))
    assert 0 < ttl <= 30 * 60


@pytest.mark.django_db
def test_flushing_twice_adds_nothing_the_second_time():
    note = NoteFactory(view_count=10)
    for i in range(3):
        note_view_record(note_id=note.pk, viewer_key=f"u:{i}")

    assert note_views_flush() == 3
    assert note_views_flush() == 0

    assert _view_count(note) == 13


@pytest.mark.django_db
def test_the_dedupe_window_is_a_setting(settings, redis_conn):
    settings.NOTE_VIEW_DEDUPE_SECONDS = 5
    note = NoteFactory()
    note_view_record(note_id=note.pk, viewer_key="a:x")
    assert 0 < redis_conn.ttl(keys.note_viewed(note.pk, "a:x")) <= 5


@pytest.mark.django_db
def test_flush_updates_in_batches_with_one_statement_each(django_assert_num_queries):
    notes = NoteFactory.create_batch(5)
    for note in notes:
        for viewer in range(note.pk % 3 + 1):
            note_view_record(note_id=note.pk, viewer_key=f"u:{viewer}")

    # Three batches of at most 2 notes: one UPDATE each, each in its own (here: savepoint) transaction.
    with django_assert_num_queries(3 * 3):
        note_views_flush(batch_size=2)

    assert [_view_count(n) for n in notes] == [n.pk % 3 + 1 for n in notes]


@pytest.mark.django_db
def test_views_of_a_deleted_note_are_dropped():
    note, gone = NoteFactory(), NoteFactory()
    note_view_record(note_id=note.pk, viewer_key="u:1")
    note_view_record(note_id=gone.pk, viewer_key="u:1")
    gone.delete()

    assert note_views_flush() == 2  # counted from Redis; the deleted one matches no row
    assert _view_count(note) == 1


@pytest.mark.django_db
def test_a_batch_left_by_a_crashed_flush_is_finished_first_and_new_views_wait(redis_conn):
    note = NoteFactory()
    # A flush died after moving the pending hash aside: 4 views sit in the flushing hash.
    redis_conn.hset(keys.note_views_flushing(), str(note.pk), 4)
    note_view_record(note_id=note.pk, viewer_key="u:late")

    assert note_views_flush() == 4
    assert _view_count(note) == 4
    assert note_views_flush() == 1
    assert _view_count(note) == 5


@pytest.mark.django_db
def test_a_flush_while_another_holds_the_lock_does_nothing(redis_conn):
    note = NoteFactory()
    note_view_record(note_id=note.pk, viewer_key="u:1")
    redis_conn.set(keys.note_views_flush_lock(), "someone-else", ex=60)

    assert note_views_flush() == 0
    assert _view_count(note) == 0
    assert redis_conn.get(keys.note_views_flush_lock()) == b"someone-else"  # not ours to release


@pytest.mark.django_db
def test_a_failed_batch_stays_in_redis_for_the_next_flush(redis_conn, monkeypatch):
    first, second = NoteFactory(), NoteFactory()
    note_view_record(note_id=first.pk, viewer_key="u:1")
    note_view_record(note_id=second.pk, viewer_key="u:1")
    real_add = views_count._add_views
    calls = []

    def add_then_fail(batch):
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        real_add(batch)

    monkeypatch.setattr(views_count, "_add_views", add_then_fail)
    with pytest.raises(RuntimeError):
        note_views_flush(batch_size=1)
    monkeypatch.setattr(views_count, "_add_views", real_add)

    assert (_view_count(first), _view_count(second)) == (1, 0)
    assert not redis_conn.exists(keys.note_views_flush_lock())
    assert note_views_flush() == 1
    assert (_view_count(first), _view_count(second)) == (1, 1)


class DeadRedis:
    """A real client to a port where nothing listens, counting the commands it was asked to run."""

    def __init__(self) -> None:
        # No retries here to keep the test short; the pause after a failure is what keeps pages fast.
        self.client = redis.Redis(
            host="127.0.0.1", port=1, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        self.calls = 0

    def __getattr__(self, name):
        self.calls += 1
        return getattr(self.client, name)


@pytest.fixture
def dead_redis(monkeypatch):
    dead = DeadRedis()
    monkeypatch.setattr(views_count, "_redis", lambda: dead)
    views_count.redis_down.reset()
    return dead


@pytest.mark.django_db
def test_redis_down_does_not_break_recording_and_pauses_it(dead_redis, monkeypatch, caplog):
    note = NoteFactory()

    with caplog.at_level(logging.WARNING, logger="community.services.views_count"):
        assert note_view_record(note_id=note.pk, viewer_key="u:1") is False
    assert "not counted" in caplog.text
    tried = dead_redis.calls
    assert tried >= 1

    # The next views don't wait on the dead server at all for a while.
    started = time.monotonic()
    for i in range(100):
        assert note_view_record(note_id=note.pk, viewer_key=f"u:{i}") is False
    assert dead_redis.calls == tried
    assert time.monotonic() - started < 0.1

    # After the pause it tries again.
    views_count.redis_down.reset()
    note_view_record(note_id=note.pk, viewer_key="u:1")
    assert dead_redis.calls > tried
    assert note_views_pending(note_id=note.pk) == 0


@pytest.mark.django_db
def test_the_flush_task_survives_redis_being_down(dead_redis, caplog):
    from community.tasks import note_views_flush_task as task

    with caplog.at_level(logging.WARNING):
        assert task.apply().get() == 0
    assert "Redis unavailable" in caplog.text


def test_the_flush_runs_every_minute():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "community.tasks.note_views_flush_task"
    )
    assert entry["schedule"].total_seconds() == 60


# --- concurrency, with real threads ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_count_each_viewer_once():
    note = NoteFactory()
    viewers = [f"u:{i}" for i in range(40)]
    # Every viewer opens the page three times, all at once.
    attempts = viewers * 3
    with ThreadPoolExecutor(max_workers=16) as pool:
        counted = list(pool.map(lambda v: note_view_record(note_id=note.pk, viewer_key=v), attempts))

    assert sum(counted) == 40
    note_views_flush()
    assert _view_count(note) == 40


VIEWS_PER_THREAD = 300


@pytest.mark.django_db(transaction=True)
def test_flushing_while_views_keep_coming_loses_and_doubles_nothing():
    notes = NoteFactory.create_batch(3)
    stop = threading.Event()
    flushes = [0]
    recorded = [0]
    lock = threading.Lock()

    def viewer(thread: int) -> None:
        for i in range(VIEWS_PER_THREAD):
            if note_view_record(note_id=notes[i % 3].pk, viewer_key=f"t{thread}:{i}"):
                with lock:
                    recorded[0] += 1

    def flusher() -> None:
        try:
            while not stop.is_set():
                note_views_flush(batch_size=2)
                with lock:
                    flushes[0] += 1
        finally:
            connection.close()

    viewers = [threading.Thread(target=viewer, args=(t,)) for t in range(4)]
    flushers = [threading.Thread(target=flusher) for _ in range(2)]
    for t in viewers + flushers:
        t.start()
    for t in viewers:
        t.join(timeout=60)
    stop.set()
    for t in flushers:
        t.join(timeout=60)
    note_views_flush()

    total = sum(Note.objects.filter(pk__in=[n.pk for n in notes]).values_list("view_count", flat=True))
    assert recorded[0] == 4 * VIEWS_PER_THREAD
    assert total == recorded[0]
    assert flushes[0] > 1, "the flushes never overlapped with the views"
