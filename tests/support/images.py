"""Image bytes for upload and rendition tests, made in memory with Pillow (and a few that are not images)."""

from __future__ import annotations

import contextlib
import functools
import io
import struct
import threading
import zlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

EXIF_MAKE = 0x010F
EXIF_ORIENTATION = 0x0112
EXIF_GPS = 0x8825
_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "bmp": "BMP"}


def image_bytes(
    width: int = 600,
    height: int = 800,
    color=(255, 120, 140),
    fmt: str = "JPEG",
    *,
    mode: str = "RGB",
    exif: Image.Exif | None = None,
    **save,
) -> bytes:
    """A plain ``width`` x ``height`` picture in ``fmt`` (JPEG, PNG, WEBP, GIF, BMP)."""
    buffer = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    Image.new(mode, (width, height), color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def image_upload(name: str = "photo.jpg", width: int = 600, height: int = 800, color=(255, 120, 140), **save):
    """An uploaded file whose format follows ``name``'s extension."""
    fmt = _FORMATS[name.rsplit(".", 1)[-1].lower()]
    return SimpleUploadedFile(
        name, image_bytes(width, height, color, fmt, **save), content_type=f"image/{fmt.lower()}"
    )


def jpeg_upload(width: int = 640, height: int = 480, name: str = "photo.jpg", color=(250, 210, 220)):
    return image_upload(name, width, height, color)


def jpeg_with_exif(
    width: int = 640, height: int = 480, name: str = "photo.jpg", *, orientation: int | None = None
):
    """A JPEG carrying a camera make and a GPS position (and an orientation when asked): what must go."""
    exif = Image.Exif()
    exif[EXIF_MAKE] = "SecretCam"
    exif[EXIF_GPS] = {2: (31.0, 14.0, 0.0)}  # latitude
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    return SimpleUploadedFile(
        name, image_bytes(width, height, (220, 60, 80), "JPEG", exif=exif), content_type="image/jpeg"
    )


def png(width: int = 300, height: int = 200, name: str = "pic.png") -> SimpleUploadedFile:
    """A half-transparent PNG."""
    data = image_bytes(width, height, (30, 120, 200, 128), "PNG", mode="RGBA")
    return SimpleUploadedFile(name, data, content_type="image/png")


def png_bomb(width: int = 10_000, height: int = 10_000, name: str = "bomb.png") -> SimpleUploadedFile:
    """A valid PNG header claiming 100 megapixels, with a tiny compressed body: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(50)) + compressor.flush()
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, data, content_type="image/png")


def not_an_image(name: str = "evil.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<script>alert(1)</script>" * 40, content_type="image/jpeg")


def oversized(limit: int, name: str = "huge.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"0" * (limit + 10), content_type="image/jpeg")


@functools.cache
def tiny_webp(color=(255, 170, 180)) -> bytes:
    """A 6x8 WebP: for rows whose files only need to exist (a card needs the URL and the stored size)."""
    return image_bytes(6, 8, color, "WEBP")


def tiny_jpeg(colour=(255, 200, 210), name: str = "shot.jpg") -> ContentFile:
    return ContentFile(image_bytes(8, 8, colour, "JPEG"), name=name)


def jpeg_on_disk(path: Path, size: tuple[int, int] = (800, 600), color=(255, 36, 66)) -> Path:
    """A real JPEG file, as a person would pick it from their photos (for browser uploads)."""
    path.write_bytes(image_bytes(*size, color, "JPEG", quality=90))
    return path


@contextlib.contextmanager
def decode_slot_taken():
    """Another upload holds the process's decode slot (core.images.image_decoding) while the block runs;
    it is free again afterwards."""
    from core.images import image_decoding

    holding, release = threading.Event(), threading.Event()

    def another_upload():
        with image_decoding():
            holding.set()
            release.wait(30)

    other = threading.Thread(target=another_upload)
    other.start()
    try:
        assert holding.wait(30)
        yield
    finally:
        release.set()
        other.join(30)
