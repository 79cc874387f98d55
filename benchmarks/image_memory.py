"""Memory of the note-photo worker for one large photo: peak resident memory above the worker's own.

Each sample is measured in a fresh process that imports what a Celery worker imports (Django set up,
``community.tasks``), then runs the rendition path the worker runs for one photo: the check and decode
(``note_image_check``) and the two WebP renditions. Reported per sample: the process's resident memory
before, its peak during the photo (``VmHWM``, reset
first through ``/proc/self/clear_refs``), what stays after, and Python's own allocation peak
(tracemalloc; Pillow's pixel buffers are C memory, so most of the cost shows in RSS only).

    .venv/bin/python benchmarks/image_memory.py                   # this tree; figures to stdout
    .venv/bin/python benchmarks/image_memory.py --tree /tmp/old    # another checkout (e.g. the commit
                                                                   # before, from `git archive`)
    .venv/bin/python benchmarks/image_memory.py --markdown benchmarks/results/image-memory.md

Samples are made with a fixed seed: a 12-megapixel photo (4000x3000) as baseline and progressive JPEG,
a sideways JPEG (EXIF orientation 6), PNG, WebP and GIF, and a 40-megapixel JPEG (the upload limit).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import io, json, sys, tracemalloc
import django
django.setup()
import community.tasks  # noqa: F401 - what the worker imports
from django.conf import settings
from community.services import images as note_images
from core.images import image_decoding

def status_mib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024

def rss_mib():
    return status_mib("VmRSS")

def render(fh):
    widths = [settings.NOTE_IMAGE_FEED_WIDTH, settings.NOTE_IMAGE_DETAIL_WIDTH]
    if hasattr(note_images, "note_image_check"):  # this tree
        from core.images import image_renditions_webp
        checked = note_images.note_image_check(fh)
        return image_renditions_webp(checked.image, widths=widths)
    # the commit before (for the "before" figures): check at the detail scale, then each rendition
    from core.images import image_check, image_resized_webp
    checked = image_check(fh, max_bytes=settings.NOTE_IMAGE_MAX_BYTES,
                          max_pixels=settings.NOTE_IMAGE_MAX_PIXELS, fit=widths[1])
    return [image_resized_webp(checked.image, width=w) for w in widths]

data = open(sys.argv[1], "rb").read()
# Start the peak here: setting up Django (jieba's dictionary) peaks higher than it stays.
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = rss_mib()
tracemalloc.start()
with image_decoding():
    made = render(io.BytesIO(data))
python_peak = tracemalloc.get_traced_memory()[1] / 2**20
tracemalloc.stop()
peak = status_mib("VmHWM")
sizes = [[w, h] for _f, w, h in made]
del made
print(json.dumps({"before": before, "peak": peak, "after": rss_mib(), "python_peak": python_peak,
                  "renditions": sizes}))
"""


def _photo(width: int, height: int, seed: int) -> Image.Image:
    """Something like a photo for the encoders: noise under coloured shapes (not one flat colour)."""
    rng = random.Random(seed)
    image = Image.effect_noise((width // 4, height // 4), 60).convert("RGB").resize((width, height))
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.randrange(width), rng.randrange(height)
        box = [x, y, x + rng.randrange(50, width // 6), y + rng.randrange(50, height // 5)]
        draw.ellipse(box, fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return image


def samples(folder: Path) -> dict[str, Path]:
    photo = _photo(4000, 3000, seed=12)
    made = {}

    def save(name: str, image: Image.Image, **options) -> None:
        path = folder / name
        image.save(path, **options)
        made[name] = path

    save("12mp.jpg", photo, quality=90)
    save("12mp-progressive.jpg", photo, quality=90, progressive=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    save("12mp-sideways.jpg", photo, quality=90, exif=exif)
    save("12mp.png", photo)
    save("12mp.webp", photo, quality=85)
    save("12mp.gif", photo.convert("P", palette=Image.Palette.ADAPTIVE))
    save("40mp.jpg", _photo(7300, 5475, seed=40), quality=85)
    return made


def measure(tree: Path, path: Path) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(tree),
        **{k: v for k, v in os.environ.items() if k in ("DATABASE_URL", "REDIS_URL")},
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--title", default="this tree", help="what was measured, for the table's heading")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in samples(Path(tmp)).items():
            figures = measure(args.tree.resolve(), path)
            figures["sample"], figures["bytes"] = name, path.stat().st_size
            rows.append(figures)
            print(
                f"{name:22} {figures['bytes'] / 2**20:5.1f} MiB file  worker RSS {figures['before']:5.0f} -> "
                f"peak {figures['peak']:5.0f} MiB (+{figures['peak'] - figures['before']:4.0f}), after "
                f"{figures['after']:4.0f}; Python peak {figures['python_peak']:5.1f} MiB; "
                f"renditions {figures['renditions']}",
                flush=True,
            )
    if args.markdown:
        lines = [
            f"# Note-photo worker memory: {args.title}",
            "",
            "MiB; one photo per fresh process (benchmarks/image_memory.py). Peak: VmHWM after the",
            "photo, reset before it; after: VmRSS once the renditions are made and dropped.",
            "",
            "| sample | file MiB | RSS before | peak | peak - before | after | Python peak (tracemalloc) |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r['sample']} | {r['bytes'] / 2**20:.1f} | {r['before']:.0f} | {r['peak']:.0f} | "
            f"+{r['peak'] - r['before']:.0f} | {r['after']:.0f} | {r['python_peak']:.1f} |"
            for r in rows
        ]
        args.markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
