"""Uploads cannot exhaust memory: a 40-megapixel JPEG avatar is decoded at the scale the avatar needs, and
a process decodes one image at a time however many threads upload at once."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageDraw

from core.images import image_check, image_decoding
from tests.support.images import decode_slot_taken

MEASURE = """
import io, resource, sys
import django
django.setup()
from accounts.services.users import avatar_encode
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
avatar_encode(io.BytesIO(data))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.fixture(scope="module")
def photo_40mp(tmp_path_factory):
    image = Image.new("RGB", (7000, 5700), (200, 120, 90))
    draw = ImageDraw.Draw(image)
    for x in range(0, 7000, 140):
        draw.line([(x, 0), (7000 - x, 5700)], fill=(x % 255, 40, 200), width=3)
    path = tmp_path_factory.mktemp("big") / "big.jpg"
    image.save(path, quality=80)
    assert path.stat().st_size < settings.AVATAR_MAX_BYTES
    return path


def test_a_40_megapixel_jpeg_is_decoded_at_the_avatars_scale(photo_40mp):
    checked = image_check(photo_40mp.open("rb"), max_bytes=10**8, max_pixels=50_000_000, fit=400)

    assert (checked.width, checked.height) == (7000, 5700)  # what the file says, for the limits
    assert checked.image.size == (875, 713)  # what was decoded: 1/8 of each side, still over 400
    assert min(checked.image.size) >= 400


def test_the_avatar_path_peaks_at_megabytes_not_hundreds_of_them(photo_40mp):
    """Measured in a fresh process (peak resident memory): decoding this photo whole costs about 450 MiB."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(photo_40mp)],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(done.stdout.strip()) < 48, done.stdout


def test_a_process_decodes_one_image_at_a_time(settings):
    settings.IMAGE_DECODE_WAIT_SECONDS = 0.2
    with decode_slot_taken():
        with pytest.raises(ValidationError) as busy, image_decoding():
            pass
        assert busy.value.code == "busy"
    with image_decoding():  # free again once the first is done
        pass


def test_a_png_is_decoded_whole_but_only_within_the_pixel_limit():
    buffer = io.BytesIO()
    Image.new("RGB", (100_000, 1)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as refused:
        image_check(buffer, max_bytes=10**7, max_pixels=50_000, fit=400)
    assert refused.value.code == "too_many_pixels"
