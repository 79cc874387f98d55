"""Feeds: hot score, keyset paging (no repeats, no gaps, ties included), who sees what, query counts."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Note
from community.selectors import feeds as selectors
from community.services.feeds import (
    HOT_WINDOW,
    HOT_WINDOW_MARGIN,
    hot_score,
    note_hot_score_initial,
    note_hot_scores_update,
)
from community.tasks import note_hot_scores_update_task
from community.tests.factories import FeedNoteFactory, collect, follow, like
from core.keyset import BadCursor, cursor_encode

pytestmark = pytest.mark.django_db


def all_pages(fetch, *, size: int) -> list[list[int]]:
    """Every page of a feed, following its cursors to the end."""
    pages, cursor = [], None
    for _ in range(1000):
        page = fetch(cursor=cursor, size=size)
        pages.append([n.pk for n in page.notes])
        cursor = page.next_cursor
        if cursor is None:
            return pages
    raise AssertionError("the cursor never ran out")


# --- hot score ------------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_hot_score_formula_rewards_engagement_and_decays_with_age():
    fresh = hot_score(likes=10, collects=0, comments=0, views=0, age_hours=1)
    collected = hot_score(likes=0, collects=5, comments=0, views=0, age_hours=1)
    commented = hot_score(likes=0, collects=0, comments=4, views=0, age_hours=1)
    assert collected == fresh  # a collect weighs two likes
    assert commented > fresh  # a comment weighs three
    assert hot_score(likes=10, collects=0, comments=0, views=100, age_hours=1) == hot_score(
        likes=20, collects=0, comments=0, views=0, age_hours=1
    )
    assert hot_score(likes=10, collects=0, comments=0, views=0, age_hours=48) < fresh / 10


@pytest.mark.clocks
def test_the_database_computes_the_same_score_as_the_formula():
    note = FeedNoteFactory(hot_score=0)
    Note.objects.filter(pk=note.pk).update(
        like_count=12,
        collect_count=3,
        comment_count=2,
        view_count=450,
        created_at=timezone.now() - timedelta(hours=5),
    )

    note_hot_scores_update(note_ids=[note.pk])

    note.refresh_from_db()
    expected = hot_score(likes=12, collects=3, comments=2, views=450, age_hours=5)
    assert note.hot_score == pytest.approx(expected, rel=1e-3)


@pytest.mark.clocks
def test_a_new_note_gets_its_score_at_once_and_tops_a_stale_feed():
    old = [FeedNoteFactory(hot_score=0.05, age=timedelta(days=3)) for _ in range(3)]
    new = FeedNoteFactory(hot_score=0)

    note_hot_score_initial(note_id=new.pk)

    new.refresh_from_db()
    assert new.hot_score == pytest.approx(1 / 2**1.5, rel=1e-2)
    page = selectors.feed_discover(viewer=None, size=2)
    assert page.notes[0].pk == new.pk
    assert {n.pk for n in old} >= {page.notes[1].pk}


@pytest.mark.clocks
def test_the_periodic_task_refreshes_recent_notes_and_leaves_old_ones():
    recent = FeedNoteFactory(hot_score=0, age=timedelta(hours=3))
    edge = FeedNoteFactory(hot_score=0, age=HOT_WINDOW + HOT_WINDOW_MARGIN - timedelta(hours=1))
    old = FeedNoteFactory(hot_score=0.5, age=HOT_WINDOW + HOT_WINDOW_MARGIN + timedelta(hours=2))
    Note.objects.filter(pk=recent.pk).update(like_count=40)

    updated = note_hot_scores_update_task()  # the task body, as beat runs it

    assert updated == 2
    recent.refresh_from_db()
    edge.refresh_from_db()
    old.refresh_from_db()
    assert recent.hot_score == pytest.approx(
        hot_score(likes=40, collects=0, comments=0, views=0, age_hours=3), 1e-2
    )
    assert 0 < edge.hot_score < 0.001
    assert old.hot_score == 0.5  # untouched: it already left the window


def test_the_refresh_is_scheduled_every_ten_minutes():
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("hot_scores_update_task")
    )
    assert entry["task"] == "community.tasks.note_hot_scores_update_task"
    assert entry["schedule"] == timedelta(minutes=10)


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker(celery_worker):
    note = FeedNoteFactory(hot_score=0, age=timedelta(hours=1))

    note_hot_scores_update_task.delay()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        note.refresh_from_db()
        if note.hot_score > 0:
            break
        threading.Event().wait(0.05)  # poll the condition until the worker has run
    assert note.hot_score == pytest.approx(
        hot_score(likes=0, collects=0, comments=0, views=0, age_hours=1), 1e-2
    )


# --- keyset paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3, 7])
def test_discover_pages_never_repeat_or_skip_even_with_tied_scores(size):
    rng = random.Random(size)
    # 23 notes over four distinct scores: most neighbours tie.
    notes = [FeedNoteFactory(hot_score=rng.choice([0.0, 0.25, 0.25000001, 3.5])) for _ in range(23)]

    pages = all_pages(lambda **kw: selectors.feed_discover(viewer=None, **kw), size=size)

    seen = [pk for page in pages for pk in page]
    expected = [n.pk for n in sorted(notes, key=lambda n: (-n.hot_score, -n.pk))]
    assert seen == expected
    assert all(len(page) == size for page in pages[:-1])


def test_a_page_boundary_inside_a_tie_survives_new_writes():
    tied = [FeedNoteFactory(hot_score=1.0) for _ in range(6)]
    first = selectors.feed_discover(viewer=None, size=3)
    # Meanwhile a new note ties too, and one already shown gets hotter.
    FeedNoteFactory(hot_score=1.0)
    Note.objects.filter(pk=first.notes[0].pk).update(hot_score=9)

    second = selectors.feed_discover(viewer=None, cursor=first.next_cursor, size=3)

    assert [n.pk for n in first.notes] == [n.pk for n in tied[::-1][:3]]
    assert [n.pk for n in second.notes] == [n.pk for n in tied[::-1][3:]]


def test_a_forged_cursor_is_refused():
    FeedNoteFactory.create_batch(2)
    with pytest.raises(BadCursor):
        selectors.feed_discover(viewer=None, cursor="W1swLCA5OTldXQ:bad-signature", size=1)
    # A genuine cursor of another list does not fit here either.
    with pytest.raises(BadCursor):
        selectors.feed_discover(
            viewer=None, cursor=cursor_encode([5], salt="community.feed.following"), size=1
        )


def test_following_feed_is_newest_first_from_followees_only_and_pages_cleanly():
    reader, writer_a, writer_b, stranger = UserFactory.create_batch(4)
    follow(reader, writer_a)
    follow(reader, writer_b)
    mine = [FeedNoteFactory(author=w) for w in (writer_a, writer_b, writer_a, writer_b, writer_a)]
    FeedNoteFactory(author=stranger)
    FeedNoteFactory(author=reader)

    pages = all_pages(lambda **kw: selectors.feed_following(viewer=reader, **kw), size=2)

    assert [pk for page in pages for pk in page] == [n.pk for n in reversed(mine)]


def test_following_feed_is_empty_for_anonymous_viewers():
    from django.contrib.auth.models import AnonymousUser

    FeedNoteFactory()
    assert selectors.feed_following(viewer=AnonymousUser()).notes == []


@pytest.mark.parametrize("sort", ["hot", "new"])
def test_topic_notes_page_through_all_public_notes_of_the_topic(sort):
    notes = [FeedNoteFactory(topics=["敏感肌"], hot_score=float(i % 3)) for i in range(9)]
    FeedNoteFactory(topics=["travel"])
    FeedNoteFactory(topics=["敏感肌"], visibility=Note.Visibility.PRIVATE)
    topic = selectors.topic_get(name="敏感肌")

    pages = all_pages(lambda **kw: selectors.topic_notes(topic=topic, viewer=None, sort=sort, **kw), size=4)

    key = (lambda n: -n.pk) if sort == "new" else (lambda n: (-n.hot_score, -n.pk))
    assert [pk for page in pages for pk in page] == [n.pk for n in sorted(notes, key=key)]


# --- who sees what --------------------------------------------------------------------------------------


def _unlisted(author):
    return [
        FeedNoteFactory(author=author, hot_score=99, visibility=Note.Visibility.PRIVATE),
        FeedNoteFactory(author=author, hot_score=99, status=Note.Status.UNDER_REVIEW),
        FeedNoteFactory(author=author, hot_score=99, status=Note.Status.HIDDEN),
    ]


def test_private_under_review_and_hidden_notes_stay_out_of_every_feed_even_their_authors():
    writer, reader = UserFactory.create_batch(2)
    follow(reader, writer)
    public = FeedNoteFactory(author=writer, topics=["种草"])
    for note in _unlisted(writer):
        note.topics.add(*public.topics.all())

    for viewer in (None, reader, writer):
        assert [n.pk for n in selectors.feed_discover(viewer=viewer).notes] == [public.pk]
    assert [n.pk for n in selectors.feed_following(viewer=reader).notes] == [public.pk]
    topic = selectors.topic_get(name="种草")
    assert [n.pk for n in selectors.topic_notes(topic=topic, viewer=writer).notes] == [public.pk]


def test_viewer_state_marks_what_the_viewer_liked_and_collected():
    reader = UserFactory()
    liked, collected, neither = FeedNoteFactory.create_batch(3)
    like(reader, liked)
    collect(reader, collected)

    page = selectors.feed_discover(viewer=reader)

    assert page.state.liked == {liked.pk}
    assert page.state.collected == {collected.pk}
    assert neither.pk in {n.pk for n in page.notes}


# --- query counts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 12])
def test_discover_costs_two_queries_whatever_the_page_size(django_assert_num_queries, size):
    reader = UserFactory()
    for note in FeedNoteFactory.create_batch(14):
        like(reader, note)

    with django_assert_num_queries(2):  # notes with author and cover; the viewer's likes and collects
        page = selectors.feed_discover(viewer=reader, size=size)
        [(n.title, n.author.display_name, n.cover.feed.url, n.cover.width) for n in page.notes]
    assert len(page.notes) == size


@pytest.mark.parametrize("size", [3, 12])
def test_following_and_topic_cost_two_queries(django_assert_num_queries, size):
    reader = UserFactory()
    writers = UserFactory.create_batch(3)
    for writer in writers:
        follow(reader, writer)
    for i in range(14):
        FeedNoteFactory(author=writers[i % 3], topics=["学生党"])
    topic = selectors.topic_get(name="学生党")
    first = selectors.feed_following(viewer=reader, size=2)

    with django_assert_num_queries(2):
        page = selectors.feed_following(viewer=reader, size=size, cursor=first.next_cursor)
        [n.author.display_name for n in page.notes]
    with django_assert_num_queries(2):
        page = selectors.topic_notes(topic=topic, viewer=reader, sort="hot", size=size)
        [n.author.display_name for n in page.notes]
    assert len(page.notes) == size


def test_a_note_published_through_the_service_is_first_in_the_feed_right_away():
    from community.services.notes import note_create
    from tests.support.images import image_upload

    FeedNoteFactory.create_batch(3, hot_score=0.05, age=timedelta(days=2))

    note = note_create(author=UserFactory(), title="刚发布", body="#种草", images=[image_upload()])

    assert selectors.feed_discover(viewer=None, size=1).notes[0].pk == note.pk
