"""The compose, edit and note pages as a browser gets them (no JavaScript)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Note, NoteImage, Topic
from community.tests.factories import NoteFactory, TopicFactory, hidden_note, pending_image, private_note
from tests.support import images as hostile
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer_client(client):
    client.user = UserFactory()
    client.force_login(client.user)
    return client


def _post_new(client, **overrides):
    data = {
        "title": "My serum",
        "body": "Works #skincare",
        "location": "",
        "visibility": "public",
        "image_order": "",
        "images": [
            image_upload("a.jpg", 300, 400),
            image_upload("b.png", 310, 400),
            image_upload("c.webp", 320, 400),
        ],
    }
    data.update(overrides)
    return client.post(reverse("community:note_new"), data)


def test_compose_needs_a_login(client):
    response = client.get(reverse("community:note_new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_compose_page_shows_the_form_with_counters_and_suggestions(writer_client):
    response = writer_client.get(reverse("community:note_new"))
    assert response.status_code == 200
    html = response.content.decode()
    for needle in (
        'name="title"',
        'maxlength="20"',
        'name="body"',
        'maxlength="1000"',
        'type="file"',
        "multiple",
        'name="image_order"',
        'name="visibility"',
        "0/20",
        "0/1000",
        "0/18",
        reverse("community:topic_suggest"),
        "css/community-notes.css",
        "js/compose.js",
    ):
        assert needle in html, needle


def test_publishing_redirects_to_the_note_in_the_writers_order(writer_client):
    response = _post_new(writer_client, image_order="new:1,new:2,new:0")
    assert response.status_code == 302
    note = Note.objects.get()
    assert response["Location"] == reverse("community:note", args=[note.pk])
    assert list(note.images.order_by("position").values_list("width", flat=True)) == [310, 320, 300]
    assert list(note.topics.values_list("name", flat=True)) == ["skincare"]


def test_publishing_without_javascript_keeps_file_order(writer_client):
    assert _post_new(writer_client).status_code == 302
    assert list(Note.objects.get().images.order_by("position").values_list("width", flat=True)) == [
        300,
        310,
        320,
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": ""}, "title", "Give your note a title"),
        ({"title": "<script>alert(1)</script>" * 400}, "title", "at most 20"),
        ({"body": "x" * 10_240}, "body", "at most 1000"),
        ({"images": []}, "images", "Add at least one photo"),
        ({"images": [image_upload("p.jpg", 50, 50) for _ in range(19)]}, "images", "at most 18 photos"),
        ({"images": [hostile.not_an_image("evil.jpg")]}, "images", "not an image"),
        ({"images": [hostile.png_bomb()]}, "images", "too many pixels"),
        ({"image_order": "new:0,new:0,new:1"}, "images", "order"),
        ({"visibility": "everyone"}, "visibility", "valid choice"),
    ],
    ids=[
        "no-title",
        "10kb-title",
        "10kb-body",
        "no-photo",
        "19-photos",
        "renamed",
        "png-bomb",
        "bad-order",
        "bad-visibility",
    ],
)
def test_refusals_show_inline_errors_and_store_nothing(writer_client, overrides, field, words):
    response = _post_new(writer_client, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}"' in html
    assert words in html
    assert "<script>alert(1)</script>" not in html
    assert Note.objects.count() == 0 and NoteImage.objects.count() == 0 and Topic.objects.count() == 0


def test_note_page_shows_photos_text_topics_and_author(client):
    author = UserFactory(nickname="小红")
    mentioned = UserFactory(username="lily")
    note = NoteFactory(author=author, images=3, title="面霜测评", body="Love it #护肤 @lily", location="上海")
    note.topics.add(TopicFactory(name="护肤"))
    note.mentions.add(mentioned)
    response = client.get(reverse("community:note", args=[note.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="slide"') == 3
    assert html.count('src="/media/notes/detail/') == 3
    assert "/media/notes/originals/" not in html
    assert "面霜测评" in html and "小红" in html and "上海" in html
    assert 'class="topic-link"' in html
    assert 'class="mention-link"' in html and "@lily" in html
    assert "hx-disable" in html
    assert "js/carousel.js" in html and "css/community-notes.css" in html
    assert 'data-testid="carousel-count"' in html


def test_note_page_escapes_hostile_text(client):
    note = NoteFactory(
        title="<script>alert(1)",
        body='<img src=x onerror=alert(1)> <b hx-get="/api/me/" hx-trigger="load">x</b>',
    )
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'hx-get="/api/me/"' not in html
    content = html.split('data-testid="note-content"')[0].rsplit("<div", 1)[1]
    assert "hx-disable" in content


def test_pending_photos_show_a_placeholder_with_their_shape_never_the_original(client):
    note = NoteFactory(images=0)
    image = pending_image(note, position=0, width=600, height=900)
    note.cover = image
    note.save(update_fields=["cover"])
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert 'data-testid="image-pending"' in html
    assert "aspect-ratio: 600 / 900" in html
    assert image.original.name not in html and image.original.url not in html


@pytest.mark.parametrize("make", [hidden_note, private_note], ids=["hidden", "private"])
def test_hidden_and_private_notes_are_404_for_others_but_shown_to_the_author(client, make):
    note = make()
    assert client.get(reverse("community:note", args=[note.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("community:note", args=[note.pk])).status_code == 404
    client.force_login(note.author)
    response = client.get(reverse("community:note", args=[note.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    if note.status == Note.Status.HIDDEN:
        assert "Hidden by moderation" in html
    else:
        assert "Only you can see this note" in html


def test_under_review_banner_for_the_author(client):
    note = NoteFactory(status=Note.Status.UNDER_REVIEW)
    client.force_login(note.author)
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert 'data-testid="note-banner"' in html and "Under review" in html


def test_missing_note_is_404(client):
    assert client.get(reverse("community:note", args=[999999])).status_code == 404


def test_author_sees_edit_and_delete_others_do_not(client):
    note = NoteFactory()
    client.force_login(note.author)
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert reverse("community:note_edit", args=[note.pk]) in html
    assert reverse("community:note_delete", args=[note.pk]) in html
    client.force_login(UserFactory())
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert reverse("community:note_edit", args=[note.pk]) not in html
    assert reverse("community:note_delete", args=[note.pk]) not in html


def test_edit_page_prefills_and_saves(client):
    note = NoteFactory(images=3, title="old")
    client.force_login(note.author)
    ids = list(note.images.order_by("position").values_list("pk", flat=True))
    page = client.get(reverse("community:note_edit", args=[note.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="old"' in html and f'value="{ids[0]},{ids[1]},{ids[2]}"' in html
    # without JavaScript: tick "remove" on the first photo and add one
    response = client.post(
        reverse("community:note_edit", args=[note.pk]),
        {
            "title": "new",
            "body": "",
            "location": "",
            "visibility": "public",
            "image_order": ",".join(map(str, ids)),
            "remove": [str(ids[0])],
            "images": [image_upload("n.jpg", 333, 444)],
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "new"
    order = list(note.images.order_by("position").values_list("pk", "width"))
    assert [pk for pk, _w in order[:2]] == ids[1:] and order[2][1] == 333
    assert note.cover_id == ids[1]


def test_edit_with_javascript_order(client):
    note = NoteFactory(images=2)
    client.force_login(note.author)
    a, b = note.images.order_by("position").values_list("pk", flat=True)
    response = client.post(
        reverse("community:note_edit", args=[note.pk]),
        {
            "title": "t",
            "visibility": "public",
            "image_order": f"new:0,{b}",
            "images": [image_upload("n.jpg", 111, 222)],
        },
    )
    assert response.status_code == 302
    images = list(note.images.order_by("position"))
    assert images[0].width == 111 and images[1].pk == b and not NoteImage.objects.filter(pk=a).exists()


def test_edit_refusal_changes_nothing(client):
    note = NoteFactory(images=1, title="old")
    client.force_login(note.author)
    response = client.post(
        reverse("community:note_edit", args=[note.pk]), {"title": "x" * 10_240, "visibility": "public"}
    )
    assert response.status_code == 400
    assert "at most 20" in response.content.decode()
    note.refresh_from_db()
    assert note.title == "old"


def test_someone_elses_note_cannot_be_edited_or_deleted(client):
    note = NoteFactory(images=2, title="theirs")
    client.force_login(UserFactory())
    edit = reverse("community:note_edit", args=[note.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"title": "mine now", "visibility": "public"}).status_code == 404
    assert client.post(reverse("community:note_delete", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.title == "theirs" and note.images.count() == 2


def test_delete_is_post_only_and_removes_the_note(client):
    note = NoteFactory()
    client.force_login(note.author)
    url = reverse("community:note_delete", args=[note.pk])
    assert client.get(url).status_code == 405
    assert Note.objects.filter(pk=note.pk).exists()
    assert client.post(url).status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()


def test_topic_suggestions_prefix_most_used_first(client):
    TopicFactory(name="护肤", note_count=5)
    TopicFactory(name="护肤品", note_count=9)
    TopicFactory(name="美妆", note_count=50)
    TopicFactory(name="<b>x</b>", note_count=1)
    html = client.get(reverse("community:topic_suggest"), {"q": "护"}).content.decode()
    assert html.index("#护肤品") < html.index("#护肤<")
    assert "美妆" not in html
    assert "hx-disable" in html and 'data-topic="护肤品"' in html
    everything = client.get(reverse("community:topic_suggest"), {"q": ""}).content.decode()
    assert everything.index("美妆") < everything.index("护肤品")
    assert "&lt;b&gt;x&lt;/b&gt;" in everything and "<b>x</b>" not in everything
    fresh = client.get(reverse("community:topic_suggest"), {"q": "<i>new"}).content.decode()
    assert "New topic" in fresh and "<i>new" not in fresh


def test_opening_a_note_counts_one_view_per_reader_not_the_author(client):
    from community.services.views_count import note_views_pending

    note = NoteFactory()
    client.force_login(note.author)
    client.get(reverse("community:note", args=[note.pk]))
    assert note_views_pending(note_id=note.pk) == 0
    reader = UserFactory()
    client.force_login(reader)
    client.get(reverse("community:note", args=[note.pk]))
    client.get(reverse("community:note", args=[note.pk]))
    assert note_views_pending(note_id=note.pk) == 1
    client.logout()
    client.get(reverse("community:note", args=[note.pk]), REMOTE_ADDR="203.0.113.9")
    assert note_views_pending(note_id=note.pk) == 2
