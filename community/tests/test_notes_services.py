"""Writing notes through the services: validation, order of photos, edits, deletes, hostile input."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from community.models import Note, NoteImage, Topic
from community.services.notes import note_create, note_delete, note_update
from community.tests.factories import NoteFactory, TopicFactory
from tests.support import images as hostile
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def _uploads(*colors, name="p.jpg"):
    return [image_upload(name, width=300 + 10 * i, height=400, color=c) for i, c in enumerate(colors)]


def _nothing_stored(settings):
    assert Note.objects.count() == 0
    assert NoteImage.objects.count() == 0
    originals = settings.MEDIA_ROOT / "notes" / "originals"
    assert not originals.exists() or not any(p.is_file() for p in originals.rglob("*"))


def test_create_stores_the_note_photos_in_order_topics_and_cover(django_capture_on_commit_callbacks):
    # given a writer and three photos
    author = UserFactory()
    TopicFactory(name="护肤", note_count=3)
    # when they publish with a topic in the body
    with django_capture_on_commit_callbacks() as callbacks:
        note = note_create(
            author=author,
            title="  好用的面霜  ",
            body="敏感肌也能用 #护肤 #winter",
            images=_uploads((255, 0, 0), (0, 255, 0), (0, 0, 255)),
            location="Shanghai",
        )
    # then the note, its photos in file order, its topics and one rendition task per photo exist
    note.refresh_from_db()
    assert note.title == "好用的面霜"
    images = list(note.images.order_by("position"))
    assert [i.position for i in images] == [0, 1, 2]
    assert [i.width for i in images] == [300, 310, 320]
    assert all(i.state == NoteImage.State.PENDING for i in images)
    assert all(i.original.name.endswith(".bin") for i in images)
    assert note.cover_id == images[0].pk
    assert sorted(note.topics.values_list("name", flat=True)) == ["winter", "护肤"]
    assert Topic.objects.get(name="护肤").note_count == 4
    assert Topic.objects.get(name="winter").note_count == 1
    # renditions (3) and mention notifications (1) are queued after commit
    assert len(callbacks) == 4


def test_create_applies_the_writers_order():
    author = UserFactory()
    note = note_create(
        author=author, title="order", images=_uploads((1, 1, 1), (2, 2, 2), (3, 3, 3)), image_order=[2, 0, 1]
    )
    widths = list(note.images.order_by("position").values_list("width", flat=True))
    assert widths == [320, 300, 310]
    assert note.cover.width == 320


@pytest.mark.parametrize("order", [[0, 1], [0, 0, 1], [0, 1, 3], ["x", 1, 2], [-1, 0, 1]])
def test_create_refuses_an_order_that_does_not_match_the_photos(order, settings):
    with pytest.raises(ValidationError) as exc:
        note_create(
            author=UserFactory(),
            title="t",
            images=_uploads((1, 1, 1), (2, 2, 2), (3, 3, 3)),
            image_order=order,
        )
    assert "order" in exc.value.message_dict["images"][0]
    _nothing_stored(settings)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": ""}, "title", "title"),
        ({"title": "   "}, "title", "title"),
        ({"title": "x" * 21}, "title", "at most 20"),
        ({"title": "长" * 10_240}, "title", "at most 20"),
        ({"body": "b" * 10_240}, "body", "at most 1000"),
        ({"location": "l" * 61}, "location", "60"),
        ({"visibility": "friends"}, "visibility", "who can see"),
    ],
)
def test_create_refuses_bad_text_and_stores_nothing(fields, field, words, settings):
    data = {"title": "ok", "body": "", "location": "", "visibility": "public", **fields}
    with pytest.raises(ValidationError) as exc:
        note_create(author=UserFactory(), images=_uploads((9, 9, 9)), **data)
    assert words.lower() in " ".join(exc.value.message_dict[field]).lower()
    _nothing_stored(settings)


def test_create_keeps_markup_as_plain_text():
    # Markup is not refused: it is stored as the text it is and escaped wherever it is shown.
    title = "<script>alert(1)</script>"
    body = '<img src=x onerror=alert(1)> <div hx-get="/api/me/" hx-trigger="load">x</div>'
    note = note_create(author=UserFactory(), title=title[:20], body=body, images=_uploads((9, 9, 9)))
    note.refresh_from_db()
    assert note.title == title[:20]
    assert note.body == body


def test_no_photo_is_refused(settings):
    with pytest.raises(ValidationError) as exc:
        note_create(author=UserFactory(), title="t", images=[])
    assert "at least one photo" in exc.value.message_dict["images"][0]
    _nothing_stored(settings)


def test_nineteen_photos_are_refused(settings):
    with pytest.raises(ValidationError) as exc:
        note_create(author=UserFactory(), title="t", images=_uploads(*[(i, i, i) for i in range(19)]))
    assert "at most 18 photos" in exc.value.message_dict["images"][0]
    _nothing_stored(settings)


def test_eighteen_photos_are_taken():
    note = note_create(author=UserFactory(), title="t", images=_uploads(*[(i, i, i) for i in range(18)]))
    assert note.images.count() == 18


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (hostile.not_an_image("evil.jpg"), "not an image"),
        (hostile.png_bomb(), "too many pixels"),
        (hostile.png_bomb(width=8_000, height=6_000), "limit is 40 megapixels"),
        (hostile.oversized(20 * 1024 * 1024), "the limit is 20"),
    ],
    ids=["renamed-non-image", "png-bomb", "too-many-pixels", "too-many-bytes"],
)
def test_hostile_uploads_are_refused_with_a_clear_message(upload, words, settings):
    with pytest.raises(ValidationError) as exc:
        note_create(author=UserFactory(), title="t", images=[*_uploads((9, 9, 9)), upload])
    message = exc.value.message_dict["images"][0]
    assert message.startswith("Photo 2:")
    assert words.lower() in message.lower()
    _nothing_stored(settings)


def test_a_bmp_is_refused():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="BMP")
    with pytest.raises(ValidationError) as exc:
        note_create(author=UserFactory(), title="t", images=[SimpleUploadedFile("a.jpg", buffer.getvalue())])
    assert "JPEG, PNG, WebP or GIF" in exc.value.message_dict["images"][0]


def test_update_edits_text_reorders_removes_and_adds(django_capture_on_commit_callbacks):
    # given a note with three photos and a topic
    note = NoteFactory(images=3, body="#old")
    first, second, third = note.images.order_by("position")
    # when the author keeps the third and first (in that order), adds a new photo between them, drops
    # the second and changes the text
    with django_capture_on_commit_callbacks(execute=True):
        note_update(
            note=note,
            title="new title",
            body="now #new",
            location="Hangzhou",
            visibility="private",
            image_order=[str(third.pk), "new:0", first.pk],
            new_images=_uploads((5, 5, 5)),
        )
    note.refresh_from_db()
    images = list(note.images.order_by("position"))
    assert [i.pk for i in images][0] == third.pk
    assert images[1].pk not in (first.pk, second.pk, third.pk)
    assert images[2].pk == first.pk
    assert [i.position for i in images] == [0, 1, 2]
    assert not NoteImage.objects.filter(pk=second.pk).exists()
    assert note.cover_id == third.pk
    assert (note.title, note.body, note.location, note.visibility) == (
        "new title",
        "now #new",
        "Hangzhou",
        "private",
    )
    assert list(note.topics.values_list("name", flat=True)) == ["new"]
    assert Topic.objects.get(name="new").note_count == 1


def test_update_without_an_order_appends_new_photos():
    note = NoteFactory(images=2)
    kept = list(note.images.order_by("position").values_list("pk", flat=True))
    note_update(note=note, title=note.title, new_images=_uploads((1, 2, 3)))
    ids = list(note.images.order_by("position").values_list("pk", flat=True))
    assert ids[:2] == kept and len(ids) == 3


def test_update_can_make_a_new_photo_the_cover():
    note = NoteFactory(images=1)
    old = note.images.get()
    note_update(note=note, title="t", image_order=["new:0"], new_images=_uploads((1, 2, 3)))
    note.refresh_from_db()
    assert not NoteImage.objects.filter(pk=old.pk).exists()
    assert note.cover.original.name.endswith(".bin") and note.cover.pk != old.pk


@pytest.mark.parametrize(
    "order_of",
    [
        lambda mine, other: [mine[0], mine[0]],
        lambda mine, other: [mine[0], other],  # a photo of someone else's note
        lambda mine, other: [mine[0], "new:3"],
        lambda mine, other: [mine[0], "drop table"],
    ],
    ids=["twice", "foreign-photo", "unknown-upload", "garbage"],
)
def test_update_refuses_bad_orders_and_changes_nothing(order_of):
    note = NoteFactory(images=2, title="before")
    other = NoteFactory(images=1).images.get().pk
    mine = list(note.images.order_by("position").values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        note_update(
            note=note, title="after", image_order=order_of(mine, other), new_images=_uploads((1, 1, 1))
        )
    note.refresh_from_db()
    assert note.title == "before"
    assert list(note.images.order_by("position").values_list("pk", flat=True)) == mine
    assert NoteImage.objects.count() == 3


def test_update_refuses_removing_every_photo():
    note = NoteFactory(images=2)
    with pytest.raises(ValidationError) as exc:
        note_update(note=note, title="t", image_order=[])
    assert "at least one photo" in exc.value.message_dict["images"][0]
    assert note.images.count() == 2


def test_update_refuses_going_over_eighteen():
    note = NoteFactory(images=17)
    with pytest.raises(ValidationError) as exc:
        note_update(note=note, title="t", new_images=_uploads((1, 1, 1), (2, 2, 2)))
    assert "would have 19" in exc.value.message_dict["images"][0]
    assert note.images.count() == 17


def test_delete_removes_the_note_its_photos_and_files(django_capture_on_commit_callbacks, settings):
    topic = TopicFactory(name="gone", note_count=1)
    note = NoteFactory(images=2)
    note.topics.add(topic)
    paths = [settings.MEDIA_ROOT / i.original.name for i in note.images.all()]
    assert all(p.exists() for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        note_delete(note=note)
    assert not Note.objects.filter(pk=note.pk).exists()
    assert NoteImage.objects.count() == 0
    assert not any(p.exists() for p in paths)
    topic.refresh_from_db()
    assert topic.note_count == 0
