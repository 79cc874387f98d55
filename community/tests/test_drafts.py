"""Drafts: saved with their photos and product tags, published later from "Me" (page, API, service);
publishing does what a new note does (topics, mentions and their notification, hot score, search)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Note, NoteImage, NoteProduct, Topic
from community.services.moderation import note_hide, note_restore
from community.services.notes import note_create, note_publish, note_update
from community.tests.support.links import product
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def _uploads(n=2):
    return [image_upload(f"p{i}.jpg", 300 + 10 * i, 400) for i in range(n)]


@pytest.fixture
def friend():
    return UserFactory(username="draftfriend")


def _draft(author, prod, **fields):
    return note_create(
        author=author,
        title="Half-written",
        body="Loving it #drafttopic @draftfriend",
        images=_uploads(),
        products=[{"product": prod.pk}],
        draft=True,
        **fields,
    )


def test_a_draft_keeps_photos_and_tags_and_sets_nothing_off(friend, django_capture_on_commit_callbacks):
    prod, _skus = product("Serum")
    Topic.objects.create(name="drafttopic", note_count=2)
    with django_capture_on_commit_callbacks() as callbacks:
        note = _draft(UserFactory(), prod)
    note.refresh_from_db()
    assert note.status == Note.Status.DRAFT
    assert note.images.count() == 2 and note.cover_id is not None
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", flat=True)) == [prod.pk]
    # no topic, mention, score or search entry yet; only the photos' renditions are made
    assert note.topics.count() == 0
    assert Topic.objects.get(name="drafttopic").note_count == 2
    assert note.mentions.count() == 0
    assert note.search_vector is None
    assert note.hot_score == 0
    assert len(callbacks) == 2


def test_publishing_a_draft_does_what_a_new_note_does(friend, django_capture_on_commit_callbacks):
    prod, _skus = product("Serum")
    Topic.objects.create(name="drafttopic", note_count=2)
    note = _draft(UserFactory(), prod)
    images_before = list(note.images.order_by("position").values_list("pk", flat=True))
    created_before = Note.objects.get(pk=note.pk).created_at
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note_publish(note=note)
    note = Note.objects.get(pk=note.pk)
    assert note.status == Note.Status.PUBLISHED
    assert note.created_at > created_before  # a new note, dated when it went out
    assert list(note.images.order_by("position").values_list("pk", flat=True)) == images_before
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", flat=True)) == [prod.pk]
    assert list(note.topics.values_list("name", flat=True)) == ["drafttopic"]
    assert Topic.objects.get(name="drafttopic").note_count == 3
    assert list(note.mentions.values_list("username", flat=True)) == ["draftfriend"]
    assert note.search_vector is not None
    assert note.hot_score > 0
    assert len(callbacks) == 1  # the mention notification
    # publishing again changes nothing
    note_publish(note=note)
    assert Topic.objects.get(name="drafttopic").note_count == 3


def test_editing_a_draft_keeps_it_a_draft_until_asked(friend):
    prod, _skus = product("Serum")
    note = _draft(UserFactory(), prod)
    note_update(note=note, title="Still writing", body="#drafttopic", products=None)
    note.refresh_from_db()
    assert (note.status, note.title, note.topics.count()) == (Note.Status.DRAFT, "Still writing", 0)
    note_update(note=note, title="Done", body="#drafttopic", products=None, publish=True)
    note.refresh_from_db()
    assert (note.status, note.topics.count()) == (Note.Status.PUBLISHED, 1)
    assert NoteProduct.objects.filter(note=note).count() == 1


def test_moderation_never_publishes_a_draft(friend):
    prod, _skus = product("Serum")
    note = _draft(UserFactory(), prod)
    assert note_hide(note=note, operator=None) is False
    assert note_restore(note=note, operator=None) is False
    assert Note.objects.get(pk=note.pk).status == Note.Status.DRAFT


def test_save_draft_then_publish_from_me_on_the_pages(client, friend):
    writer = UserFactory()
    client.force_login(writer)
    prod, _skus = product("Serum")
    # when the writer saves a draft on the compose page
    response = client.post(
        reverse("community:note_new"),
        {
            "title": "For later",
            "body": "#drafttopic",
            "location": "",
            "visibility": "public",
            "image_order": "",
            "images": _uploads(3),
            "products": [str(prod.pk)],
            "save": "draft",
        },
    )
    # then they land on "Me", where the draft waits
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:me") + "#drafts"
    note = Note.objects.get(author=writer)
    assert note.status == Note.Status.DRAFT
    me = client.get(reverse("accounts:me")).content.decode()
    assert "For later" in me
    edit_url = reverse("community:note_edit", args=[note.pk])
    assert edit_url in me
    # the edit page offers both buttons
    form = client.get(edit_url).content.decode()
    assert 'data-testid="save-draft"' in form and 'data-testid="publish"' in form
    # when they publish from there, photos and tags as saved
    image_ids = list(NoteImage.objects.filter(note=note).order_by("position").values_list("pk", flat=True))
    response = client.post(
        edit_url,
        {
            "title": "For later",
            "body": "#drafttopic",
            "location": "",
            "visibility": "public",
            "image_order": ",".join(map(str, image_ids)),
            "products": [str(prod.pk)],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("community:note", args=[note.pk])
    note.refresh_from_db()
    assert note.status == Note.Status.PUBLISHED
    assert list(note.images.order_by("position").values_list("pk", flat=True)) == image_ids
    assert list(NoteProduct.objects.filter(note=note).values_list("product_id", flat=True)) == [prod.pk]
    # and everybody sees it now
    client.logout()
    assert client.get(reverse("community:note", args=[note.pk])).status_code == 200
    assert "For later" not in client.get(reverse("accounts:me")).content.decode()


def test_publish_button_on_the_drafts_page(client, friend):
    writer = UserFactory()
    prod, _skus = product("Serum")
    note = _draft(writer, prod)
    client.force_login(writer)
    response = client.post(reverse("community:note_publish", args=[note.pk]))
    assert response.status_code == 302
    assert Note.objects.get(pk=note.pk).status == Note.Status.PUBLISHED


def test_drafts_through_the_api(client, friend):
    writer = UserFactory()
    client.force_login(writer)
    response = client.post(
        reverse("api-notes"),
        {"title": "API draft", "images": _uploads(1), "draft": "true"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert [n["id"] for n in client.get(reverse("api-notes"), {"drafts": "1"}).json()["results"]] == [
        body["id"]
    ]
    assert body["id"] not in [n["id"] for n in client.get(reverse("api-notes")).json()["results"]]
    published = client.post(reverse("api-note-publish", args=[body["id"]]))
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert client.get(reverse("api-notes"), {"drafts": "1"}).json()["results"] == []
