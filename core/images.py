"""Uploaded images: checked before decoding, then re-encoded so no byte of the upload is served.

Hostile uploads are refused with a message a person can act on: a file that is not an image, a format
we do not take, too many bytes, too many pixels (decompression bombs are caught from the header, before
Pillow allocates the pixels).

Memory is bounded twice: a JPEG is decoded straight at the scale its largest rendition needs (``fit``:
libjpeg's DCT scaling, 1/2 to 1/8, so a 40-megapixel photo costs a fraction of its full size), and a
process decodes at most ``IMAGE_DECODES_AT_ONCE`` images at a time (``image_decoding``), whatever number
of threads are uploading.
"""

from __future__ import annotations

import io
import threading
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class CheckedImage:
    image: Image.Image
    format: str
    width: int
    height: int


_decode_slots: threading.BoundedSemaphore | None = None
_decode_slots_lock = threading.Lock()


@contextmanager
def image_decoding():
    """Hold one of the process's decode slots while decoding and re-encoding an image: the threads of a
    web worker queue here instead of each holding a decoded photo at once."""
    global _decode_slots
    with _decode_slots_lock:
        if _decode_slots is None:
            _decode_slots = threading.BoundedSemaphore(settings.IMAGE_DECODES_AT_ONCE)
    if not _decode_slots.acquire(timeout=settings.IMAGE_DECODE_WAIT_SECONDS):
        raise ValidationError(
            _("We're processing many photos right now; try again in a moment."), code="busy"
        )
    try:
        yield
    finally:
        _decode_slots.release()


def image_check(
    upload, *, max_bytes: int, max_pixels: int, decode: bool = True, fit: int | None = None
) -> CheckedImage:
    """Open ``upload`` and refuse it unless it is a small enough JPEG, PNG, WebP or GIF.

    With ``decode=False`` the pixels are not decoded here (a worker re-encodes the image later); the
    file's structure is still verified. With ``fit``, a JPEG is decoded at the smallest scale that is
    still at least ``fit`` pixels on both sides (the width and height reported stay the file's own).
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            fmt = image.format
            width, height = image.size
            # Photos shot sideways say so in EXIF; report the size as it will be displayed.
            if fmt in ("JPEG", "WEBP") and image.getexif().get(0x0112) in (5, 6, 7, 8):
                width, height = height, width
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not an image we can read."), code="not_image") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(_("This image has too many pixels."), code="too_many_pixels") from None
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."), code="format")
    if width * height > max_pixels:  # orientation does not change the pixel count
        raise ValidationError(
            _("The image is %(w)s×%(h)s pixels; the limit is %(limit)s megapixels.")
            % {"w": width, "h": height, "limit": max_pixels // 1_000_000},
            code="too_many_pixels",
        )
    try:
        if decode:
            if fit and fmt == "JPEG":
                image.draft("RGB", (fit, fit))
            image.load()
        else:
            image.verify()
            upload.seek(0)
            image = Image.open(upload)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("This image is damaged and cannot be read."), code="damaged") from None
    return CheckedImage(image=image, format=fmt, width=width, height=height)


def image_to_rgb(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, then drop every metadata chunk by copying pixels only."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def image_square_webp(image: Image.Image, *, size: int, quality: int = 85) -> ContentFile:
    """A centred square crop of ``size`` pixels, encoded as WebP with no metadata."""
    square = ImageOps.fit(image_to_rgb(image), (size, size), method=Image.Resampling.LANCZOS)
    return _webp(square, quality=quality)


def image_resized_webp(image: Image.Image, *, width: int, quality: int = 82) -> tuple[ContentFile, int, int]:
    """Scale to at most ``width`` pixels wide, keeping the aspect ratio; returns file, width, height."""
    rgb = image_to_rgb(image)
    if rgb.width > width:
        height = max(1, round(rgb.height * width / rgb.width))
        rgb = rgb.resize((width, height), Image.Resampling.LANCZOS)
    return _webp(rgb, quality=quality), rgb.width, rgb.height


def _webp(image: Image.Image, *, quality: int) -> ContentFile:
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    clean.save(buffer, format="WEBP", quality=quality, method=4)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")
