"""Every list in the community API pages with a signed keyset cursor (core/keyset.py): a forged,
tampered or foreign cursor is the same clear 400 everywhere, never a 404 or a 500."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.tests.factories import BoardFactory, CommentFactory, NoteFactory, TopicFactory
from core.keyset import cursor_encode
from mall.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/notes/",
    "/api/notifications/",
    "/api/feed/",
    "/api/feed/following/",
    "/api/topics/{topic}/notes/",
    "/api/notes/{note}/comments/",
    "/api/comments/{comment}/replies/",
    "/api/boards/",
    "/api/boards/{board}/notes/",
    "/api/users/{user}/notes/",
    "/api/users/{user}/collects/",
    "/api/users/{user}/likes/",
    "/api/users/{user}/followers/",
    "/api/users/{user}/following/",
    "/api/products/{product}/notes/",
    "/api/search/notes/?q=面霜",
    "/api/search/notes/?q=面霜&sort=liked",
    "/api/search/users/?q=lily",
    "/api/search/topics/?q=防晒",
]


def _get(world, url: str, **params):
    path, _, query = url.format(**{k: v for k, v in world.items() if k != "client"}).partition("?")
    return world["client"].get(path, {**QueryDict(query).dict(), **params})


def _forged() -> str:
    return "garbage!"


def _tampered() -> str:
    """A cursor of the notes list with one character of its payload changed: the signature fails."""
    signed = cursor_encode([12345], salt="api:/api/notes/")
    return ("A" if signed[0] != "A" else "B") + signed[1:]


def _foreign() -> str:
    """A genuine cursor, signed for another list."""
    return cursor_encode([1], salt="community.some.other.list")


@pytest.fixture
def world():
    reader = UserFactory(username="lily")
    note = NoteFactory(author=reader)
    return {
        "client": _client(reader),
        "user": reader.pk,
        "note": note.pk,
        "comment": CommentFactory(note=note).pk,
        "board": BoardFactory(owner=reader).pk,
        "topic": TopicFactory(name="防晒").name,
        "product": ProductFactory().pk,
    }


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("make_cursor", [_forged, _tampered, _foreign], ids=["forged", "tampered", "foreign"])
@pytest.mark.parametrize("url", LISTS)
def test_a_bad_cursor_is_the_same_clear_400_on_every_list(world, url, make_cursor):
    response = _get(world, url, cursor=make_cursor())

    assert response.status_code == 400, (url, response.status_code, response.content[:200])
    body = response.json()
    assert body["code"] == "bad_cursor" and body["detail"]


def test_the_first_page_of_every_list_answers_next_and_results(world):
    for url in LISTS:
        body = _get(world, url).json()
        assert {"next", "next_cursor", "results"} <= set(body), url
