"""Comments come from a per-process cache keyed by what they show (community/comment_markup.py): a page
served from the cache is the page a fresh render gives; one reader's likes, Delete button, Report link,
CSRF token or moderated comment never reach another reader; an edit, a deletion, a like, a new name and
the other language show at once; "time ago" follows the clock; and the page's queries do not change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from community import comment_markup
from community.models import Comment, CommentLike
from community.services.comments import comment_create, comment_delete
from community.services.interactions import comment_like
from community.tests.factories import NoteFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    comment_markup.comments_clear()
    yield
    comment_markup.comments_clear()


@pytest.fixture
def writer():
    return UserFactory(nickname="Writer")


@pytest.fixture
def note(writer):
    return NoteFactory(author=writer, images=0)


@pytest.fixture
def thread(note, writer):
    """A comment by ``commenter`` with a reply by the note's writer."""
    commenter = UserFactory(nickname="Commenter")
    top = comment_create(author=commenter, note=note, body="Where did you buy it?")
    reply = comment_create(author=writer, note=note, body="At the mall", reply_to=top)
    return commenter, top, reply


def comments_of(client, note, **headers) -> str:
    response = client.get(reverse("community:note", args=[note.pk]), **headers)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<ol class="comment-list".*?<li class="comments-empty">', html, re.S)
    assert found, "no comment list"
    return found.group(0)


def item(html: str, comment_id: int) -> str:
    """The markup of one comment or reply, up to its replies or its end."""
    found = re.search(
        rf'<li class="comment[^"]*" id="comment-{comment_id}".*?(?:<ol class="reply-list"|</li>)', html, re.S
    )
    assert found, f"no comment {comment_id}"
    return found.group(0)


def signed_in(client, user):
    client.force_login(user)
    return client


def masked_out(html: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value="*"', html)


def test_a_page_from_the_cache_is_the_page_a_fresh_render_gives(client, note, thread, writer):
    signed_in(client, writer)
    fresh = comments_of(client, note)  # rendered, then kept
    assert len(comment_markup._markup) == 2
    cached = comments_of(client, note)

    assert masked_out(cached) == masked_out(fresh)
    comment_markup.comments_clear()
    assert masked_out(comments_of(client, note)) == masked_out(fresh)


def test_one_readers_like_delete_and_report_never_reach_another(client, note, thread, writer):
    commenter, top, reply = thread
    liker = UserFactory()
    comment_like(user=liker, comment=top)

    as_writer = comments_of(signed_in(client, writer), note)  # the note's author: Delete on both
    as_liker = comments_of(signed_in(client, liker), note)  # Report on both, own like filled
    client.logout()
    as_anonymous = comments_of(client, note)

    assert 'data-testid="comment-delete"' in item(as_writer, top.pk)
    assert 'data-testid="comment-delete"' in item(as_writer, reply.pk)
    assert 'aria-pressed="false"' in item(as_writer, top.pk)
    assert 'data-testid="comment-delete"' not in as_liker
    assert f'href="{reverse("community:report_comment", args=[top.pk])}"' in item(as_liker, top.pk)
    assert 'aria-pressed="true"' in item(as_liker, top.pk)
    assert 'aria-pressed="false"' in item(as_liker, reply.pk)
    assert 'data-testid="comment-delete"' not in as_anonymous
    assert "/report/" not in as_anonymous
    assert 'aria-pressed="true"' not in as_anonymous
    assert len(comment_markup._markup) == 2  # the three readers shared the two comments' markup


def test_the_comment_author_deletes_their_reply_but_not_the_comment_above(client, note, thread):
    commenter, top, reply = thread
    html = comments_of(signed_in(client, commenter), note)

    assert 'data-testid="comment-delete"' in item(html, top.pk)
    assert 'data-testid="comment-delete"' not in item(html, reply.pk)
    assert f'action="{reverse("community:comment_delete", args=[top.pk])}"' in item(html, top.pk)
    assert "Delete this comment and its replies?" in item(html, top.pk)


def test_each_form_carries_this_requests_csrf_token(note, thread, writer):
    strict = Client(enforce_csrf_checks=True)
    signed_in(strict, writer)
    html = comments_of(strict, note)
    secret = strict.cookies["csrftoken"].value

    tokens = CSRF.findall(html)
    assert len(tokens) == 4  # like and delete on the comment and on the reply
    assert all(_unmask_cipher_token(token) == secret for token in tokens)

    other = Client(enforce_csrf_checks=True)
    signed_in(other, UserFactory())
    other_tokens = CSRF.findall(comments_of(other, note))
    other_secret = other.cookies["csrftoken"].value
    assert other_secret != secret
    assert other_tokens and all(_unmask_cipher_token(token) == other_secret for token in other_tokens)

    like_url = reverse("community:comment_like", args=[thread[1].pk])
    assert other.post(like_url, {"csrfmiddlewaretoken": tokens[0]}).status_code == 403  # not theirs
    assert strict.post(like_url, {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert CommentLike.objects.filter(user=writer, comment=thread[1]).exists()


def test_an_edit_a_new_name_and_a_like_show_at_once(client, note, thread):
    commenter, top, reply = thread
    assert "Where did you buy it?" in comments_of(client, note)

    Comment.objects.filter(pk=top.pk).update(body="Which shop exactly?")
    User.objects.filter(pk=commenter.pk).update(nickname="Renamed")
    comment_like(user=UserFactory(), comment=reply)
    html = comments_of(client, note)

    assert "Which shop exactly?" in item(html, top.pk) and "Where did you buy it?" not in html
    assert "Renamed" in item(html, top.pk) and "Commenter" not in html
    assert '<span class="count">1</span>' in item(html, reply.pk)


def test_a_deleted_reply_and_a_moderated_comment_disappear(client, note, thread, writer):
    commenter, top, reply = thread
    comments_of(client, note)  # both cached

    comment_delete(user=writer, comment=reply)
    Comment.objects.filter(pk=top.pk).update(status=Comment.Status.HIDDEN)
    html = comments_of(client, note)

    assert f'id="comment-{reply.pk}"' not in html
    assert f'id="comment-{top.pk}"' not in html


def test_a_moderated_comment_shown_to_its_author_does_not_reach_other_readers(client, note, thread):
    commenter, top, reply = thread
    Comment.objects.filter(pk=top.pk).update(status=Comment.Status.HIDDEN)

    own = comments_of(signed_in(client, commenter), note)
    assert "Under review" in item(own, top.pk)

    signed_in(client, UserFactory())
    response = client.get(reverse("community:note", args=[note.pk]))
    assert f'id="comment-{top.pk}"'.encode() not in response.content
    assert b"Where did you buy it?" not in response.content


def test_the_other_language_gets_its_own_markup(client, note, thread, writer):
    commenter, top, reply = thread
    signed_in(client, UserFactory())
    english = comments_of(client, note)
    chinese = comments_of(client, note, **ZH)

    assert "Reply" in item(english, top.pk) and "Report" in item(english, top.pk)
    assert "回复" in item(chinese, top.pk) and "举报" in item(chinese, top.pk)
    assert "Reply" not in item(chinese, top.pk) and "Report" not in item(chinese, top.pk)
    assert "作者" in item(chinese, reply.pk)  # the "Author" tag
    assert len(comment_markup._markup) == 4


def test_time_ago_follows_the_clock_from_cached_markup(client, note, writer):
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        top = comment_create(author=UserFactory(), note=note, body="Fresh")
        assert "just now" in item(comments_of(client, note), top.pk)
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC) + timedelta(hours=3), tick=False):
        html = item(comments_of(client, note), top.pk)
    assert "3\xa0hours ago" in html and "just now" not in html
    assert 'datetime="2026-03-01T' in html
    assert len(comment_markup._markup) == 1  # the same shared markup, another time


def test_cached_comments_cost_the_same_queries(client, note, thread, writer):
    signed_in(client, writer)
    comments_of(client, note)  # warm the session and the caches
    comment_markup.comments_clear()
    with CaptureQueriesContext(connection) as cold:
        comments_of(client, note)
    with CaptureQueriesContext(connection) as warm:
        comments_of(client, note)

    assert len(cold) == len(warm)
