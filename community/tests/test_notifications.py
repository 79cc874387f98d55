"""Notifications: made after commit by a real Celery worker, never twice; the Messages page with its three
inboxes, keyset paging, marking read and the unread badge."""

from __future__ import annotations

import threading

import pytest
from celery.signals import task_postrun
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Comment, Notification
from community.services import notifications as notification_services
from community.services.comments import comment_create
from community.services.interactions import note_collect, note_like, note_unlike, user_follow
from community.tasks import notify_comment_task, notify_like_task
from community.tests.factories import CommentFactory, NoteFactory, NotificationFactory
from tests.support.tasks import wait_until

Kind = Notification.Kind
Inbox = Notification.Inbox
URL = "/notifications/"


class FinishedTasks:
    """Ids of the tasks the in-process worker has finished, with a way to wait for some of them."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.changed = threading.Condition()

    def __call__(self, sender=None, task_id=None, **kwargs) -> None:
        with self.changed:
            self.done.add(task_id)
            self.changed.notify_all()

    def wait_for(self, *task_ids: str, timeout: float = 20.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: set(task_ids) <= self.done, timeout=timeout)


@pytest.fixture
def finished_tasks():
    tracker = FinishedTasks()
    task_postrun.connect(tracker, weak=False)
    yield tracker
    task_postrun.disconnect(tracker)


# --- made after commit, by the worker, once --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_like_makes_exactly_one_notification_on_the_worker_and_a_retry_adds_nothing(
    celery_worker, finished_tasks
):
    writer, reader = UserFactory(), UserFactory()
    note = NoteFactory(author=writer)

    note_like(user=reader, note=note)

    assert wait_until(lambda: Notification.objects.filter(recipient=writer).exists()), "no notification came"
    notification = Notification.objects.get(recipient=writer)
    assert (notification.actor_id, notification.kind, notification.inbox, notification.note_id) == (
        reader.pk,
        Kind.LIKE_NOTE,
        Inbox.LIKES,
        note.pk,
    )
    assert notification.read_at is None

    # The broker redelivers the task (a retry, a worker lost before its ack): twice, at the same time.
    like_id = reader.likes.get().pk
    first, second = notify_like_task.delay(like_id), notify_like_task.delay(like_id)
    assert finished_tasks.wait_for(first.id, second.id), "the worker never ran the repeated tasks"
    assert Notification.objects.filter(recipient=writer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_comment_reaches_the_writer_through_the_worker_once(celery_worker, finished_tasks):
    writer, reader = UserFactory(), UserFactory()
    note = NoteFactory(author=writer)

    comment = comment_create(author=reader, note=note, body="Is it good for dry skin?")

    assert wait_until(lambda: Notification.objects.filter(recipient=writer, comment=comment).exists())
    again = notify_comment_task.delay(comment.pk)
    assert finished_tasks.wait_for(again.id)
    rows = list(Notification.objects.filter(recipient=writer))
    assert [(n.kind, n.inbox, n.comment_id) for n in rows] == [(Kind.COMMENT, Inbox.COMMENTS, comment.pk)]


@pytest.mark.django_db
def test_the_task_is_sent_only_when_the_like_commits(django_capture_on_commit_callbacks):
    writer, reader = UserFactory(), UserFactory()
    note = NoteFactory(author=writer)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note_like(user=reader, note=note)
        assert not Notification.objects.filter(recipient=writer).exists()
        note_like(user=reader, note=note)  # a double click: already liked, nothing more to send

    assert len(callbacks) == 1
    assert not Notification.objects.filter(recipient=writer).exists()


@pytest.mark.django_db
def test_liking_again_after_unliking_does_not_notify_twice():
    writer, reader = UserFactory(), UserFactory()
    note = NoteFactory(author=writer)
    note_like(user=reader, note=note)
    notification_services.notify_like(like_id=reader.likes.get().pk)
    note_unlike(user=reader, note=note)
    note_like(user=reader, note=note)
    notification_services.notify_like(like_id=reader.likes.get().pk)

    assert Notification.objects.filter(recipient=writer).count() == 1


@pytest.mark.django_db
def test_nobody_is_notified_of_their_own_actions():
    writer = UserFactory()
    note = NoteFactory(author=writer)
    note_like(user=writer, note=note)
    note_collect(user=writer, note=note)
    notification_services.notify_like(like_id=writer.likes.get().pk)
    notification_services.notify_collect(collect_id=writer.collects.get().pk)

    assert not Notification.objects.filter(recipient=writer).exists()


@pytest.mark.django_db
def test_a_reply_goes_to_the_person_replied_to_and_mentions_to_the_mentioned():
    writer, commenter, replier = UserFactory(), UserFactory(), UserFactory()
    mentioned = UserFactory(username="lily")
    note = NoteFactory(author=writer)
    comment = CommentFactory(note=note, author=commenter)
    reply = comment_create(author=replier, note=note, body="Agreed, ask @lily too", reply_to=comment)

    notification_services.notify_comment(comment_id=reply.pk)
    notification_services.notify_comment(comment_id=reply.pk)  # a retry

    got = sorted(
        Notification.objects.filter(comment=reply).values_list("recipient_id", "kind"), key=lambda r: r[0]
    )
    assert got == sorted(
        [(commenter.pk, Kind.REPLY), (writer.pk, Kind.COMMENT), (mentioned.pk, Kind.MENTION)],
        key=lambda r: r[0],
    )


@pytest.mark.django_db
def test_follows_land_in_the_followers_inbox():
    follower, writer = UserFactory(), UserFactory()
    user_follow(follower=follower, followee=writer)
    notification_services.notify_follow(follow_id=follower.following_set.get().pk)
    notification = Notification.objects.get(recipient=writer)
    assert (notification.kind, notification.inbox, notification.note_id) == (Kind.FOLLOW, Inbox.FOLLOWS, None)


# --- unread counts and marking read ----------------------------------------------------------------------


@pytest.mark.django_db
def test_unread_badge_is_one_capped_count(django_assert_num_queries):
    user = UserFactory()
    note = NoteFactory(author=user)
    NotificationFactory.create_batch(3, recipient=user, note=note)
    NotificationFactory(recipient=user, note=note, read_at="2024-01-01T00:00Z")
    NotificationFactory(note=note)  # somebody else's

    with django_assert_num_queries(1):
        assert notification_services.notification_unread_count(user) == 3


@pytest.mark.django_db
def test_unread_badge_query_uses_the_partial_index_of_unread_rows():
    from django.db import connection
    from django.utils import timezone

    # A writer with a long history: thousands read, a few new.
    user, actor = UserFactory(), UserFactory()
    note = NoteFactory(author=user)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            actor=actor,
            kind=Kind.LIKE_NOTE,
            inbox=Inbox.LIKES,
            note=note,
            dedupe_key=f"old:{i}",
            read_at=None if i < 3 else now,
        )
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE community_notification")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + notification_services._unread_count_sql(),
            [user.pk, notification_services.UNREAD_COUNT_CAP],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_unread" in plan
    assert notification_services.notification_unread_count(user) == 3


@pytest.mark.django_db
def test_unread_badge_stops_counting_at_the_cap():
    user = UserFactory()
    note = NoteFactory(author=user)
    actor = UserFactory()
    Notification.objects.bulk_create(
        Notification(
            recipient=user, actor=actor, kind=Kind.LIKE_NOTE, inbox=Inbox.LIKES, note=note, dedupe_key=f"k{i}"
        )
        for i in range(notification_services.UNREAD_COUNT_CAP + 5)
    )
    assert notification_services.notification_unread_count(user) == notification_services.UNREAD_COUNT_CAP


@pytest.mark.django_db
def test_mark_read_is_idempotent_and_leaves_newer_ones_unread():
    user = UserFactory()
    note = NoteFactory(author=user)
    older = NotificationFactory.create_batch(2, recipient=user, note=note)
    newer = NotificationFactory(recipient=user, note=note)
    other_inbox = NotificationFactory(recipient=user, kind=Kind.FOLLOW)

    marked = notification_services.notifications_mark_read(user=user, inbox=Inbox.LIKES, up_to=older[-1].pk)
    again = notification_services.notifications_mark_read(user=user, inbox=Inbox.LIKES, up_to=older[-1].pk)

    assert (marked, again) == (2, 0)
    assert set(Notification.objects.filter(recipient=user, read_at=None).values_list("pk", flat=True)) == {
        newer.pk,
        other_inbox.pk,
    }


@pytest.mark.django_db
def test_mark_read_refuses_an_unknown_inbox_and_changes_nothing():
    from core.errors import DomainError

    user = UserFactory()
    NotificationFactory(recipient=user)
    with pytest.raises(DomainError):
        notification_services.notifications_mark_read(user=user, inbox="spam")
    assert Notification.objects.filter(recipient=user, read_at=None).count() == 1


# --- the Messages page ---------------------------------------------------------------------------------------


@pytest.fixture
def writer_client(client):
    writer = UserFactory(nickname="Writer")
    client.force_login(writer)
    client.user = writer
    return client


def _unread(user) -> dict[str, int]:
    from community.selectors.notifications import notification_unread_counts

    return notification_unread_counts(user=user)


@pytest.mark.django_db
def test_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_page_opens_the_first_inbox_with_news_marks_it_read_and_keeps_the_others(writer_client):
    writer = writer_client.user
    note = NoteFactory(author=writer, title="My serum review")
    reader = UserFactory(nickname="Reader Lin")
    NotificationFactory(recipient=writer, actor=UserFactory(), kind=Kind.FOLLOW)
    NotificationFactory(recipient=writer, actor=reader, kind=Kind.FOLLOW)
    comment = CommentFactory(note=note, author=reader, body="Where did you buy it?")
    NotificationFactory(recipient=writer, actor=reader, kind=Kind.COMMENT, note=note, comment=comment)

    response = writer_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    # Likes is empty, so the first inbox with news opens: new followers, both shown as new.
    assert response.context["active_tab"]["key"] == Inbox.FOLLOWS
    assert html.count('data-testid="notification"') == 2
    assert html.count("notif-dot") == 2
    assert "Reader Lin" in html and "started following you" in html
    # The tab of the comments inbox still says 1; the open one says nothing any more.
    assert 'data-testid="inbox-unread-comments"' in html
    assert 'data-testid="inbox-unread-follows"' not in html
    assert _unread(writer) == {"likes": 0, "follows": 0, "comments": 1, "notices": 0, "total": 1}
    # The Messages tab's badge shows what is left.
    assert '<span class="badge" data-testid="unread-badge">1</span>' in html

    response = writer_client.get(URL + "?inbox=comments")
    html = response.content.decode()
    assert "Where did you buy it?" in html and "commented on your note" in html
    assert reverse("community:note", args=[note.pk]) + f"#comment-{comment.pk}" in html
    assert 'data-testid="unread-badge"' not in html
    assert _unread(writer)["total"] == 0

    # Opening it again changes nothing and shows the entries as read.
    html = writer_client.get(URL + "?inbox=comments").content.decode()
    assert html.count('data-testid="notification"') == 1 and "notif-dot" not in html


@pytest.mark.django_db
def test_each_entry_shows_who_what_the_cover_and_a_link(writer_client):
    writer = writer_client.user
    note = NoteFactory(author=writer, title="Sunscreen test")
    NotificationFactory(
        recipient=writer, actor=UserFactory(nickname="Mia"), kind=Kind.COLLECT_NOTE, note=note
    )

    html = writer_client.get(URL + "?inbox=likes").content.decode()

    assert "Mia" in html and "collected your note" in html
    assert note.cover.feed.url in html and 'alt="Sunscreen test"' in html
    assert reverse("community:note", args=[note.pk]) in html
    assert "<time datetime=" in html


@pytest.mark.django_db
def test_only_my_own_notifications_are_shown(writer_client):
    NotificationFactory(actor=UserFactory(nickname="Stranger"))  # to someone else
    html = writer_client.get(URL + "?inbox=likes").content.decode()
    assert "Stranger" not in html
    assert 'data-testid="empty"' in html


@pytest.mark.django_db
def test_user_text_is_escaped_and_htmx_disabled(writer_client):
    writer = writer_client.user
    note = NoteFactory(author=writer, title="<b>t</b>")
    villain = UserFactory(nickname="<img src=x onerror=f()>")
    comment = CommentFactory(note=note, author=villain, body='<div hx-get="/x" hx-trigger="load">hi</div>')
    NotificationFactory(recipient=writer, actor=villain, kind=Kind.COMMENT, note=note, comment=comment)

    html = writer_client.get(URL + "?inbox=comments").content.decode()

    assert "<img src=x" not in html and "&lt;img src=x onerror=f()&gt;" in html
    assert '<div hx-get="/x"' not in html and "&lt;div hx-get=" in html
    assert "<b>t</b>" not in html
    assert 'class="notif is-unread" hx-disable' in html


@pytest.mark.django_db
def test_a_hidden_comment_is_not_quoted(writer_client):
    writer = writer_client.user
    note = NoteFactory(author=writer)
    comment = CommentFactory(note=note, body="buy followers at spam.example", status=Comment.Status.HIDDEN)
    NotificationFactory(recipient=writer, kind=Kind.COMMENT, note=note, comment=comment)

    html = writer_client.get(URL + "?inbox=comments").content.decode()

    assert "spam.example" not in html
    assert "hidden by moderation" in html


def _fill_inbox(writer, count: int):
    notes = [NoteFactory(author=writer) for _ in range(3)]
    actors = [UserFactory() for _ in range(3)]
    return [
        NotificationFactory(recipient=writer, actor=actors[i % 3], note=notes[i % 3], kind=Kind.LIKE_NOTE)
        for i in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 10])
def test_page_runs_a_fixed_number_of_queries_whatever_its_size(
    writer_client, size, django_assert_num_queries
):
    _fill_inbox(writer_client.user, 12)
    NotificationFactory(recipient=writer_client.user, kind=Kind.FOLLOW)
    # The session comes from the cache. The user, the unread counts, the page, the UPDATE marking read
    # (inside a savepoint pair here, the test's transaction around it). The badge shows what the unread
    # counts found, less the inbox just read: no count of its own (was 7).
    with django_assert_num_queries(6):
        response = writer_client.get(URL, {"inbox": "likes", "size": size})
    assert response.content.decode().count('data-testid="notification"') == size


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 5])
def test_older_pages_come_by_keyset_as_fragments_with_fixed_queries(
    writer_client, size, django_assert_num_queries
):
    made = _fill_inbox(writer_client.user, 12)
    first = writer_client.get(URL, {"inbox": "likes", "size": size})
    cursor = first.context["page"].next_before
    assert cursor == made[-size].pk

    # The user, the page, the badge's count: nothing is marked read again.
    with django_assert_num_queries(3):
        response = writer_client.get(
            URL, {"inbox": "likes", "before": cursor, "size": size}, headers={"HX-Request": "true"}
        )

    html = response.content.decode()
    assert "<html" not in html
    shown = [n.pk for n in response.context["page"].items]
    assert shown == [n.pk for n in reversed(made)][size : 2 * size]
    assert 'hx-trigger="revealed"' in html and "before=" in html


@pytest.mark.django_db
def test_the_last_fragment_has_no_sentinel(writer_client):
    made = _fill_inbox(writer_client.user, 3)
    response = writer_client.get(
        URL, {"inbox": "likes", "before": made[1].pk, "size": 5}, headers={"HX-Request": "true"}
    )
    assert [n.pk for n in response.context["page"].items] == [made[0].pk]
    assert "hx-trigger" not in response.content.decode()


@pytest.mark.django_db
def test_without_javascript_the_older_link_pages_through(writer_client):
    made = _fill_inbox(writer_client.user, 4)
    response = writer_client.get(URL, {"inbox": "likes", "before": made[2].pk, "size": 5})
    assert response.status_code == 200
    assert [n.pk for n in response.context["page"].items] == [made[1].pk, made[0].pk]


@pytest.mark.django_db
def test_garbage_parameters_fall_back_to_the_first_page(writer_client):
    _fill_inbox(writer_client.user, 2)
    response = writer_client.get(URL, {"inbox": "<script>", "before": "abc", "size": "-4"})
    assert response.status_code == 200
    assert response.context["active_tab"]["key"] == Inbox.LIKES
