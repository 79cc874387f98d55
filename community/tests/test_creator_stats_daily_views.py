"""Daily views: the flush that moves ``Note.view_count`` books the same views on today's ``NoteDailyViews``
row, in the same statement, so the two never disagree (real Redis and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from community.models import Note, NoteDailyViews
from community.services import views_count
from community.services.views_count import note_view_record, note_views_flush
from community.tests.factories import NoteFactory


def _view_count(note) -> int:
    return Note.objects.values_list("view_count", flat=True).get(pk=note.pk)


def _daily(note) -> dict[dt.date, int]:
    return dict(NoteDailyViews.objects.filter(note=note).values_list("day", "views"))


def _view(note, *viewers: str) -> None:
    for viewer in viewers:
        assert note_view_record(note_id=note.pk, viewer_key=viewer) is True


@pytest.fixture
def at(monkeypatch):
    """Pretend the clock reads ``when`` (an aware datetime) for the flush."""

    def _at(when: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: when)

    return _at


@pytest.mark.clocks
@pytest.mark.django_db
def test_flushing_twice_adds_up_on_todays_row():
    note = NoteFactory(view_count=5)
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    _view(note, "u:1", "u:2")
    assert note_views_flush() == 2
    _view(note, "u:3", "u:4", "u:5")
    assert note_views_flush() == 3

    assert _daily(note) == {today: 5}
    assert _view_count(note) == 10  # 5 from before daily rows existed, then the same 5


@pytest.mark.django_db
def test_the_day_is_the_sites_day_not_utcs(at):
    note = NoteFactory()
    # 17:30 UTC on 1 March is 01:30 on 2 March in Asia/Shanghai, the site's time zone.
    at(dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC))
    _view(note, "u:1")
    note_views_flush()
    at(dt.datetime(2026, 3, 2, 15, 59, tzinfo=dt.UTC))  # 23:59 on 2 March in Shanghai
    _view(note, "u:2")
    note_views_flush()
    at(dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC))  # midnight: 3 March
    _view(note, "u:3", "u:4")
    note_views_flush()

    assert _daily(note) == {dt.date(2026, 3, 2): 2, dt.date(2026, 3, 3): 2}
    assert _view_count(note) == 4


@pytest.mark.django_db
def test_each_batch_is_one_statement_for_both_numbers(django_assert_num_queries):
    notes = NoteFactory.create_batch(4)
    for note in notes:
        _view(note, *[f"u:{i}" for i in range(note.pk % 3 + 1)])

    # Two batches: savepoint, the one statement, release.
    with django_assert_num_queries(2 * 3):
        note_views_flush(batch_size=2)

    for note in notes:
        assert _view_count(note) == note.pk % 3 + 1
        assert sum(_daily(note).values()) == note.pk % 3 + 1


@pytest.mark.django_db
def test_views_of_a_note_deleted_meanwhile_make_no_daily_row():
    note, gone = NoteFactory(), NoteFactory()
    _view(note, "u:1")
    _view(gone, "u:1", "u:2")
    gone_id = gone.pk
    gone.delete()

    assert note_views_flush() == 3

    assert sum(_daily(note).values()) == 1
    assert not NoteDailyViews.objects.filter(note_id=gone_id).exists()


@pytest.mark.django_db
def test_a_crash_between_batches_keeps_both_numbers_in_step(monkeypatch):
    first, second, third = NoteFactory(), NoteFactory(), NoteFactory()
    _view(first, "u:1")
    _view(second, "u:1", "u:2")
    _view(third, "u:1", "u:2", "u:3")
    real_add = views_count._add_views
    calls = []

    def add_then_crash(batch):
        calls.append(batch)
        real_add(batch)
        if len(calls) == 2:
            # The statement ran; the process dies before the batch's transaction commits.
            raise RuntimeError("worker killed")

    monkeypatch.setattr(views_count, "_add_views", add_then_crash)
    with pytest.raises(RuntimeError):
        note_views_flush(batch_size=1)
    monkeypatch.setattr(views_count, "_add_views", real_add)

    # The first batch committed in both places; the second rolled back in both; the third never ran.
    assert [_view_count(n) for n in (first, second, third)] == [1, 0, 0]
    assert [sum(_daily(n).values()) for n in (first, second, third)] == [1, 0, 0]

    assert note_views_flush() == 5
    for note, expected in ((first, 1), (second, 2), (third, 3)):
        assert _view_count(note) == expected
        assert sum(_daily(note).values()) == expected


@pytest.mark.django_db
def test_a_crash_after_commit_counts_twice_but_in_both_numbers_alike(redis_conn, monkeypatch):
    from community import keys

    note = NoteFactory()
    _view(note, "u:1", "u:2")
    real_hdel = redis_conn.__class__.hdel

    def hdel_dies(self, name, *fields):
        if name == keys.note_views_flushing():
            raise RuntimeError("worker killed after commit")
        return real_hdel(self, name, *fields)

    monkeypatch.setattr(redis_conn.__class__, "hdel", hdel_dies)
    with pytest.raises(RuntimeError):
        note_views_flush()
    monkeypatch.setattr(redis_conn.__class__, "hdel", real_hdel)
    assert note_views_flush() == 2  # the documented window: the batch is counted again ...

    assert _view_count(note) == 4
    assert sum(_daily(note).values()) == 4  # ... and the daily row still agrees with the note
