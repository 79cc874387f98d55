"""Renditions of note images: WebP at feed and detail widths, EXIF stripped, made from the original."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from community.models import NoteImage
from core.images import image_check, image_decoding, image_resized_webp

logger = logging.getLogger(__name__)


def image_renditions_make(*, image_id: int) -> None:
    image = NoteImage.objects.filter(pk=image_id).first()
    if image is None or image.state == NoteImage.State.READY:
        return  # deleted meanwhile, or a retry after success
    try:
        with image_decoding(), image.original.open("rb") as fh:
            checked = image_check(
                fh,
                max_bytes=settings.NOTE_IMAGE_MAX_BYTES,
                max_pixels=settings.NOTE_IMAGE_MAX_PIXELS,
                fit=settings.NOTE_IMAGE_DETAIL_WIDTH,  # the largest rendition: no need for more pixels
            )
            feed, width, height = image_resized_webp(checked.image, width=settings.NOTE_IMAGE_FEED_WIDTH)
            detail, _w, _h = image_resized_webp(checked.image, width=settings.NOTE_IMAGE_DETAIL_WIDTH)
    except ValidationError as exc:
        logger.warning("note image %s can't be rendered: %s", image_id, exc.messages)
        NoteImage.objects.filter(pk=image_id).update(state=NoteImage.State.FAILED)
        return
    storage = image.feed.storage
    feed_name = storage.save(image.feed.field.generate_filename(image, feed.name), feed)
    detail_name = storage.save(image.detail.field.generate_filename(image, detail.name), detail)
    with transaction.atomic():
        updated = (
            NoteImage.objects.filter(pk=image_id)
            .exclude(state=NoteImage.State.READY)
            .update(
                feed=feed_name,
                detail=detail_name,
                # The stored size is the rendition's orientation-corrected size.
                width=width,
                height=height,
                state=NoteImage.State.READY,
            )
        )
    if not updated:
        storage.delete(feed_name)
        storage.delete(detail_name)
