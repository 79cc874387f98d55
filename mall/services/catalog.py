"""Catalog upkeep: the listing price of a product follows its cheapest active SKU; product photos are
stored re-encoded."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Min

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
