"""``manage.py catalog_images_reencode``: product photos and brand logos stored as uploaded, before every
upload was re-encoded, become clean WebP (no EXIF or GPS, nothing after the image, a random name); clean
files are left alone, so a second run changes nothing; a stored file that cannot be decoded is reported and
kept."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from mall.models import Brand, ProductImage
from mall.services.catalog import stored_image_is_clean
from mall.tests.factories import shop_product
from tests.support.images import EXIF_GPS, jpeg_with_exif

pytestmark = pytest.mark.django_db


def _stored_as_uploaded(name: str, data: bytes):
    """A product photo written the old way: the upload's bytes under its own name."""
    product, _skus = shop_product(images=0)
    image = ProductImage(product=product, position=0)
    image.image.save(name, ContentFile(data), save=True)
    return image


def _run(*args) -> str:
    out = io.StringIO()
    call_command("catalog_images_reencode", *args, stdout=out)
    return out.getvalue()


def test_stored_photos_and_logos_are_re_encoded_once_and_the_old_files_go():
    tainted = jpeg_with_exif(width=1600, height=1200).read() + b"<script>alert(1)</script>"
    photo = _stored_as_uploaded("IMG_0042 home.jpg", tainted)
    old_name = photo.image.name
    brand = Brand.objects.create(name="Sakura", slug="sakura", country="Japan", authorization="official")
    brand.logo.save("logo.jpg", ContentFile(jpeg_with_exif(width=400, height=400).read()), save=True)
    old_logo = brand.logo.name

    assert _run("--dry-run") == "would re-encode 2, already clean 0, refused 0\n"
    photo.refresh_from_db()
    assert photo.image.name == old_name  # the dry run changed nothing

    assert _run() == "re-encoded 2, already clean 0, refused 0\n"
    photo.refresh_from_db()
    brand.refresh_from_db()
    for field, old in ((photo.image, old_name), (brand.logo, old_logo)):
        data = field.read()
        field.close()
        assert stored_image_is_clean(data)
        assert b"<script>" not in data and field.name.endswith(".webp") and "IMG_0042" not in field.name
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "WEBP" and EXIF_GPS not in image.getexif()
        assert not field.storage.exists(old)
    assert (photo.width, photo.height) == Image.open(photo.image.path).size

    assert _run() == "re-encoded 0, already clean 2, refused 0\n"  # nothing loses quality twice


def test_a_stored_file_that_is_no_image_is_reported_and_kept():
    photo = _stored_as_uploaded("notes.jpg", b"<html><script>alert(1)</script></html>")
    out = _run()
    assert out.startswith("re-encoded 0, already clean 0, refused 1\n")
    assert "not an image we can read" in out
    photo.refresh_from_db()
    assert photo.image.storage.exists(photo.image.name)
