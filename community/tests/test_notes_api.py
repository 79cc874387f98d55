"""The notes API: publish (multipart), read, edit, delete, list, topic suggestions, the schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from community.models import Note, NoteImage
from community.tests.factories import NoteFactory, TopicFactory, hidden_note, private_note
from tests.support import images as hostile
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def _photos(n=3):
    return [image_upload("p.jpg", 300 + 10 * i, 400) for i in range(n)]


def test_publish_with_photos_in_the_chosen_order(member_api):
    response = member_api.post(
        "/api/notes/",
        {"title": "API note", "body": "hello #api", "images": _photos(), "image_order": ["2", "0", "1"]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["title"] == "API note" and data["topics"] == ["api"]
    assert [i["width"] for i in data["images"]] == [320, 300, 310]
    assert all(i["state"] == "pending" and i["feed"] is None and i["detail"] is None for i in data["images"])
    assert data["author"]["id"] == member_api.user.pk
    assert "original" not in str(data)


def test_publish_needs_a_login():
    response = APIClient().post("/api/notes/", {"title": "x", "images": _photos(1)}, format="multipart")
    assert response.status_code == 403
    assert Note.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"title": "t" * 10_240}, "title", "at most 20"),
        ({"body": "<script>" * 1300}, "body", "at most 1000"),
        ({"images": []}, "images", "at least one photo"),
        ({"images": _photos(19)}, "images", "at most 18"),
        ({"images": [hostile.not_an_image()]}, "images", "not an image"),
        ({"images": [hostile.png_bomb()]}, "images", "too many pixels"),
        ({"image_order": ["0", "0", "1"]}, "images", "order"),
    ],
    ids=["10kb-title", "10kb-body", "no-photo", "19-photos", "renamed", "png-bomb", "bad-order"],
)
def test_publish_refusals_are_400_with_a_message_and_store_nothing(member_api, payload, field, words):
    data = {"title": "ok", "images": _photos(), **payload}
    response = member_api.post("/api/notes/", data, format="multipart")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert Note.objects.count() == 0 and NoteImage.objects.count() == 0


def test_read_one_note_with_topics_and_viewer_flags(member_api):
    note = NoteFactory(images=2)
    note.topics.add(TopicFactory(name="x"))
    data = member_api.get(f"/api/notes/{note.pk}/").json()
    assert data["id"] == note.pk and data["topics"] == ["x"]
    assert [i["position"] for i in data["images"]] == [0, 1]
    assert data["images"][0]["detail"].startswith("http://testserver/media/notes/detail")
    assert data["liked"] is False and data["collected"] is False


@pytest.mark.parametrize("make", [hidden_note, private_note], ids=["hidden", "private"])
def test_hidden_and_private_notes_are_404_to_others(member_api, make):
    note = make()
    assert member_api.get(f"/api/notes/{note.pk}/").status_code == 404
    assert APIClient().get(f"/api/notes/{note.pk}/").status_code == 404
    owner = APIClient()
    owner.force_authenticate(note.author)
    assert owner.get(f"/api/notes/{note.pk}/").status_code == 200


def test_list_shows_what_the_viewer_may_see_newest_first(member_api):
    public = NoteFactory()
    NoteFactory(visibility=Note.Visibility.PRIVATE)
    mine_private = NoteFactory(author=member_api.user, visibility=Note.Visibility.PRIVATE)
    hidden_note()
    ids = [n["id"] for n in member_api.get("/api/notes/").json()["results"]]
    assert ids == [mine_private.pk, public.pk]
    ids = [n["id"] for n in APIClient().get("/api/notes/", {"author": public.author_id}).json()["results"]]
    assert ids == [public.pk]


def test_list_pages_with_a_cursor(member_api, django_assert_num_queries):
    for _ in range(5):
        NoteFactory()
    first = APIClient().get("/api/notes/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    second = APIClient().get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {n["id"] for n in first["results"]} & {n["id"] for n in second["results"]}


@pytest.mark.parametrize("size", [2, 12])
def test_list_query_count_is_constant(size, django_assert_num_queries):
    for _ in range(size):
        NoteFactory()
    with django_assert_num_queries(1):
        assert len(APIClient().get("/api/notes/", {"page_size": 20}).json()["results"]) == size


def test_patch_edits_text_and_reorders_removes_adds(member_api):
    note = NoteFactory(author=member_api.user, images=3, title="old")
    a, b, c = note.images.order_by("position").values_list("pk", flat=True)
    response = member_api.patch(
        f"/api/notes/{note.pk}/",
        {"title": "new", "image_order": [str(c), "new:0", str(a)], "new_images": _photos(1)},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["title"] == "new" and data["body"] == note.body
    assert [i["id"] for i in data["images"]][0] == c and data["images"][2]["id"] == a
    assert b not in [i["id"] for i in data["images"]]


def test_patch_json_changes_only_what_is_sent(member_api):
    note = NoteFactory(author=member_api.user, images=2, title="keep", body="body")
    response = member_api.patch(f"/api/notes/{note.pk}/", {"visibility": "private"}, format="json")
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.title, note.body, note.visibility, note.images.count()) == ("keep", "body", "private", 2)


def test_someone_elses_note_is_404_for_patch_and_delete_and_unchanged(member_api):
    note = NoteFactory(images=2, title="theirs")
    assert member_api.patch(f"/api/notes/{note.pk}/", {"title": "mine"}, format="json").status_code == 404
    assert member_api.delete(f"/api/notes/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert note.title == "theirs" and note.images.count() == 2


def test_patch_refusal_changes_nothing(member_api):
    note = NoteFactory(author=member_api.user, images=1, title="old")
    response = member_api.patch(f"/api/notes/{note.pk}/", {"title": "x" * 10_240}, format="json")
    assert response.status_code == 400 and "at most 20" in response.json()["title"][0]
    note.refresh_from_db()
    assert note.title == "old"


def test_delete_my_note(member_api):
    note = NoteFactory(author=member_api.user)
    assert member_api.delete(f"/api/notes/{note.pk}/").status_code == 204
    assert not Note.objects.filter(pk=note.pk).exists()


def test_topic_suggest_api(member_api):
    TopicFactory(name="coffee", note_count=2)
    TopicFactory(name="cocoa", note_count=7)
    TopicFactory(name="tea", note_count=99)
    data = APIClient().get("/api/topics/suggest/", {"q": "co"}).json()
    assert data == [{"name": "cocoa", "note_count": 7}, {"name": "coffee", "note_count": 2}]


def test_schema_documents_the_notes_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for needle in (
        "/api/notes/",
        "/api/notes/{note_id}/",
        "/api/topics/suggest/",
        "image_order",
        "multipart/form-data",
    ):
        assert needle in schema, needle
