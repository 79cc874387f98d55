"""The notifications API: an inbox by cursor, the unread counts, marking read."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Comment, Notification
from community.tests.factories import CommentFactory, NoteFactory, NotificationFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def test_anonymous_gets_nothing():
    client = APIClient()
    assert client.get("/api/notifications/").status_code == 403
    assert client.get("/api/notifications/unread/").status_code == 403
    assert client.post("/api/notifications/read/").status_code == 403


def test_list_filters_by_inbox_newest_first_and_shows_what_happened(member_api):
    note = NoteFactory(author=member_api.user, title="Toner")
    like = NotificationFactory(recipient=member_api.user, note=note, actor=UserFactory(nickname="Ann"))
    follow = NotificationFactory(recipient=member_api.user, kind=Kind.FOLLOW)
    NotificationFactory()  # someone else's

    body = member_api.get("/api/notifications/", {"inbox": "likes"}).json()

    assert [r["id"] for r in body["results"]] == [like.pk]
    row = body["results"][0]
    assert row["kind"] == "like_note" and row["text"] == "liked your note" and row["inbox"] == "likes"
    assert row["actor"]["nickname"] == "Ann"
    assert row["note"]["id"] == note.pk and row["note"]["title"] == "Toner"
    assert row["note"]["cover"].startswith("http://testserver/")
    assert row["comment"] is None and row["read"] is False
    everything = member_api.get("/api/notifications/").json()["results"]
    assert [r["id"] for r in everything] == [follow.pk, like.pk]


def test_a_hidden_comment_has_no_body(member_api):
    note = NoteFactory(author=member_api.user)
    comment = CommentFactory(note=note, body="spam", status=Comment.Status.HIDDEN)
    NotificationFactory(recipient=member_api.user, kind=Kind.COMMENT, note=note, comment=comment)
    row = member_api.get("/api/notifications/", {"inbox": "comments"}).json()["results"][0]
    assert row["comment"] == {"id": comment.pk, "body": None, "hidden": True}


def test_unknown_inbox_is_a_400(member_api):
    response = member_api.get("/api/notifications/", {"inbox": "nope"})
    assert response.status_code == 400
    assert "inbox" in response.json()


@pytest.mark.parametrize("size", [2, 7])
def test_list_pages_by_cursor_with_fixed_queries(member_api, size, django_assert_num_queries):
    note = NoteFactory(author=member_api.user)
    made = [NotificationFactory(recipient=member_api.user, note=note) for _ in range(9)]
    expected = [n.pk for n in reversed(made)]

    with django_assert_num_queries(1):  # the page, everything joined (the token user is already known)
        body = member_api.get("/api/notifications/", {"page_size": size}).json()
    seen = [r["id"] for r in body["results"]]
    while body["next"]:
        with django_assert_num_queries(1):
            body = member_api.get(body["next"]).json()
        seen += [r["id"] for r in body["results"]]
    assert seen == expected


def test_reading_the_list_marks_nothing(member_api):
    NotificationFactory(recipient=member_api.user)
    member_api.get("/api/notifications/")
    assert Notification.objects.filter(recipient=member_api.user, read_at=None).count() == 1


def test_unread_counts_per_inbox(member_api, django_assert_num_queries):
    note = NoteFactory(author=member_api.user)
    NotificationFactory.create_batch(2, recipient=member_api.user, note=note)
    NotificationFactory(recipient=member_api.user, kind=Kind.FOLLOW)
    NotificationFactory(recipient=member_api.user, kind=Kind.FOLLOW, read_at="2024-01-01T00:00Z")

    with django_assert_num_queries(1):
        body = member_api.get("/api/notifications/unread/").json()

    assert body == {"likes": 2, "follows": 1, "comments": 0, "notices": 0, "total": 3}


def test_read_one_inbox_up_to_an_id_then_all(member_api):
    note = NoteFactory(author=member_api.user)
    first, second = NotificationFactory.create_batch(2, recipient=member_api.user, note=note)
    NotificationFactory(recipient=member_api.user, kind=Kind.FOLLOW)

    body = member_api.post(
        "/api/notifications/read/", {"inbox": "likes", "up_to": first.pk}, format="json"
    ).json()
    assert body == {
        "marked": 1,
        "unread": {"likes": 1, "follows": 1, "comments": 0, "notices": 0, "total": 2},
    }

    body = member_api.post("/api/notifications/read/", {}, format="json").json()
    assert body["marked"] == 2 and body["unread"]["total"] == 0
    # Idempotent.
    assert member_api.post("/api/notifications/read/", {}, format="json").json()["marked"] == 0


def test_read_refuses_bad_input_and_marks_nothing(member_api):
    NotificationFactory(recipient=member_api.user)
    assert member_api.post("/api/notifications/read/", {"inbox": "x"}, format="json").status_code == 400
    assert member_api.post("/api/notifications/read/", {"up_to": -1}, format="json").status_code == 400
    assert Notification.objects.filter(recipient=member_api.user, read_at=None).count() == 1


def test_marking_read_never_touches_someone_elses(member_api):
    theirs = NotificationFactory()
    member_api.post("/api/notifications/read/", {}, format="json")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_schema_documents_the_endpoints(member_api):
    schema = member_api.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/notifications/", "/api/notifications/unread/", "/api/notifications/read/"} <= set(
        schema["paths"]
    )
