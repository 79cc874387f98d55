"""Uploaded images: checked before decoding, decoded before they are accepted, then re-encoded so no byte
of the upload is served.

Every upload (avatar, note photo, product photo) goes through ``image_check``. Hostile uploads are refused
with a message a person can act on: a file that is not an image, a format we do not take, too many bytes,
too many pixels, a side too long or a shape too thin (``IMAGE_MAX_SIDE``, ``IMAGE_MAX_ASPECT_RATIO``), or
pixels that do not decode. Sizes are judged from the header before anything is decoded, so a
decompression bomb (a tiny file claiming a huge picture) never allocates its pixels; a WebP's header is
read here before Pillow opens it, as Pillow's WebP decoder allocates its canvas on open. Pillow's own
ceiling, ``Image.MAX_IMAGE_PIXELS``, is set to ``IMAGE_MAX_PIXELS`` (``core.apps``) for any other caller.

What ``image_check`` hands back is decoded and ready to encode: upright (EXIF orientation applied), RGB
(transparency over white), pixels only (no metadata), and no larger than the caller needs. A file that
passes it makes its renditions, so a note is only accepted with photos the worker can render.

Memory is bounded three ways: a JPEG is decoded straight at the scale its largest rendition needs
(``fit``: libjpeg's DCT scaling, 1/2 to 1/8, so a 40-megapixel photo costs a fraction of its full size);
other formats are reduced to that scale right after decoding, before any copy is made (orientation,
colour conversion, renditions work on the reduced image); and a process decodes at most
``IMAGE_DECODES_AT_ONCE`` images at a time (``image_decoding``), whatever number of threads are uploading.
docs/architecture.md, "Uploads", has the limits and the measured cost.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import struct
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
# A phone's multi-picture JPEG (MPO: a photo and its depth map or preview) is a JPEG whose first
# picture is the photo.
SAME_FORMAT = {"MPO": "JPEG"}
# libwebp cannot encode a side longer than this.
WEBP_MAX_SIDE = 16383
# What Pillow may raise on a hostile file while reading its header or decoding it: each means "not an
# image we can read", never a server error.
PILLOW_FAILURES = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    struct.error,
    Image.DecompressionBombError,
)
# EXIF orientation -> the transpose that shows the photo upright (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class CheckedImage:
    image: Image.Image  # decoded: upright, RGB, pixels only, reduced to what ``fit`` asked for
    format: str
    width: int  # the file's own size, as displayed (after orientation)
    height: int


class DecodeBusy(ValidationError):
    """Every decode slot of the process stayed taken for ``IMAGE_DECODE_WAIT_SECONDS``: a request refuses
    the upload for now with this message, a worker retries later."""


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
        raise DecodeBusy(_("We're processing many photos right now; try again in a moment."), code="busy")
    try:
        yield
    finally:
        _decode_slots.release()
        _heap_release()


try:
    _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc: nothing to hand back this way
    _malloc_trim = None


def _heap_release() -> None:
    """Hand the freed pixel buffers back to the system. glibc keeps freed heap memory for reuse, so a
    worker that decoded one large photo would otherwise stay that large (benchmarks/image_memory.py)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def image_pillow_limit() -> None:
    """Pillow's own decompression-bomb ceiling for the whole process (``core.apps``): no image larger than
    any upload may be decodes anywhere, whoever opens it."""
    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS


def image_check(upload, *, max_bytes: int, max_pixels: int, fit: int | None = None) -> CheckedImage:
    """Open ``upload``, refuse it unless it is a small enough JPEG, PNG, WebP or GIF of a sane shape whose
    pixels decode, and return it decoded (``CheckedImage.image``: upright, RGB, no metadata).

    With ``fit``, the image is decoded or reduced to the smallest scale that is still at least ``fit``
    pixels on both sides (the width and height reported stay the file's own). Call it inside
    ``image_decoding()``.
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
    webp_size = _webp_header_size(upload.read(30))
    if webp_size is not None:
        _dimensions_check(*webp_size, max_pixels=max_pixels, fmt="WEBP")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            fmt = SAME_FORMAT.get(image.format, image.format)
            width, height = image.size
            orientation = 1
            if fmt in ("JPEG", "WEBP"):
                orientation = image.getexif().get(0x0112) or 1
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(None, None, max_pixels) from None
    except PILLOW_FAILURES:
        raise ValidationError(_("This file is not an image we can read."), code="not_image") from None
    if fmt not in ALLOWED_FORMATS:
        _release(image)
        raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."), code="format")
    if orientation in (5, 6, 7, 8):  # shot sideways: report the size as it will be displayed
        width, height = height, width
    try:
        _dimensions_check(width, height, max_pixels=max_pixels, fmt=fmt)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            decoded = _decoded(image, fmt=fmt, fit=fit, orientation=orientation)
    except PILLOW_FAILURES + (Image.DecompressionBombWarning,) as exc:
        raise ValidationError(_("This image is damaged and cannot be read."), code="damaged") from exc
    finally:
        _release(image)  # the file's own pixels; ``decoded`` is always a new image
    return CheckedImage(image=decoded, format=fmt, width=width, height=height)


def _too_many_pixels(width: int | None, height: int | None, max_pixels: int) -> ValidationError:
    limit = f"{max_pixels / 1_000_000:g}"
    if width is None:
        message = _("This image has too many pixels; the limit is %(limit)s megapixels.") % {"limit": limit}
    else:
        message = _("The image is %(w)s×%(h)s pixels; the limit is %(limit)s megapixels.") % {
            "w": width,
            "h": height,
            "limit": limit,
        }
    return ValidationError(message, code="too_many_pixels")


def _dimensions_check(width: int, height: int, *, max_pixels: int, fmt: str) -> None:
    """Refuse absurd sizes from the header alone: too many pixels, a side too long, a shape too thin."""
    if width < 1 or height < 1:
        raise ValidationError(_("This file is not an image we can read."), code="not_image")
    if width * height > max_pixels:
        raise _too_many_pixels(width, height, max_pixels)
    if fmt == "WEBP" and width * height > settings.IMAGE_WEBP_MAX_PIXELS:
        # Pillow's WebP decoder holds about three full copies of the picture while decoding.
        raise ValidationError(
            _(
                "The image is %(w)s×%(h)s pixels; WebP images can be at most %(limit)s megapixels. "
                "Save it as a JPEG and try again."
            )
            % {"w": width, "h": height, "limit": f"{settings.IMAGE_WEBP_MAX_PIXELS / 1_000_000:g}"},
            code="too_many_pixels",
        )
    if max(width, height) > settings.IMAGE_MAX_SIDE:
        raise ValidationError(
            _("The image is %(w)s×%(h)s pixels; its sides can be at most %(limit)s pixels long.")
            % {"w": width, "h": height, "limit": settings.IMAGE_MAX_SIDE},
            code="too_long",
        )
    ratio = settings.IMAGE_MAX_ASPECT_RATIO
    if max(width, height) > ratio * min(width, height):
        raise ValidationError(
            _(
                "The image is %(w)s×%(h)s pixels: too long and thin. One side can be at most %(ratio)s "
                "times the other; crop it and try again."
            )
            % {"w": width, "h": height, "ratio": ratio},
            code="too_thin",
        )


def _webp_header_size(head: bytes) -> tuple[int, int] | None:
    """A WebP's canvas size from its first 30 bytes (simple lossy, lossless, or extended); None if the
    bytes are not a WebP header this knows."""
    if len(head) < 30 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    chunk = head[12:16]
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(head[26:28], "little") & 0x3FFF, int.from_bytes(head[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None


def _decoded(image: Image.Image, *, fmt: str, fit: int | None, orientation: int) -> Image.Image:
    """Decode the first frame at the scale ``fit`` needs, then make it upright RGB pixels: every copy is
    made of the reduced image, never of the full one."""
    if fit and fmt == "JPEG":
        image.draft("RGB", (fit, fit))
    image.load()
    if fit:
        image = _reduced(image, fit)
    if orientation in _UPRIGHT:
        image = image.transpose(_UPRIGHT[orientation])
    return _rgb(image)


def _reduced(image: Image.Image, fit: int) -> Image.Image:
    """The largest whole-number reduction that keeps both sides at least ``fit`` (the image itself if
    none); the full-size pixels are released as soon as the reduced copy exists."""
    factor = min(image.width, image.height) // fit
    if factor < 2:
        return image
    size = (max(1, image.width // factor), max(1, image.height // factor))
    try:
        smaller = image.reduce(factor)
    except ValueError:  # palette and 1-bit or 16-bit modes: reduce by picking pixels
        smaller = image.resize(size, Image.Resampling.NEAREST)
    _release(image)
    return smaller


def _release(image: Image.Image) -> None:
    """Free an image's pixels now, leaving the file it was read from open: that file is the caller's
    upload, read again to be stored (``ImageFile.close`` would close it)."""
    Image.Image.close(image)


def _rgb(image: Image.Image) -> Image.Image:
    """RGB pixels with transparency laid over white; no metadata."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        rgb = Image.new("RGB", rgba.size, (255, 255, 255))
        rgb.paste(rgba, mask=rgba.getchannel("A"))
        return rgb
    rgb = image.convert("RGB")  # a new image, never the one holding the upload's file
    rgb.info = {}
    return rgb


def image_square_webp(image: Image.Image, *, size: int, quality: int = 85) -> ContentFile:
    """A centred square crop of ``size`` pixels of a checked image, encoded as WebP with no metadata."""
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    return _webp(square, quality=quality)


def image_resized_webp(image: Image.Image, *, width: int, quality: int = 82) -> tuple[ContentFile, int, int]:
    """A checked image scaled to at most ``width`` pixels wide (and WebP's longest side), keeping the
    aspect ratio, encoded as WebP; returns file, width, height."""
    resized = _fitted(image, width)
    return _webp(resized, quality=quality), resized.width, resized.height


def image_renditions_webp(
    image: Image.Image, *, widths: list[int], quality: int = 82
) -> list[tuple[ContentFile, int, int]]:
    """WebP renditions of a checked image at each of ``widths`` (file, width, height, in the order
    asked). The largest is made first and each smaller one from the one before, so only one scaled copy
    of the photo is held at a time beside the decoded image."""
    made: dict[int, tuple[ContentFile, int, int]] = {}
    source = image
    for width in sorted(set(widths), reverse=True):
        resized = _fitted(source, width)
        made[width] = (_webp(resized, quality=quality), resized.width, resized.height)
        source = resized
    return [made[width] for width in widths]


def _fitted(image: Image.Image, width: int) -> Image.Image:
    scale = min(1.0, width / image.width, WEBP_MAX_SIDE / image.height)
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _webp(image: Image.Image, *, quality: int) -> ContentFile:
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # pixels only: nothing of the upload's metadata can follow
    buffer = io.BytesIO()
    clean.save(buffer, format="WEBP", quality=quality, method=4)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")
