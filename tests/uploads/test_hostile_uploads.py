"""Hostile image uploads through every door: the avatar form, the note form, the notes API and the admin's
product photos (tests/support/hostile_images.py makes the corpus).

For every file: no server error; no picture over the pixel limit decoded (a spy on Pillow's decoders);
a refusal is a 400 (the admin: its form page) that says why in words; an accepted file is stored
re-encoded (WebP, pixels only, nothing after the image data, no EXIF, a random name), and an accepted
note photo renders in the worker. Each test prints its figures in the run's summary.

CI runs a deterministic sample of about 150 files per door; ``UPLOAD_CORPUS=full`` (``make fuzz-uploads``)
pushes the whole corpus (over 1,000 files) through each.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from django.conf import settings

from tests.support import hostile_images as hostile
from tests.support.upload_doors import DOORS

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns about the broken EXIF of mutants it still reads.
    pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin"),
]

FULL = os.environ.get("UPLOAD_CORPUS") == "full"
SAMPLE_SIZE = 150


def _specimens(door: str) -> list[hostile.Specimen]:
    return list(hostile.corpus()) if FULL else hostile.sample(SAMPLE_SIZE, salt=door)


@pytest.mark.parametrize("door", list(DOORS))
def test_hostile_files_are_refused_in_words_or_stored_re_encoded(
    door, client, admin_client, monkeypatch, record_property
):
    entry = DOORS[door](admin_client if door == "product-admin" else client)
    spy = hostile.DecodeSpy().install(monkeypatch)
    figures, wrong, refused_by = Counter(), [], Counter()
    for specimen in _specimens(door):
        figures["tried"] += 1
        try:
            outcome, stored, text = entry.send(specimen.name, specimen.data)
        except Exception as exc:  # noqa: BLE001 - a server error is the finding; keep going, report all
            figures["errors"] += 1
            wrong.append(f"{specimen.name}: {type(exc).__name__}: {exc}")
            continue
        figures[outcome] += 1
        if outcome == "refused":
            words = hostile.refusal_said(text)
            refused_by[words] += 1
            if words is None:
                wrong.append(f"{specimen.name}: refused without a reason in words")
            if specimen.expect == hostile.ACCEPT:
                wrong.append(f"{specimen.name}: a good picture refused ({words})")
        else:
            if specimen.expect == hostile.REFUSE:
                wrong.append(f"{specimen.name}: accepted, must be refused")
            wrong += [
                f"{specimen.name}: stored {name}: {p}"
                for name, data in stored
                for p in hostile.reencoded_problems(data, name)
            ]
    summary = (
        f"uploads through {door} ({'full corpus' if FULL else 'CI sample'}): tried {figures['tried']}, "
        f"accepted {figures['accepted']}, refused {figures['refused']}, server errors {figures['errors']}; "
        f"largest picture decoded {spy.largest:,} pixels; refusals: "
        + ", ".join(f"{words}: {n}" for words, n in refused_by.most_common())
    )
    record_property("figures", summary)
    print(summary)

    assert wrong == []
    assert figures["errors"] == 0
    assert figures["tried"] >= (1000 if FULL else 140)
    assert figures["accepted"] > 0 and figures["refused"] > 0
    # no bomb decoded: nothing over the upload limit was ever decoded or given a canvas
    assert 0 < spy.largest <= min(settings.NOTE_IMAGE_MAX_PIXELS, settings.AVATAR_MAX_PIXELS)
