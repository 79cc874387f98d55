"""Note photos: one check for the upload and the worker (``note_image_check``), and the renditions (WebP
at feed and detail widths, metadata stripped) made from the original by the worker."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from community.models import NoteImage
from core.images import CheckedImage, DecodeBusy, image_check, image_decoding, image_renditions_webp

logger = logging.getLogger(__name__)


def note_image_check(upload) -> CheckedImage:
    """Check and decode a note photo exactly as the worker will: a photo that passes at upload makes its
    renditions later. Decoded at the detail rendition's scale (the largest one needs no more pixels).
    Call it inside ``image_decoding()``."""
    return image_check(
        upload,
        max_bytes=settings.NOTE_IMAGE_MAX_BYTES,
        max_pixels=settings.NOTE_IMAGE_MAX_PIXELS,
        fit=settings.NOTE_IMAGE_DETAIL_WIDTH,
    )


def image_renditions_make(*, image_id: int) -> None:
    """Make the feed and detail renditions of a stored original. An original that can't be read marks
    the photo failed (the page says so); all decode slots taken raises ``DecodeBusy`` (the task retries)."""
    image = NoteImage.objects.filter(pk=image_id).first()
    if image is None or image.state == NoteImage.State.READY:
        return  # deleted meanwhile, or a retry after success
    try:
        with image_decoding(), image.original.open("rb") as fh:
            checked = note_image_check(fh)
            (feed, width, height), (detail, _w, _h) = image_renditions_webp(
                checked.image, widths=[settings.NOTE_IMAGE_FEED_WIDTH, settings.NOTE_IMAGE_DETAIL_WIDTH]
            )
            checked.image.close()
    except DecodeBusy:
        raise
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
