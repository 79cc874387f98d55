"""Catalog upkeep: the listing price of a product follows its cheapest active SKU; product photos are
stored re-encoded."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Min
from PIL import Image

from core.images import image_check, image_decoding, image_resized_webp
from mall.models import Product


def product_image_encode(upload) -> tuple[ContentFile, int, int]:
    """A product photo as the shop serves it: one WebP at most ``PRODUCT_IMAGE_WIDTH`` wide, upright,
    made of pixels only (no EXIF or GPS, nothing after the image data, not the upload's file name).
    Returns the file (a random name) and its width and height; refuses what ``image_check`` refuses."""
    return _catalog_image_encode(upload, width=settings.PRODUCT_IMAGE_WIDTH)


def brand_logo_encode(upload) -> ContentFile:
    """A brand's logo, re-encoded like a product photo, at most ``BRAND_LOGO_WIDTH`` wide."""
    content, _width, _height = _catalog_image_encode(upload, width=settings.BRAND_LOGO_WIDTH)
    return content


def _catalog_image_encode(upload, *, width: int) -> tuple[ContentFile, int, int]:
    with image_decoding():
        checked = image_check(
            upload,
            max_bytes=settings.NOTE_IMAGE_MAX_BYTES,
            max_pixels=settings.NOTE_IMAGE_MAX_PIXELS,
            fit=width,
        )
        try:
            return image_resized_webp(checked.image, width=width)
        finally:
            checked.image.close()


def product_refresh_min_price(*, product_id: int) -> None:
    low = Product.objects.filter(pk=product_id).aggregate(low=Min("skus__price", filter=None))["low"]
    active_low = (
        Product.objects.filter(pk=product_id, skus__is_active=True).aggregate(low=Min("skus__price"))["low"]
        or low
    )
    if active_low is not None:
        Product.objects.filter(pk=product_id).update(min_price=active_low)


@dataclass
class ReencodeReport:
    """What ``catalog_images_reencode`` did: files re-encoded, already clean, and refused (left as stored,
    with why: they could not be decoded or are over the limits)."""

    reencoded: int = 0
    clean: int = 0
    refused: list[str] = field(default_factory=list)


def stored_image_is_clean(data: bytes) -> bool:
    """A file as ``_catalog_image_encode`` writes it: a WebP carrying pixels only (no EXIF or XMP) and
    nothing after the image data. Re-encoding such a file again would only lose quality."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "WEBP" or image.info.get("exif") or image.info.get("xmp"):
                return False
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    # RIFF's own length covers the whole file: anything after it was appended.
    return data[:4] == b"RIFF" and int.from_bytes(data[4:8], "little") + 8 == len(data)


def _reencode_field(field_file, encode, report: ReencodeReport) -> ContentFile | None:
    with field_file.open("rb") as fh:
        data = fh.read()
    if stored_image_is_clean(data):
        report.clean += 1
        return None
    try:
        return encode(ContentFile(data, name=field_file.name))
    except ValidationError as exc:
        report.refused.append(f"{field_file.name}: {' '.join(exc.messages)}")
        return None


def catalog_images_reencode(*, dry_run: bool = False) -> ReencodeReport:
    """Re-encode the product photos and brand logos stored before every upload was re-encoded (as
    uploaded: EXIF and GPS, bytes after the image, the original file name): each becomes what the admin
    stores today. Already clean files are left alone; a file that cannot be decoded is reported and kept.
    The old file is deleted once the row points at the new one."""
    from mall.models import Brand, ProductImage

    report = ReencodeReport()
    for image in ProductImage.objects.exclude(image="").order_by("pk").iterator():
        encoded = _reencode_field(image.image, product_image_encode, report)
        if encoded is None or dry_run:
            report.reencoded += encoded is not None
            continue
        content, width, height = encoded
        old = image.image.name
        image.image.save(content.name, content, save=False)
        image.width, image.height = width, height
        image.save(update_fields=["image", "width", "height"])
        image.image.storage.delete(old)
        report.reencoded += 1
    for brand in Brand.objects.exclude(logo="").order_by("pk").iterator():
        content = _reencode_field(brand.logo, brand_logo_encode, report)
        if content is None or dry_run:
            report.reencoded += content is not None
            continue
        old = brand.logo.name
        brand.logo.save(content.name, content, save=False)
        brand.save(update_fields=["logo"])
        brand.logo.storage.delete(old)
        report.reencoded += 1
    return report
