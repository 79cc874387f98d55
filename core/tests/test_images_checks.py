"""core.images.image_check: shapes refused from the header (limits that are settings), WebP sized before
Pillow allocates its canvas, Pillow's own ceiling for every caller, and what a checked image is."""

from __future__ import annotations

import io
import warnings

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image

from core.images import image_check
from tests.support import hostile_images as hostile
from tests.support import images as sample

LIMITS = {"max_bytes": 10**7, "max_pixels": 40_000_000}


def _refusal(data: bytes, **limits) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        image_check(io.BytesIO(data), **{**LIMITS, **limits})
    return refused.value


def test_the_longest_side_and_the_thinnest_shape_are_settings(settings):
    settings.IMAGE_MAX_SIDE, settings.IMAGE_MAX_ASPECT_RATIO = 300, 3
    too_long = _refusal(sample.image_bytes(301, 200, fmt="PNG"))
    assert too_long.code == "too_long"
    assert too_long.messages == ["The image is 301×200 pixels; its sides can be at most 300 pixels long."]
    thin = _refusal(sample.image_bytes(250, 80, fmt="PNG"))
    assert thin.code == "too_thin" and "One side can be at most 3 times the other" in thin.messages[0]
    assert image_check(io.BytesIO(sample.image_bytes(240, 80, fmt="PNG")), **LIMITS).width == 240  # 3:1


def test_a_webp_claiming_a_huge_canvas_is_refused_before_pillow_allocates_it(monkeypatch):
    spy = hostile.DecodeSpy().install(monkeypatch)
    for kind in ("VP8 ", "VP8L", "VP8X"):
        refused = _refusal(hostile.webp_claiming(16_383, 16_383, kind))
        assert refused.code == "too_many_pixels", kind
        assert "16383×16383" in refused.messages[0]
    assert spy.pixels == []  # no canvas, no decode


def test_webp_has_its_own_smaller_pixel_limit(monkeypatch):
    spy = hostile.DecodeSpy().install(monkeypatch)
    refused = _refusal(hostile.webp_claiming(5_000, 4_000, "VP8X"))  # 20 MP: a JPEG of this size is fine
    assert refused.messages == [
        "The image is 5000×4000 pixels; WebP images can be at most 12 megapixels. Save it as a JPEG and try again."
    ]
    assert spy.pixels == []
    assert image_check(io.BytesIO(sample.image_bytes(120, 90, fmt="WEBP")), **LIMITS).format == "WEBP"


def test_pillow_refuses_past_the_upload_limit_whoever_opens_the_file():
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS == 40_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(hostile.png_claiming(9_000, 9_000)))  # 81 MP: twice the limit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Image.open(io.BytesIO(hostile.png_claiming(7_000, 6_000)))  # 42 MP: over it
    assert [w.category for w in caught] == [Image.DecompressionBombWarning]


def test_a_bomb_under_twice_the_limit_is_refused_with_the_limit():
    refused = _refusal(hostile.png_claiming(7_000, 6_000))
    assert refused.code == "too_many_pixels"
    assert "the limit is 40 megapixels" in refused.messages[0]


def test_a_checked_image_is_upright_rgb_pixels_without_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SecretCam"
    sideways = image_check(io.BytesIO(sample.image_bytes(400, 300, fmt="JPEG", exif=exif)), **LIMITS)
    assert (sideways.width, sideways.height) == (300, 400) == sideways.image.size
    assert sideways.image.mode == "RGB" and sideways.image.info == {}

    transparent = image_check(
        io.BytesIO(sample.image_bytes(40, 40, (0, 0, 255, 0), "PNG", mode="RGBA")), **LIMITS
    )
    assert transparent.image.mode == "RGB"
    assert transparent.image.getpixel((5, 5)) == (255, 255, 255)  # see-through shows white


def test_formats_other_than_jpeg_are_reduced_as_soon_as_they_are_decoded():
    checked = image_check(io.BytesIO(sample.image_bytes(3000, 2000, fmt="PNG")), **LIMITS, fit=400)
    assert (checked.width, checked.height) == (3000, 2000)
    assert checked.image.size == (600, 400)  # 1/5: still at least 400 on both sides
    gif = image_check(io.BytesIO(sample.image_bytes(1600, 1200, 3, "GIF", mode="P")), **LIMITS, fit=400)
    assert gif.image.size == (533, 400)


def test_a_phones_multi_picture_jpeg_is_taken_as_a_jpeg():
    buffer = io.BytesIO()
    photo, depth = Image.new("RGB", (64, 48), (200, 30, 30)), Image.new("RGB", (64, 48), (9, 9, 9))
    photo.save(buffer, format="MPO", save_all=True, append_images=[depth])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    checked = image_check(buffer, **LIMITS)
    assert checked.format == "JPEG" and checked.image.getpixel((10, 10))[0] > 150


def test_an_animated_gif_of_thousands_of_frames_decodes_its_first_frame_only(monkeypatch):
    spy = hostile.DecodeSpy().install(monkeypatch)
    checked = image_check(io.BytesIO(hostile.animated_gif(5_000)), **LIMITS)
    assert checked.image.size == (8, 8)
    assert len(spy.pixels) < 5  # the first frame (loaded once, asked again), not 5,000
