"""Comment pages and htmx answers: where new comments land, hostile text stays text, deleting is for the
comment's author or the note's author only, and the note page costs the same whatever the comments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Comment, CommentLike, Note
from community.services.comments import comment_create
from community.tests.factories import NoteFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)><div hx-get="/accounts/logout/" hx-trigger="load">'


@pytest.fixture
def writer():
    return UserFactory(nickname="Writer")


@pytest.fixture
def note(writer):
    return NoteFactory(author=writer, images=0)


@pytest.fixture
def reader(client):
    user = UserFactory(nickname="Reader")
    client.force_login(user)
    return user


def _create_url(note: Note) -> str:
    return reverse("community:comment_create", args=[note.pk])


def test_a_new_comment_goes_to_the_top_of_the_list_with_the_new_counts(client, reader, note):
    response = client.post(_create_url(note), {"body": "Where did you buy it?"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#comment-list-{note.pk}"
    assert response["HX-Reswap"] == "afterbegin"
    assert "Where did you buy it?" in html
    assert f'id="note-{note.pk}-comment-count" data-testid="comment-count" hx-swap-oob="true">1<' in html
    assert Note.objects.get(pk=note.pk).comment_count == 1


def test_a_reply_goes_under_its_comment_and_ats_the_person_replied_to(client, reader, note, writer):
    question = comment_create(author=UserFactory(), note=note, body="Q")
    answer = comment_create(author=writer, note=note, body="A", reply_to=question)

    response = client.post(_create_url(note), {"body": "Thanks!", "reply_to": answer.pk}, **HTMX)

    assert response["HX-Retarget"] == f"#replies-{question.pk}"
    assert response["HX-Reswap"] == "beforeend"
    assert "@Writer" in response.content.decode()
    reply = Comment.objects.get(body="Thanks!")
    assert (reply.parent_id, reply.reply_to_id) == (question.pk, writer.pk)


def test_commenting_without_javascript_redirects_to_the_new_comment(client, reader, note):
    response = client.post(_create_url(note), {"body": "Nice"})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{reverse('community:note', args=[note.pk])}#comment-{comment.pk}"


def test_hostile_comment_text_is_shown_as_text_inside_an_hx_disable_container(client, reader, note):
    client.post(_create_url(note), {"body": HOSTILE}, **HTMX)

    page = client.get(reverse("community:note", args=[note.pk])).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page and '<div hx-get="/accounts' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    body = page.split('class="comment-body"', 1)[1].split(">", 1)[0]
    assert "hx-disable" in body


@pytest.mark.parametrize("body", ["", "x" * 501, "长" * 10_240])
def test_empty_and_oversized_comments_are_refused_and_nothing_is_stored(client, reader, note, body):
    response = client.post(_create_url(note), {"body": body}, **HTMX)

    assert response.status_code == 400
    assert not Comment.objects.exists()
    assert Note.objects.get(pk=note.pk).comment_count == 0


def test_an_anonymous_comment_is_sent_to_the_login_page(client, note):
    response = client.post(_create_url(note), {"body": "hi"}, **HTMX)

    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    assert not Comment.objects.exists()


def test_replying_to_a_comment_of_a_note_i_cannot_see_is_a_404(client, reader, note):
    private = NoteFactory(images=0, visibility=Note.Visibility.PRIVATE)
    hidden_thread = comment_create(author=private.author, note=private, body="secret")

    response = client.post(_create_url(note), {"body": "hi", "reply_to": hidden_thread.pk}, **HTMX)

    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_someone_elses_comment_delete_is_a_404_and_nothing_changes(client, reader, note):
    comment = comment_create(author=UserFactory(), note=note, body="not yours")

    response = client.post(reverse("community:comment_delete", args=[comment.pk]), **HTMX)

    assert response.status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert Note.objects.get(pk=note.pk).comment_count == 1


def test_the_note_author_deletes_a_comment_and_the_counts_follow_out_of_band(client, writer, note):
    comment = comment_create(author=UserFactory(), note=note, body="spam")
    client.force_login(writer)

    response = client.post(reverse("community:comment_delete", args=[comment.pk]), **HTMX)

    assert response.status_code == 200
    assert 'hx-swap-oob="true">0<' in response.content.decode()
    assert not Comment.objects.exists()


def test_deleting_is_post_only(client, reader, note):
    comment = comment_create(author=reader, note=note, body="mine")

    assert client.get(reverse("community:comment_delete", args=[comment.pk])).status_code == 405
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_liking_a_comment_with_htmx_swaps_its_heart(client, reader, note):
    comment = comment_create(author=UserFactory(), note=note, body="good")

    liked = client.post(reverse("community:comment_like", args=[comment.pk]), **HTMX).content.decode()
    unliked = client.post(reverse("community:comment_unlike", args=[comment.pk]), **HTMX).content.decode()

    assert 'aria-pressed="true"' in liked and ">1<" in liked
    assert 'aria-pressed="false"' in unliked
    assert not CommentLike.objects.exists()


def test_more_comments_come_as_items_for_the_list_and_a_new_sentinel(client, note):
    for i in range(12):
        comment_create(author=UserFactory(), note=note, body=f"comment {i}")
    page = client.get(reverse("community:note", args=[note.pk])).content.decode()
    more_url = page.split('class="comments-more" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    response = client.get(more_url, **HTMX)

    html = response.content.decode()
    assert f'hx-swap-oob="beforeend:#comment-list-{note.pk}"' in html
    assert html.count('data-testid="comment"') == 2
    assert 'class="comments-more"' not in html


def test_more_replies_come_under_their_comment(client, note):
    thread = comment_create(author=UserFactory(), note=note, body="Q")
    for i in range(5):
        comment_create(author=UserFactory(), note=note, body=f"reply {i}", reply_to=thread)
    page = client.get(reverse("community:note", args=[note.pk])).content.decode()
    more_url = page.split('class="replies-more" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    response = client.get(more_url, **HTMX)

    html = response.content.decode()
    assert f'hx-swap-oob="beforeend:#replies-{thread.pk}"' in html
    assert html.count('data-testid="reply"') == 3


def test_the_pages_without_javascript_render(client, reader, note):
    thread = comment_create(author=UserFactory(), note=note, body="Q")

    reply_page = client.get(reverse("community:comment_reply", args=[thread.pk]))
    replies_page = client.get(reverse("community:comment_replies", args=[thread.pk]))
    more_page = client.get(reverse("community:comments_more", args=[note.pk]))

    assert reply_page.status_code == replies_page.status_code == more_page.status_code == 200
    assert b'name="reply_to" value="%d"' % thread.pk in reply_page.content


def test_a_forged_cursor_is_a_400(client, note):
    response = client.get(reverse("community:comments_more", args=[note.pk]), {"cursor": "forged"}, **HTMX)

    assert response.status_code == 400


def _note_page_queries(client, note) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("community:note", args=[note.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_note_page_costs_the_same_queries_for_3_or_10_comment_threads(client, reader, writer):
    small, large = NoteFactory(author=writer, images=0), NoteFactory(author=writer, images=0)
    for note, threads in ((small, 3), (large, 10)):
        for i in range(threads):
            top = comment_create(author=UserFactory(), note=note, body=f"comment {i} @{writer.username}")
            for j in range(3):
                comment_create(author=UserFactory(), note=note, body=f"reply {j}", reply_to=top)
    _note_page_queries(client, small)  # warm the session and the default board lookups

    assert _note_page_queries(client, small) == _note_page_queries(client, large)
