"""Feeds and profiles API: shapes, cursors followed to the end, privacy answers, fixed query counts."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from community.models import Board, Note
from community.tests.factories import FeedNoteFactory, collect, follow, like

pytestmark = pytest.mark.django_db


def walk(api, url: str, **params) -> list[dict]:
    """Every result, following ``next`` to the end."""
    results = []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        results += response.json()["results"]
        if not response.json()["next"]:
            return results
        response = api.get(response.json()["next"])


def test_discover_feed_cards_and_cursor(api):
    writer = UserFactory(nickname="Lily")
    notes = [FeedNoteFactory(author=writer, hot_score=s) for s in (1, 3, 3, 2, 0.5)]
    FeedNoteFactory(visibility=Note.Visibility.PRIVATE, hot_score=9)

    first = api.get("/api/feed/", {"page_size": 2}).json()
    every = walk(api, "/api/feed/", page_size=2)

    card = first["results"][0]
    assert set(card) >= {"id", "title", "author", "cover", "like_count", "liked", "collected", "created_at"}
    assert card["author"]["nickname"] == "Lily"
    assert card["cover"]["width"] == 540 and card["cover"]["url"].startswith("http")
    assert first["next_cursor"] and "cursor=" in first["next"]
    expected = sorted(notes, key=lambda n: (-n.hot_score, -n.pk))
    assert [c["id"] for c in every] == [n.pk for n in expected]


def test_liked_and_collected_flags_follow_the_viewer(api):
    reader = UserFactory()
    liked, collected = FeedNoteFactory.create_batch(2)
    like(reader, liked)
    collect(reader, collected)
    api.force_authenticate(reader)

    cards = {c["id"]: c for c in api.get("/api/feed/").json()["results"]}

    assert cards[liked.pk]["liked"] and not cards[liked.pk]["collected"]
    assert cards[collected.pk]["collected"] and not cards[collected.pk]["liked"]


def test_a_bad_cursor_is_a_400_with_a_message(api):
    response = api.get("/api/feed/", {"cursor": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_cursor"


def test_following_feed_needs_a_login_and_lists_followees(api):
    reader, writer = UserFactory.create_batch(2)
    follow(reader, writer)
    notes = FeedNoteFactory.create_batch(3, author=writer)
    FeedNoteFactory()

    assert api.get("/api/feed/following/").status_code == 403
    api.force_authenticate(reader)
    assert [c["id"] for c in walk(api, "/api/feed/following/", page_size=2)] == [
        n.pk for n in reversed(notes)
    ]


def test_topic_notes(api):
    notes = FeedNoteFactory.create_batch(3, topics=["种草"])
    FeedNoteFactory(topics=["other"])

    response = api.get("/api/topics/种草/notes/", {"sort": "new"})

    assert response.json()["topic"]["name"] == "种草"
    assert [c["id"] for c in response.json()["results"]] == [n.pk for n in reversed(notes)]
    assert api.get("/api/topics/none/notes/").status_code == 404
    assert api.get("/api/topics/种草/notes/", {"sort": "worst"}).status_code == 400


def test_profile_with_counts(api):
    writer, fan = UserFactory.create_batch(2)
    follow(fan, writer)
    note = FeedNoteFactory(author=writer)
    Note.objects.filter(pk=note.pk).update(like_count=5, collect_count=2)
    api.force_authenticate(fan)

    data = api.get(f"/api/users/{writer.pk}/").json()

    assert data["follower_count"] == 1 and data["following_count"] == 0
    assert data["likes_and_collects_count"] == 7
    assert data["is_following"] is True
    assert api.get("/api/users/999999/").status_code == 404


def test_profile_lists_respect_privacy(api):
    owner, visitor = UserFactory.create_batch(2)
    public, private = FeedNoteFactory(author=owner), FeedNoteFactory(author=owner, visibility="private")
    other = FeedNoteFactory()
    like(owner, other)
    board = Board.objects.create(owner=owner, name="Secret", is_private=True)
    collect(owner, other, board)

    api.force_authenticate(visitor)
    assert [c["id"] for c in api.get(f"/api/users/{owner.pk}/notes/").json()["results"]] == [public.pk]
    assert api.get(f"/api/users/{owner.pk}/collects/").json()["results"] == []  # only a private board
    assert api.get(f"/api/users/{owner.pk}/boards/").json() == []
    assert api.get(f"/api/boards/{board.pk}/notes/").status_code == 404
    assert [c["id"] for c in api.get(f"/api/users/{owner.pk}/likes/").json()["results"]] == [other.pk]

    owner.likes_private = owner.collects_private = True
    owner.save(update_fields=["likes_private", "collects_private"])
    for kind in ("likes", "collects", "boards"):
        response = api.get(f"/api/users/{owner.pk}/{kind}/")
        assert response.status_code == 403 and response.json()["code"] == "private"

    api.force_authenticate(owner)
    mine = api.get(f"/api/users/{owner.pk}/notes/").json()["results"]
    assert [(c["id"], c["visibility"]) for c in mine] == [(private.pk, "private"), (public.pk, "public")]
    assert [c["id"] for c in api.get(f"/api/users/{owner.pk}/collects/").json()["results"]] == [other.pk]
    board_page = api.get(f"/api/boards/{board.pk}/notes/").json()
    assert board_page["board"]["name"] == "Secret" and [c["id"] for c in board_page["results"]] == [other.pk]


def test_follower_lists(api):
    star, viewer = UserFactory.create_batch(2)
    fans = UserFactory.create_batch(5)
    for fan in fans:
        follow(fan, star)
    follow(viewer, fans[0])
    api.force_authenticate(viewer)

    people = walk(api, f"/api/users/{star.pk}/followers/", page_size=2)

    assert [p["id"] for p in people] == [f.pk for f in reversed(fans)]
    assert [p["is_following"] for p in people] == [False, False, False, False, True]
    assert [p["id"] for p in api.get(f"/api/users/{fans[0].pk}/following/").json()["results"]] == [star.pk]


def test_the_schema_documents_the_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/feed/",
        "/api/feed/following/",
        "/api/topics/{name}/notes/",
        "/api/users/{user_id}/",
        "/api/users/{user_id}/notes/",
        "/api/users/{user_id}/collects/",
        "/api/users/{user_id}/likes/",
        "/api/users/{user_id}/followers/",
        "/api/users/{user_id}/following/",
        "/api/boards/{board_id}/notes/",
    ):
        assert path in paths, path
    assert "FeedPage" in schema["components"]["schemas"]


@pytest.mark.parametrize("size", [3, 12])
def test_api_lists_run_a_fixed_number_of_queries(api, django_assert_num_queries, size):
    owner, viewer = UserFactory.create_batch(2)
    board = Board.objects.create(owner=owner, name="Picks")
    for i in range(size + 1):
        note = FeedNoteFactory(topics=["种草"], **({"author": owner} if i % 2 else {}))
        like(owner, note)
        collect(owner, note, board)
        follow(UserFactory(), owner)
    follow(viewer, owner)
    api.force_authenticate(viewer)
    # Token/session auth is forced, so only the list's own queries are counted.
    expected = {
        "/api/feed/": 2,  # notes, viewer state
        "/api/feed/following/": 2,
        "/api/topics/种草/notes/": 3,  # + the topic
        f"/api/users/{owner.pk}/": 1,
        f"/api/users/{owner.pk}/notes/": 3,  # + the profile
        f"/api/users/{owner.pk}/collects/": 3,
        f"/api/users/{owner.pk}/likes/": 3,
        f"/api/users/{owner.pk}/followers/": 3,  # profile, people, whom the viewer follows
        f"/api/users/{owner.pk}/following/": 2,  # nobody: no follow check
        f"/api/boards/{board.pk}/notes/": 3,  # board, notes, viewer state
    }
    for url, queries in expected.items():
        with django_assert_num_queries(queries):
            response = api.get(url, {"page_size": size})
        assert response.status_code == 200, url
