"""Image bytes for upload tests, made in memory."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg_with_exif(width: int = 640, height: int = 480, name: str = "photo.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), (220, 60, 80))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(width: int = 300, height: int = 200, name: str = "pic.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (30, 120, 200, 128)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


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
