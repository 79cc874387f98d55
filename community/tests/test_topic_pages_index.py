"""The topic page reads a topic's notes from the note-topic link table in the order of its partial index
(migration 0007): the link rows' copy of the note's hot score, "listed" (published and public) and
"sponsored" follows every change of the note, whichever way it is written, and a rare topic's page is
found through the index at any size of the site."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import Note
from community.selectors import feeds as selectors
from community.services.feeds import note_hot_scores_update
from community.tests.factories import FeedNoteFactory
from community.tests.support.links import partnership

pytestmark = pytest.mark.django_db


def links(note_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hot_score, listed, sponsored FROM community_note_topics WHERE note_id = %s ORDER BY topic_id",
            [note_id],
        )
        return cursor.fetchall()


def topic_ids(name: str, **kw) -> list[int]:
    return [
        n.pk for n in selectors.topic_notes(topic=selectors.topic_get(name=name), viewer=None, **kw).notes
    ]


def test_a_new_link_copies_its_notes_score_and_listing():
    note = FeedNoteFactory(hot_score=2.5, topics=["a", "b"])
    hidden = FeedNoteFactory(hot_score=9.0, topics=["a"], status=Note.Status.HIDDEN)

    assert links(note.pk) == [(2.5, True, False), (2.5, True, False)]
    assert links(hidden.pk) == [(9.0, False, False)]


def test_the_links_follow_the_notes_score_status_visibility_and_sponsorship():
    low, high = FeedNoteFactory(hot_score=1.0, topics=["t"]), FeedNoteFactory(hot_score=2.0, topics=["t"])
    assert topic_ids("t") == [high.pk, low.pk]

    Note.objects.filter(pk=low.pk).update(hot_score=3.0)  # a bulk UPDATE, as the hot-score refresh does
    assert links(low.pk) == [(3.0, True, False)]
    assert topic_ids("t") == [low.pk, high.pk]

    Note.objects.filter(pk=high.pk).update(visibility=Note.Visibility.PRIVATE)
    assert topic_ids("t") == [low.pk]
    Note.objects.filter(pk=high.pk).update(visibility=Note.Visibility.PUBLIC, status=Note.Status.DRAFT)
    assert topic_ids("t") == [low.pk]
    Note.objects.filter(pk=high.pk).update(status=Note.Status.PUBLISHED)
    assert topic_ids("t") == [low.pk, high.pk]

    Note.objects.filter(pk=low.pk).update(partnership=partnership(writer=low.author))
    assert links(low.pk) == [(3.0, True, True)]
    assert topic_ids("t", hide_sponsored=True) == [high.pk]
    assert topic_ids("t", hide_sponsored=False) == [low.pk, high.pk]


def test_the_periodic_refresh_reorders_the_topic_as_it_reorders_the_feed():
    old = FeedNoteFactory(topics=["t"], hot_score=100.0)
    new = FeedNoteFactory(topics=["t"], hot_score=0.0)
    Note.objects.filter(pk=new.pk).update(like_count=50)

    note_hot_scores_update()

    scores = dict(Note.objects.filter(pk__in=[old.pk, new.pk]).values_list("pk", "hot_score"))
    assert links(old.pk) == [(scores[old.pk], True, False)]
    assert links(new.pk) == [(scores[new.pk], True, False)]
    assert topic_ids("t") == [new.pk, old.pk]


def test_a_short_page_of_the_link_table_is_not_refilled_from_notes_it_did_not_choose():
    """Defence in depth: the notes are still filtered as every public list is. A link row wrongly
    marked listed (it cannot be, by the triggers) would not show a private note."""
    public = FeedNoteFactory(topics=["t"])
    private = FeedNoteFactory(topics=["t"], visibility=Note.Visibility.PRIVATE)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE community_note_topics SET listed = true WHERE note_id = %s", [private.pk])

    assert topic_ids("t") == [public.pk]


@pytest.mark.parametrize("sort,index", [("hot", "note_topic_hot"), ("new", "note_topic_new")])
def test_a_rare_topic_is_read_through_the_link_index_not_by_walking_the_site(sort, index):
    FeedNoteFactory.create_batch(30, topics=["common"])
    rare = FeedNoteFactory.create_batch(3, topics=["rare"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE community_note_topics; ANALYZE community_note")
    first = selectors.topic_notes(topic=selectors.topic_get(name="rare"), viewer=None, sort=sort, size=2)
    assert len(first.notes) == 2

    with CaptureQueriesContext(connection) as ctx:
        second = selectors.topic_notes(
            topic=selectors.topic_get(name="rare"), viewer=None, sort=sort, size=2, cursor=first.next_cursor
        )
    assert {n.pk for n in first.notes + second.notes} == {n.pk for n in rare}
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + ctx.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert index in plan
    assert "note_feed_hot" not in plan  # the site's hot index is not walked
