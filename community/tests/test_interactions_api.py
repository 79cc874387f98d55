"""The interactions and comments API: idempotent POST/DELETE, other people's things are 404s, cursors,
query counts, and every route in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Comment, CommentLike, Follow, Like, Note
from community.services.comments import comment_create
from community.services.interactions import board_create, note_collect
from community.tests.factories import BoardFactory, NoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(api):
    user = UserFactory()
    api.force_authenticate(user)
    return user


@pytest.fixture
def note():
    return NoteFactory(images=0)


def test_every_route_is_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    assert set(paths["/api/notes/{note_id}/like/"]) >= {"post", "delete"}
    assert set(paths["/api/notes/{note_id}/collect/"]) >= {"post", "delete"}
    assert set(paths["/api/users/{user_id}/follow/"]) >= {"post", "delete"}
    assert set(paths["/api/boards/"]) >= {"get", "post"}
    assert set(paths["/api/boards/{board_id}/"]) >= {"get", "patch", "delete"}
    assert set(paths["/api/notes/{note_id}/comments/"]) >= {"get", "post"}
    assert "get" in paths["/api/comments/{comment_id}/replies/"]
    assert set(paths["/api/comments/{comment_id}/like/"]) >= {"post", "delete"}
    assert "delete" in paths["/api/comments/{comment_id}/"]


# --- likes, collects, follows ----------------------------------------------------------------------------


def test_like_and_unlike_are_idempotent(api, reader, note):
    url = reverse("api-note-like", args=[note.pk])

    assert api.post(url).json() == {"liked": True, "like_count": 1}
    assert api.post(url).json() == {"liked": True, "like_count": 1}
    for _again in range(2):  # a DELETE answers 204 without a body, as the schema says, every time
        response = api.delete(url)
        assert response.status_code == 204 and response.content == b""
    assert not Like.objects.exists()
    note.refresh_from_db()
    assert note.like_count == 0


def test_anonymous_writes_are_refused(api, note):
    assert api.post(reverse("api-note-like", args=[note.pk])).status_code == 403
    assert not Like.objects.exists()


def test_a_private_note_of_someone_else_is_a_404(api, reader):
    private = NoteFactory(images=0, visibility=Note.Visibility.PRIVATE)

    assert api.post(reverse("api-note-like", args=[private.pk])).status_code == 404
    assert api.post(reverse("api-note-collect", args=[private.pk])).status_code == 404
    assert not Like.objects.exists() and not Collect.objects.exists()


def test_collect_into_the_default_board_then_move_it_then_remove_it(api, reader, note):
    url = reverse("api-note-collect", args=[note.pk])
    travel = board_create(owner=reader, name="Travel")

    first = api.post(url, {}, format="json").json()
    moved = api.post(url, {"board_id": travel.pk}, format="json").json()
    removed = api.delete(url)

    default = Board.objects.get(owner=reader, is_default=True)
    assert first == {"collected": True, "collect_count": 1, "board_id": default.pk}
    assert moved == {"collected": True, "collect_count": 1, "board_id": travel.pk}
    assert removed.status_code == 204 and removed.content == b""
    assert not Collect.objects.exists()


def test_collecting_into_someone_elses_board_is_a_404_and_stores_nothing(api, reader, note):
    theirs = BoardFactory()

    response = api.post(reverse("api-note-collect", args=[note.pk]), {"board_id": theirs.pk}, format="json")

    assert response.status_code == 404
    assert not Collect.objects.exists()


def test_follow_and_unfollow(api, reader):
    writer = UserFactory()
    url = reverse("api-user-follow", args=[writer.pk])

    assert api.post(url).json() == {"following": True, "follower_count": 1}
    assert api.post(url).json() == {"following": True, "follower_count": 1}
    removed = api.delete(url)
    assert removed.status_code == 204 and removed.content == b""
    assert not Follow.objects.exists()


def test_following_yourself_is_a_400_with_a_message(api, reader):
    response = api.post(reverse("api-user-follow", args=[reader.pk]))

    assert response.status_code == 400 and response.json()["detail"]
    assert not Follow.objects.exists()


# --- boards ----------------------------------------------------------------------------------------------


def test_boards_list_create_edit_delete(api, reader, note):
    created = api.post(reverse("api-boards"), {"name": "Skincare", "is_private": True}, format="json")
    assert created.status_code == 201
    board_id = created.json()["id"]
    note_collect(user=reader, note=note, board=Board.objects.get(pk=board_id))

    listed = api.get(reverse("api-boards")).json()
    patched = api.patch(reverse("api-board", args=[board_id]), {"name": "Skin"}, format="json").json()
    deleted = api.delete(reverse("api-board", args=[board_id]))

    assert [b["name"] for b in listed["results"]] == ["Default", "Skincare"]
    assert patched["name"] == "Skin" and patched["is_private"] is True
    assert deleted.status_code == 204
    assert Collect.objects.get(user=reader).board.is_default


def test_boards_page_with_a_cursor(api, reader):
    for i in range(5):
        board_create(owner=reader, name=f"Board {i}")

    first = api.get(reverse("api-boards"), {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    names = [b["name"] for b in first["results"] + second["results"]]
    assert names == ["Default"] + [f"Board {i}" for i in range(5)]
    assert second["next"] is None


def test_a_duplicate_board_name_is_a_409_and_a_long_one_a_400(api, reader):
    board_create(owner=reader, name="Trips")

    assert api.post(reverse("api-boards"), {"name": "Trips"}, format="json").status_code == 409
    assert api.post(reverse("api-boards"), {"name": "x" * 31}, format="json").status_code == 400
    assert Board.objects.filter(owner=reader).count() == 1


def test_someone_elses_board_is_a_404_for_every_method(api, reader):
    theirs = BoardFactory(name="Theirs")
    url = reverse("api-board", args=[theirs.pk])

    assert api.get(url).status_code == 404
    assert api.patch(url, {"name": "Mine"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    assert Board.objects.get(pk=theirs.pk).name == "Theirs"


def test_the_default_board_cannot_be_deleted(api, reader, note):
    note_collect(user=reader, note=note)
    default = Board.objects.get(owner=reader, is_default=True)

    assert api.delete(reverse("api-board", args=[default.pk])).status_code == 400
    assert Board.objects.filter(pk=default.pk).exists()


# --- comments --------------------------------------------------------------------------------------------


def test_comment_and_reply(api, reader, note):
    url = reverse("api-note-comments", args=[note.pk])

    top = api.post(url, {"body": "<b>Great</b>"}, format="json")
    reply = api.post(url, {"body": "Agreed", "reply_to": top.json()["id"]}, format="json")

    assert top.status_code == reply.status_code == 201
    assert top.json()["body"] == "<b>Great</b>"  # plain text: clients escape it
    assert reply.json()["parent_id"] == top.json()["id"]
    listed = api.get(url).json()
    assert [c["id"] for c in listed["results"]] == [top.json()["id"]]
    assert [r["body"] for r in listed["results"][0]["first_replies"]] == ["Agreed"]


@pytest.mark.parametrize("body", ["", "x" * 501, "x" * 10_240])
def test_empty_and_oversized_comments_are_400_and_nothing_is_stored(api, reader, note, body):
    response = api.post(reverse("api-note-comments", args=[note.pk]), {"body": body}, format="json")

    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize("threads", [3, 12])
def test_the_comments_page_takes_a_fixed_number_of_queries(
    api, reader, note, threads, django_assert_num_queries
):
    for i in range(threads):
        top = comment_create(author=UserFactory(), note=note, body=f"comment {i}")
        for j in range(3):
            comment_create(author=UserFactory(), note=note, body=f"reply {j}", reply_to=top)

    # the note, the comments, their first replies, my comment likes
    with django_assert_num_queries(4):
        response = api.get(reverse("api-note-comments", args=[note.pk]), {"page_size": threads})

    assert len(response.json()["results"]) == threads


def test_comments_and_replies_page_with_cursors(api, note):
    thread = comment_create(author=UserFactory(), note=note, body="Q")
    for i in range(5):
        comment_create(author=UserFactory(), note=note, body=f"r{i}", reply_to=thread)
    for i in range(4):
        comment_create(author=UserFactory(), note=note, body=f"c{i}")

    first = api.get(reverse("api-note-comments", args=[note.pk]), {"page_size": 3}).json()
    second = api.get(first["next"]).json()
    replies = api.get(
        reverse("api-comment-replies", args=[thread.pk]), {"cursor": first["results"][0]["replies_cursor"]}
    ).json()

    assert len(first["results"]) + len(second["results"]) == 5
    assert [r["body"] for r in replies["results"]] == ["r2", "r3", "r4"]


def test_comment_like_and_delete(api, reader, note):
    comment = comment_create(author=reader, note=note, body="mine")
    like_url = reverse("api-comment-like", args=[comment.pk])

    assert api.post(like_url).json() == {"liked": True, "like_count": 1}
    unliked = api.delete(like_url)
    assert unliked.status_code == 204 and unliked.content == b""
    assert not CommentLike.objects.exists()
    assert api.delete(reverse("api-comment", args=[comment.pk])).status_code == 204
    assert not Comment.objects.exists() and not CommentLike.objects.exists()
    assert Note.objects.get(pk=note.pk).comment_count == 0


def test_someone_elses_comment_delete_is_a_404_and_nothing_changes(api, reader, note):
    comment = comment_create(author=UserFactory(), note=note, body="theirs")

    assert api.delete(reverse("api-comment", args=[comment.pk])).status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert Note.objects.get(pk=note.pk).comment_count == 1
