"""The comments selector: order, first replies, per-viewer state, keyset pages and a fixed query count."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.template.loader import get_template
from django.test import RequestFactory

from accounts.tests.factories import UserFactory
from community.models import Comment
from community.selectors.comments import comments_first_page, comments_page, replies_page
from community.services.comments import comment_create
from community.services.interactions import comment_like
from community.tests.factories import NoteFactory
from core.keyset import BadCursor

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return UserFactory(username="writer", nickname="Writer")


@pytest.fixture
def note(writer):
    return NoteFactory(author=writer, images=0)


def _threads(note, writer, count: int, *, replies: int = 3) -> list[Comment]:
    """``count`` top-level comments, each with ``replies`` replies (the first by the note's author),
    and bodies that @ the writer."""
    made = []
    for i in range(count):
        top = comment_create(author=UserFactory(), note=note, body=f"Comment {i} for @writer")
        for j in range(replies):
            comment_create(
                author=writer if j == 0 else UserFactory(), note=note, body=f"reply {j}", reply_to=top
            )
        made.append(top)
    return made


def _render(page, note, viewer) -> str:
    """The partial alone (the site-wide context processors' queries belong to the page around it)."""
    request = RequestFactory().get(f"/notes/{note.pk}/")
    request.user = viewer
    context = {"note": note, "comments_page": page, "request": request, "user": viewer, "csrf_token": "t"}
    return get_template("community/partials/comments.html").render(context)


@pytest.mark.parametrize("size", [3, 12])
def test_the_first_page_and_its_rendering_take_four_queries_whatever_its_size(
    note, writer, size, django_assert_num_queries
):
    _threads(note, writer, size)
    viewer = UserFactory()
    for comment in Comment.objects.filter(note=note)[:4]:
        comment_like(user=viewer, comment=comment)

    # top-level comments, their first replies, the viewer's comment likes, the @-ed users
    with django_assert_num_queries(4):
        page = comments_first_page(note=note, viewer=viewer, size=size)
        html = _render(page, note, viewer)

    assert len(page.comments) == size
    assert all(len(c.first_replies) == 2 and c.more_replies == 1 for c in page.comments)
    assert html.count('data-testid="comment"') == size
    assert html.count('data-testid="reply"') == 2 * size


@pytest.mark.parametrize("size", [3, 12])
def test_an_anonymous_viewer_costs_one_query_less(note, writer, size, django_assert_num_queries):
    _threads(note, writer, size, replies=1)
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(3):
        page = comments_first_page(note=note, viewer=AnonymousUser(), size=size)
        _render(page, note, AnonymousUser())


def test_comments_are_ordered_by_likes_then_oldest_first_and_carry_the_viewers_state(note, writer):
    first, second, third = _threads(note, writer, 3, replies=0)
    Comment.objects.filter(pk=third.pk).update(like_count=F("like_count") + 5)
    viewer = UserFactory()
    comment_like(user=viewer, comment=second)
    own = comment_create(author=writer, note=note, body="Thanks all")

    page = comments_first_page(note=note, viewer=viewer)

    assert [c.pk for c in page.comments] == [third.pk, second.pk, first.pk, own.pk]
    assert [c.liked for c in page.comments] == [False, True, False, False]
    assert [c.is_note_author for c in page.comments] == [False, False, False, True]
    assert not any(c.can_delete for c in page.comments)
    assert '<a class="mention-link"' in str(page.comments[0].body_html)


def test_the_note_author_may_delete_every_comment_and_a_commenter_only_their_own(note, writer):
    commenter = UserFactory()
    comment_create(author=commenter, note=note, body="mine")
    comment_create(author=UserFactory(), note=note, body="theirs")

    assert all(c.can_delete for c in comments_first_page(note=note, viewer=writer).comments)
    assert [c.can_delete for c in comments_first_page(note=note, viewer=commenter).comments] == [True, False]


def test_hidden_comments_are_shown_only_to_their_author_as_under_review(note):
    author = UserFactory()
    comment = comment_create(author=author, note=note, body="borderline")
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)

    assert comments_first_page(note=note, viewer=UserFactory()).comments == []
    (mine,) = comments_first_page(note=note, viewer=author).comments
    assert mine.under_review


def test_keyset_pages_walk_every_comment_once(note, writer):
    made = _threads(note, writer, 7, replies=0)
    seen, cursor = [], None
    while True:
        page = comments_page(note=note, viewer=None, cursor=cursor, size=3)
        seen += [c.pk for c in page.comments]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == [c.pk for c in made]


def test_more_replies_are_paged_after_the_first_ones(note, writer):
    (thread,) = _threads(note, writer, 1, replies=7)
    first = comments_first_page(note=note, viewer=None).comments[0]
    replies = [r.pk for r in first.first_replies]

    cursor = first.replies_cursor
    while cursor:
        page = replies_page(
            parent=Comment.objects.select_related("note").get(pk=thread.pk),
            viewer=None,
            cursor=cursor,
            size=2,
        )
        replies += [r.pk for r in page.replies]
        cursor = page.next_cursor

    assert replies == list(Comment.objects.filter(parent=thread).order_by("id").values_list("pk", flat=True))


def test_a_tampered_cursor_is_a_400_not_a_500(note):
    with pytest.raises(BadCursor):
        comments_page(note=note, viewer=None, cursor="1.2:forged")
