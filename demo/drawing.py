"""Every picture the demo shows, drawn with Pillow on the spot: note photos and product shots.

Both kinds share one font finder and one encoder. Nothing here touches the database: callers get
``PIL.Image`` objects or encoded bytes and store them through the apps' own services and fields.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]
LATIN_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@cache
def font(size: int, *, cjk: bool = False) -> ImageFont.FreeTypeFont | None:
    """A bold font of this size that can write the text (CJK fonts first when it is Chinese); None when
    the machine has none, and the picture then goes without its word."""
    for path in CJK_FONTS if cjk else LATIN_FONTS + CJK_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _mix(a, b, t: float):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


# --- note photos ---------------------------------------------------------------------------------------------

PHOTO_WIDTH = 540  # the feed rendition's width: drawn once, encoded once
# Per category: soft gradients (top, bottom).
PALETTES = {
    "beauty": [((255, 214, 224), (255, 240, 245)), ((250, 208, 196), (255, 236, 210)), ((246, 211, 243), (255, 244, 250))],
    "snacks": [((255, 222, 164), (255, 246, 222)), ((255, 200, 160), (255, 236, 214)), ((250, 232, 170), (255, 250, 232))],
    "baby": [((196, 236, 224), (240, 252, 246)), ((200, 226, 250), (240, 248, 255)), ((226, 240, 206), (248, 252, 240))],
    "travel": [((168, 216, 240), (230, 246, 255)), ((160, 226, 220), (232, 252, 248)), ((200, 214, 250), (242, 244, 255))],
    "bags": [((232, 214, 196), (250, 244, 236)), ((214, 200, 190), (246, 240, 234)), ((240, 222, 206), (255, 248, 240))],
}  # fmt: skip


def note_photo(*, category: str, word: str, ratio: tuple[int, int], variant: int, index: int) -> Image.Image:
    """A soft gradient with a simple shape and a short word: believable enough for a demo feed."""
    width = PHOTO_WIDTH
    height = round(width * ratio[1] / ratio[0])
    top, bottom = PALETTES[category][variant % len(PALETTES[category])]
    mask = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), mask
    )
    glow_size = int(min(width, height) * 0.9)
    glow = Image.eval(Image.radial_gradient("L").resize((glow_size, glow_size)), lambda v: (255 - v) // 2)
    image.paste((255, 255, 255), ((width - glow_size) // 2, (height - glow_size) // 3), glow)
    draw = ImageDraw.Draw(image, "RGBA")
    accent = tuple(max(0, c - 70) for c in top)
    cx, cy, r = width // 2, int(height * 0.42), int(min(width, height) * 0.22)
    shape = (variant + index) % 3
    if shape == 0:
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 150))
    elif shape == 1:
        draw.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), radius=r // 3, fill=(*accent, 140))
    else:
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=(*accent, 140))
    draw.ellipse((cx + r // 2, cy - r - r // 3, cx + r, cy - r // 2 - r // 3), fill=(255, 255, 255, 170))
    cjk = is_chinese(word)
    face = font(int(width * (0.13 if cjk else 0.11)), cjk=cjk)
    if face is not None:
        box = draw.textbbox((0, 0), word, font=face)
        text_w, text_h = box[2] - box[0], box[3] - box[1]
        text_y = min(height - text_h - height // 10, cy + r + height // 14)
        draw.text(((width - text_w) // 2 - box[0], text_y - box[1]), word, font=face, fill=(*accent, 230))
    return image


# --- product shots -------------------------------------------------------------------------------------------

SHOT_SIZE = 800
CANVAS = 1100  # drawn larger and scaled down to SHOT_SIZE, for smooth edges
SHAPES = ("bottle", "tube", "jar", "box", "can", "pouch", "bag", "backpack")


def _background(colour, variant: int) -> Image.Image:
    """A soft studio backdrop: a pale tint of the product's colour fading to white, a floor line."""
    s = CANVAS
    top = _mix(colour, (255, 255, 255), 0.82 if variant == 0 else 0.7)
    bottom = _mix(colour, (255, 255, 255), 0.93)
    image = Image.new("RGB", (s, s), top)
    draw = ImageDraw.Draw(image)
    for y in range(s):
        draw.line([(0, y), (s, y)], fill=_mix(top, bottom, y / s))
    return image


def _shadow(image: Image.Image, box) -> None:
    s = CANVAS
    layer = Image.new("L", (s, s), 0)
    ImageDraw.Draw(layer).ellipse(box, fill=90)
    layer = layer.filter(ImageFilter.GaussianBlur(28))
    image.paste((0, 0, 0), mask=layer.point(lambda v: v // 2))


def _label(draw: ImageDraw.ImageDraw, centre, width: int, word: str, fill, size: int) -> None:
    face = font(size)
    if face is None:
        return
    while size > 18 and draw.textlength(word, font=face) > width:
        size -= 4
        face = font(size)
    box = draw.textbbox((0, 0), word, font=face)
    x = centre[0] - (box[2] - box[0]) / 2 - box[0]
    y = centre[1] - (box[3] - box[1]) / 2 - box[1]
    draw.text((x, y), word, font=face, fill=fill)


def _draw_shape(image: Image.Image, shape: str, colour, word: str) -> None:
    s = CANVAS
    cx = s // 2
    draw = ImageDraw.Draw(image)
    dark = _mix(colour, (40, 40, 40), 0.45)
    light = _mix(colour, (255, 255, 255), 0.35)
    white = (255, 255, 255)
    floor = int(s * 0.84)
    if shape == "bottle":
        _shadow(image, (cx - 260, floor - 40, cx + 260, floor + 40))
        draw.rounded_rectangle((cx - 210, int(s * 0.34), cx + 210, floor), radius=70, fill=colour)
        draw.rounded_rectangle((cx - 90, int(s * 0.24), cx + 90, int(s * 0.36)), radius=24, fill=colour)
        draw.rounded_rectangle((cx - 110, int(s * 0.13), cx + 110, int(s * 0.26)), radius=26, fill=dark)
        draw.rounded_rectangle((cx - 170, int(s * 0.48), cx + 170, int(s * 0.72)), radius=16, fill=white)
        draw.rounded_rectangle((cx - 180, int(s * 0.36), cx - 140, floor - 40), radius=20, fill=light)
        _label(draw, (cx, int(s * 0.60)), 300, word, dark, 64)
    elif shape == "tube":
        _shadow(image, (cx - 200, floor - 30, cx + 200, floor + 30))
        draw.polygon(
            [
                (cx - 150, int(s * 0.14)),
                (cx + 150, int(s * 0.14)),
                (cx + 120, int(s * 0.70)),
                (cx - 120, int(s * 0.70)),
            ],
            fill=colour,
        )
        draw.rectangle((cx - 160, int(s * 0.12), cx + 160, int(s * 0.16)), fill=dark)
        draw.rounded_rectangle((cx - 110, int(s * 0.69), cx + 110, floor), radius=22, fill=dark)
        draw.polygon(
            [
                (cx - 130, int(s * 0.18)),
                (cx - 100, int(s * 0.18)),
                (cx - 84, int(s * 0.66)),
                (cx - 104, int(s * 0.66)),
            ],
            fill=light,
        )
        draw.rectangle((cx - 100, int(s * 0.34), cx + 100, int(s * 0.52)), fill=white)
        _label(draw, (cx, int(s * 0.43)), 180, word, dark, 48)
    elif shape == "jar":
        _shadow(image, (cx - 300, floor - 40, cx + 300, floor + 40))
        draw.rounded_rectangle((cx - 270, int(s * 0.50), cx + 270, floor), radius=60, fill=colour)
        draw.rounded_rectangle((cx - 285, int(s * 0.38), cx + 285, int(s * 0.52)), radius=30, fill=dark)
        draw.rounded_rectangle((cx - 240, int(s * 0.56), cx + 240, int(s * 0.76)), radius=14, fill=white)
        draw.rounded_rectangle(
            (cx - 250, int(s * 0.40), cx - 200, int(s * 0.50)), radius=12, fill=_mix(dark, white, 0.3)
        )
        _label(draw, (cx, int(s * 0.66)), 420, word, dark, 68)
    elif shape == "box":
        _shadow(image, (cx - 320, floor - 40, cx + 320, floor + 40))
        front = (cx - 260, int(s * 0.36), cx + 160, floor)
        depth = 100
        draw.polygon(
            [
                (front[0], front[1]),
                (front[0] + depth, front[1] - depth),
                (front[2] + depth, front[1] - depth),
                (front[2], front[1]),
            ],
            fill=light,
        )
        draw.polygon(
            [
                (front[2], front[1]),
                (front[2] + depth, front[1] - depth),
                (front[2] + depth, front[3] - depth),
                (front[2], front[3]),
            ],
            fill=dark,
        )
        draw.rectangle(front, fill=colour)
        draw.rectangle((front[0] + 30, int(s * 0.52), front[2] - 30, int(s * 0.68)), fill=white)
        _label(draw, ((front[0] + front[2]) // 2, int(s * 0.60)), 340, word, dark, 60)
    elif shape == "can":
        _shadow(image, (cx - 260, floor - 40, cx + 260, floor + 40))
        top, bottom = int(s * 0.26), floor - 30
        draw.rectangle((cx - 230, top, cx + 230, bottom), fill=colour)
        draw.ellipse((cx - 230, bottom - 60, cx + 230, bottom + 60), fill=colour)
        draw.ellipse((cx - 230, top - 60, cx + 230, top + 60), fill=dark)
        draw.ellipse((cx - 200, top - 46, cx + 200, top + 46), fill=_mix(dark, white, 0.25))
        draw.rectangle((cx - 230, int(s * 0.44), cx + 230, int(s * 0.66)), fill=white)
        draw.rectangle((cx - 200, top + 40, cx - 160, bottom), fill=light)
        _label(draw, (cx, int(s * 0.55)), 380, word, dark, 64)
    elif shape == "pouch":
        _shadow(image, (cx - 280, floor - 36, cx + 280, floor + 36))
        left, right, top = cx - 230, cx + 230, int(s * 0.20)
        draw.rounded_rectangle((left, top + 20, right, floor), radius=40, fill=colour)
        teeth = [(left, top + 40)]
        for i in range(13):
            x = left + (right - left) * (i + 0.5) / 13
            teeth += [(x, top if i % 2 == 0 else top + 30)]
        teeth += [(right, top + 40)]
        draw.polygon(teeth, fill=dark)
        draw.ellipse((cx - 180, int(s * 0.42), cx + 180, int(s * 0.70)), fill=white)
        draw.rounded_rectangle((left + 24, top + 70, left + 64, floor - 50), radius=20, fill=light)
        _label(draw, (cx, int(s * 0.56)), 300, word, dark, 56)
    elif shape == "bag":
        _shadow(image, (cx - 330, floor - 40, cx + 330, floor + 40))
        draw.arc((cx - 170, int(s * 0.16), cx + 170, int(s * 0.56)), start=180, end=360, fill=dark, width=34)
        draw.polygon(
            [(cx - 240, int(s * 0.38)), (cx + 240, int(s * 0.38)), (cx + 300, floor), (cx - 300, floor)],
            fill=colour,
        )
        draw.rectangle((cx - 240, int(s * 0.38), cx + 240, int(s * 0.44)), fill=dark)
        draw.rounded_rectangle(
            (cx - 46, int(s * 0.42), cx + 46, int(s * 0.50)), radius=10, fill=(222, 190, 120)
        )
        _label(draw, (cx, int(s * 0.66)), 380, word, _mix(colour, white, 0.75), 56)
    else:  # backpack
        _shadow(image, (cx - 280, floor - 40, cx + 280, floor + 40))
        draw.arc((cx - 90, int(s * 0.10), cx + 90, int(s * 0.26)), start=180, end=360, fill=dark, width=26)
        draw.rounded_rectangle((cx - 230, int(s * 0.18), cx + 230, floor), radius=110, fill=colour)
        draw.rounded_rectangle((cx - 170, int(s * 0.56), cx + 170, floor - 30), radius=50, fill=dark)
        draw.line((cx - 140, int(s * 0.60), cx + 140, int(s * 0.60)), fill=light, width=10)
        _label(draw, (cx, int(s * 0.40)), 340, word, _mix(colour, white, 0.8), 56)


def product_shot(*, shape: str, colour, word: str, variant: int = 0) -> bytes:
    """A clean product shot: soft backdrop, the product's silhouette, its brand word. JPEG bytes."""
    image = _background(colour, variant)
    _draw_shape(image, shape, colour, word)
    if variant:
        # The second photo: the same product closer up, slightly turned.
        image = image.rotate(-6, resample=Image.Resampling.BICUBIC, fillcolor=image.getpixel((0, 0)))
        margin = int(CANVAS * 0.09)
        image = image.crop((margin, margin // 3, CANVAS - margin, CANVAS - margin * 5 // 3))
    image = image.resize((SHOT_SIZE, SHOT_SIZE), Image.Resampling.LANCZOS)
    return encoded(image, "JPEG", quality=86, optimize=True)
