"""The upload defects found by an outside run, each through the doors it was found at: note photos the API
took without decoding them, product photos stored as uploaded, absurd shapes taken everywhere."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note, NoteImage
from community.tests.factories import NoteFactory
from mall.models import ProductImage
from mall.tests.factories import BrandFactory
from tests.support import hostile_images as hostile
from tests.support import images as sample
from tests.support.admin import change_form_post
from tests.support.upload_doors import DOORS, ProductAdmin

pytestmark = pytest.mark.django_db


def _jpeg(width=800, height=600, **save) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def _broken_png() -> bytes:
    """A PNG whose pixel data was damaged in transit (one byte of the compressed rows changed)."""
    data = bytearray(sample.image_bytes(300, 200, (10, 120, 200), "PNG"))
    data[data.index(b"IDAT") + 40] ^= 0x55
    return bytes(data)


UNDECODABLE = {
    "truncated.jpg": _jpeg()[:2500],  # the header is whole: only decoding finds the missing rows
    "broken.png": _broken_png(),
}


@pytest.mark.parametrize("door", ["note-form", "notes-api"])
@pytest.mark.parametrize("name", list(UNDECODABLE))
def test_a_note_photo_that_does_not_decode_is_refused_before_anything_is_stored(door, name, client, settings):
    entry = DOORS[door](client)
    outcome, _stored, text = entry.send(name, UNDECODABLE[name])

    assert outcome == "refused"  # the API answered 201 and left a published note the worker then failed
    assert "Photo 1: This image is damaged and cannot be read." in text
    assert Note.objects.count() == 0 and NoteImage.objects.count() == 0
    originals = settings.MEDIA_ROOT / "notes" / "originals"
    assert not originals.exists() or not any(p.is_file() for p in originals.rglob("*"))


@pytest.mark.parametrize("door", ["note-form", "notes-api"])
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_large_note_photo_is_checked_then_stored_whole(door, fmt, client):
    """Decoded at upload and reduced right after: the upload itself stays open and is stored as sent."""
    photo = sample.image_bytes(2_700, 2_600, (200, 80, 40), fmt)
    outcome, stored, _text = DOORS[door](client).send(f"big.{fmt.lower()}", photo)
    assert outcome == "accepted"
    image = NoteImage.objects.get()
    with image.original.open("rb") as fh:
        assert fh.read() == photo
    assert [Image.open(io.BytesIO(data)).size for _name, data in stored] == [(540, 520), (1280, 1233)]


def test_a_note_edit_refuses_a_new_photo_that_does_not_decode():
    note = NoteFactory()
    api = APIClient()
    api.force_authenticate(note.author)
    upload = {"new_images": [SimpleUploadedFile("t.jpg", UNDECODABLE["truncated.jpg"])]}
    response = api.patch(f"/api/notes/{note.pk}/", upload, format="multipart")
    assert response.status_code == 400
    assert response.json()["images"] == ["Photo 1: This image is damaged and cannot be read."]
    assert note.images.count() == 1


@pytest.mark.parametrize("door", list(DOORS))
def test_a_100000_by_1_png_is_refused_everywhere_with_its_size(door, client, admin_client):
    entry = DOORS[door](admin_client if door == "product-admin" else client)
    strip = sample.image_bytes(100_000, 1, 0, "PNG", mode="L")

    outcome, _stored, text = entry.send("strip.png", strip)

    assert outcome == "refused"
    assert "The image is 100000×1 pixels; its sides can be at most 16000 pixels long." in text


@pytest.mark.parametrize("door", list(DOORS))
def test_a_long_thin_picture_is_refused_with_the_shape_allowed(door, client, admin_client):
    entry = DOORS[door](admin_client if door == "product-admin" else client)
    outcome, _stored, text = entry.send("banner.jpg", _jpeg(1300, 100))
    assert outcome == "refused"
    assert (
        "The image is 1300×100 pixels: too long and thin. One side can be at most 12 times the other" in text
    )
    # 12:1, a long phone screenshot's shape, is taken
    assert entry.send("screenshot.jpg", _jpeg(100, 1200))[0] == "accepted"


def test_admin_product_photos_are_stored_re_encoded_not_as_uploaded(admin_client, client):
    entry = ProductAdmin(admin_client)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 1.0)}
    upload = _jpeg(2000, 1500, exif=exif) + hostile.PAYLOADS[0]  # GPS EXIF and a script after the JPEG

    outcome, stored, _text = entry.send("warehouse-31N-121E.jpg", upload)

    assert outcome == "accepted"
    ((name, data),) = stored
    assert hostile.reencoded_problems(data, name) == []  # WebP, pixels only, nothing after, random name
    assert name.startswith("products/") and "warehouse" not in name
    image = ProductImage.objects.get(product=entry.product)
    assert (image.width, image.height) == (1280, 960) == Image.open(io.BytesIO(data)).size
    html = client.get(reverse("mall:product", args=[entry.product.slug])).content.decode()
    assert f'src="{image.image.url}"' in html and 'width="1280" height="960"' in html


def test_a_sideways_product_photo_is_stored_upright(admin_client):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90°: people see it 300 wide and 400 high
    outcome, stored, _text = ProductAdmin(admin_client).send("side.jpg", _jpeg(400, 300, exif=exif))
    assert outcome == "accepted"
    ((_name, data),) = stored
    assert Image.open(io.BytesIO(data)).size == (300, 400)
    assert ProductImage.objects.get().width == 300


def test_an_avatar_is_stored_re_encoded_under_a_random_name(client):
    outcome, stored, _text = DOORS["avatar-form"](client).send(
        "me-at-home.jpg", _jpeg(900, 900) + hostile.PAYLOADS[2]
    )
    assert outcome == "accepted"
    ((name, data),) = stored
    assert hostile.reencoded_problems(data, name) == []
    assert UserFactory._meta.model.objects.filter(avatar=name).count() == 1


def _gps_jpeg_with_a_script() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 1.0)}
    return _jpeg(900, 600, exif=exif) + hostile.PAYLOADS[1]


def test_an_avatar_set_by_an_operator_in_admin_is_stored_re_encoded(admin_client):
    person = UserFactory()
    url = reverse("admin:accounts_user_change", args=[person.pk])
    upload = SimpleUploadedFile("operator-home.jpg", _gps_jpeg_with_a_script(), content_type="image/jpeg")
    response = change_form_post(admin_client, url, "user_form", avatar=upload)
    assert response.status_code == 200 and response.redirect_chain, response.content[:300]
    person.refresh_from_db()
    with person.avatar.open("rb") as fh:
        assert hostile.reencoded_problems(fh.read(), person.avatar.name) == []
    strip = SimpleUploadedFile("strip.png", sample.image_bytes(100_000, 1, 0, "PNG", mode="L"))
    page = change_form_post(admin_client, url, "user_form", avatar=strip).content.decode()
    assert "its sides can be at most 16000 pixels long" in page


def test_a_brand_logo_is_stored_re_encoded(admin_client):
    brand = BrandFactory()
    url = reverse("admin:mall_brand_change", args=[brand.pk])
    upload = SimpleUploadedFile("logo.png.jpg", _gps_jpeg_with_a_script(), content_type="image/jpeg")
    response = change_form_post(admin_client, url, "brand_form", logo=upload)
    assert response.redirect_chain, response.content[:300]
    brand.refresh_from_db()
    with brand.logo.open("rb") as fh:
        data = fh.read()
    assert hostile.reencoded_problems(data, brand.logo.name) == []
    assert Image.open(io.BytesIO(data)).size == (400, 267)
    refused = change_form_post(admin_client, url, "brand_form", logo=SimpleUploadedFile("x.png", b"<svg/>"))
    assert "This file is not an image we can read." in refused.content.decode()
