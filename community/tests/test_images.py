"""Photo renditions: made by a real Celery worker from the stored original, WebP at the feed and detail
widths, EXIF gone, the real size stored; the original is never shown."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import UserFactory
from community.models import NoteImage
from community.services.images import image_renditions_make
from community.services.notes import note_create
from community.tests.factories import NoteFactory, pending_image
from tests.support import images as sample
from tests.support.tasks import wait_until

EXIF_ORIENTATION = 0x0112


def _opened(field) -> Image.Image:
    with field.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
    return image


def _sideways_jpeg() -> SimpleUploadedFile:
    """A 400x300 JPEG whose EXIF says 'rotate 90°': people see it 300 wide and 400 high."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 200, 10)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("side.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_webp_renditions_without_exif(celery_worker, client, settings):
    # given a note published with a large photo carrying camera and GPS EXIF, a PNG and a sideways JPEG
    note = note_create(
        author=UserFactory(),
        title="renditions",
        images=[sample.jpeg_with_exif(2000, 1500), sample.png(300, 200), _sideways_jpeg()],
    )
    # when the worker has made every rendition
    assert wait_until(lambda: NoteImage.objects.filter(note=note, state=NoteImage.State.READY).count() == 3)
    big, small, sideways = note.images.order_by("position")

    # then each one is WebP, at most the feed / detail width, without EXIF, with the real size stored
    feed, detail = _opened(big.feed), _opened(big.detail)
    assert (feed.format, feed.size) == ("WEBP", (540, 405))
    assert (detail.format, detail.size) == ("WEBP", (1280, 960))
    for image in (feed, detail, _opened(small.feed), _opened(sideways.detail)):
        assert "exif" not in image.info
        assert len(image.getexif()) == 0
    assert (big.width, big.height) == (540, 405)
    assert (small.width, small.height) == (300, 200)  # never scaled up
    assert _opened(small.detail).size == (300, 200)
    # the sideways photo is turned the way people see it
    assert (sideways.width, sideways.height) == (300, 400)
    assert _opened(sideways.detail).size == (300, 400)
    assert big.feed.name.startswith("notes/feed/") and big.detail.name.startswith("notes/detail/")
    # the originals are kept as received, under names that say nothing
    assert _opened(big.original).getexif().get(0x010F) == "SecretCam"

    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert html.count(f'src="{settings.MEDIA_URL}notes/detail/') == 3
    assert 'data-testid="image-pending"' not in html
    assert "originals" not in html


@pytest.mark.django_db
def test_a_pending_photo_has_the_uploads_shape_until_the_worker_runs(client):
    note = note_create(author=UserFactory(), title="pending", images=[sample.jpeg_with_exif(900, 1200)])
    image = note.images.get()
    assert (image.state, image.width, image.height) == (NoteImage.State.PENDING, 900, 1200)
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert 'data-testid="image-pending"' in html and "aspect-ratio: 900 / 1200" in html
    assert image.original.url not in html


@pytest.mark.django_db
def test_making_renditions_twice_changes_nothing_the_second_time():
    note = note_create(author=UserFactory(), title="twice", images=[sample.png(800, 600)])
    image = note.images.get()
    image_renditions_make(image_id=image.pk)
    image.refresh_from_db()
    first = (image.feed.name, image.detail.name, image.state)
    image_renditions_make(image_id=image.pk)
    image.refresh_from_db()
    assert (image.feed.name, image.detail.name, image.state) == first
    assert first[2] == NoteImage.State.READY


@pytest.mark.django_db
def test_a_deleted_photo_is_skipped():
    waiting = pending_image(NoteFactory(images=0), position=0)
    gone = waiting.pk + 1000

    assert image_renditions_make(image_id=gone) is None  # nothing to do, no error

    waiting.refresh_from_db()
    assert waiting.state == NoteImage.State.PENDING and not waiting.feed and not waiting.detail
    assert NoteImage.objects.count() == 1


@pytest.mark.django_db
def test_an_original_that_cannot_be_read_is_marked_failed_and_the_page_says_so(client):
    note = NoteFactory(images=0)
    image = pending_image(note, position=0)
    note.cover = image
    note.save(update_fields=["cover"])
    image.original.save("broken.bin", ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), save=True)
    image_renditions_make(image_id=image.pk)
    image.refresh_from_db()
    assert image.state == NoteImage.State.FAILED and not image.feed
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert "could not be processed" in html
