"""The note page and its selector run a fixed number of SQL queries whatever the number of photos,
topics, mentions and comments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Follow, Like
from community.selectors.note_page import note_page
from community.tests.factories import CommentFactory, NoteFactory, TopicFactory

pytestmark = pytest.mark.django_db

# The note (author and the viewer's like / collect / follow as EXISTS columns, its topics' names and its
# mentioned users as array subqueries), its photos. Was 4 (topics and mentions were prefetches).
NOTE_PAGE_SELECTOR_QUERIES = 2


def _note(images: int, extras: int):
    note = NoteFactory(images=images, body=" ".join(f"#t{i} @m{i}" for i in range(extras)))
    note.topics.add(*[TopicFactory(name=f"t{i}") for i in range(extras)])
    note.mentions.add(*[UserFactory(username=f"m{i}-{note.pk}") for i in range(extras)])
    return note


@pytest.mark.parametrize(("images", "extras"), [(1, 1), (8, 6)])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_note_page_selector_is_two_queries(django_assert_num_queries, images, extras, signed_in):
    note = _note(images, extras)
    viewer = UserFactory() if signed_in else None
    if viewer:
        Like.objects.create(user=viewer, note=note)
        Follow.objects.create(follower=viewer, followee=note.author)
    mentioned = {u.username: u.pk for u in note.mentions.all()}
    with django_assert_num_queries(NOTE_PAGE_SELECTOR_QUERIES):
        page = note_page(note_id=note.pk, viewer=viewer)
    # and everything the template reads is already loaded
    with django_assert_num_queries(0):
        assert len(page.images) == images and len(page.topics) == extras and len(page.mentioned) == extras
        assert page.topics == sorted(f"t{i}" for i in range(extras))
        assert page.mentioned == mentioned
        assert page.note.author.display_name
        assert [i.position for i in page.images] == list(range(images))
        assert page.state.liked == ({note.pk} if signed_in else set())
        assert page.following_author is signed_in


def _page_queries(client, note) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("community:note", args=[note.pk]))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_note_page_costs_the_same_for_1_or_8_photos_and_1_or_10_comments(client, signed_in):
    small = _note(1, 1)
    big = _note(8, 6)
    CommentFactory(note=small)
    for _ in range(10):
        parent = CommentFactory(note=big)
        CommentFactory(note=big, parent=parent)
        CommentFactory(note=big, parent=parent)
    if signed_in:
        client.force_login(UserFactory())
    small_count = _page_queries(client, small)
    big_count = _page_queries(client, big)
    print(f"note page queries ({'signed in' if signed_in else 'anonymous'}): {small_count} / {big_count}")
    assert small_count == big_count
