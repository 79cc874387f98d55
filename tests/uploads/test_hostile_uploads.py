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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note, NoteImage
from community.services.images import image_renditions_make
from mall.models import ProductImage
from mall.tests.factories import shop_product
from tests.support import hostile_images as hostile
from tests.support.admin import form_data

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns about the broken EXIF of mutants it still reads.
    pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin"),
]

FULL = os.environ.get("UPLOAD_CORPUS") == "full"
SAMPLE_SIZE = 150


def _specimens(door: str) -> list[hostile.Specimen]:
    return list(hostile.corpus()) if FULL else hostile.sample(SAMPLE_SIZE, salt=door)


def _file(specimen: hostile.Specimen) -> SimpleUploadedFile:
    return SimpleUploadedFile(specimen.name, specimen.data, content_type=specimen.content_type)


def _read(field) -> bytes:
    with field.open("rb") as fh:
        return fh.read()


class Door:
    """One way in. ``send`` answers ("accepted", stored files) or ("refused", the page's text)."""

    def __init__(self, client) -> None:
        self.client = client


class AvatarForm(Door):
    def __init__(self, client) -> None:
        super().__init__(client)
        self.user = UserFactory()
        client.force_login(self.user)

    def send(self, specimen):
        response = self.client.post(
            reverse("accounts:profile_edit"), {"nickname": "fuzz", "avatar_upload": _file(specimen)}
        )
        if response.status_code == 302:
            self.user.refresh_from_db()
            return "accepted", [(self.user.avatar.name, _read(self.user.avatar))], ""
        return self._refused(response)

    def _refused(self, response):
        assert response.status_code == 400, response.status_code
        return "refused", [], response.content.decode()


class NoteForm(AvatarForm):
    def send(self, specimen):
        before = Note.objects.filter(author=self.user).count()
        response = self.client.post(
            reverse("community:note_new"),
            {"title": "fuzz", "body": "", "visibility": "public", "images": _file(specimen)},
        )
        if response.status_code == 302:
            return "accepted", _rendered(self.user), ""
        assert Note.objects.filter(author=self.user).count() == before  # nothing kept of a refusal
        return self._refused(response)


class NotesApi(Door):
    def __init__(self, client) -> None:
        super().__init__(APIClient())
        self.user = UserFactory()
        self.client.force_authenticate(self.user)

    def send(self, specimen):
        response = self.client.post(
            "/api/notes/", {"title": "fuzz", "images": [_file(specimen)]}, format="multipart"
        )
        if response.status_code == 201:
            return "accepted", _rendered(self.user), ""
        assert response.status_code == 400, response.status_code
        assert "images" in response.json(), response.json()
        return "refused", [], response.content.decode("unicode_escape")


class ProductAdmin(Door):
    def __init__(self, client) -> None:
        super().__init__(client)
        self.product, _skus = shop_product(images=0)
        self.url = reverse("admin:mall_product_change", args=[self.product.pk])
        self.data = form_data(client.get(self.url), "product_form")

    def send(self, specimen):
        before = set(ProductImage.objects.filter(product=self.product).values_list("pk", flat=True))
        data = {**self.data, "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0"}
        data.update({"images-0-image": _file(specimen), "images-0-position": "0"})
        response = self.client.post(self.url, data)
        if response.status_code == 302:
            image = ProductImage.objects.filter(product=self.product).exclude(pk__in=before).get()
            return "accepted", [(image.image.name, _read(image.image))], ""
        assert response.status_code == 200, response.status_code
        assert ProductImage.objects.filter(product=self.product).count() == len(before)
        page = response.content.decode()
        assert 'class="errorlist' in page
        return "refused", [], page


def _rendered(user) -> list[tuple[str, bytes]]:
    """The worker's renditions of the newest note's photo (made here by the worker's own service): an
    accepted photo must render."""
    image = NoteImage.objects.filter(note__author=user).latest("pk")
    image_renditions_make(image_id=image.pk)
    image.refresh_from_db()
    assert image.state == NoteImage.State.READY, f"accepted, then failed in the worker ({image.state})"
    assert image.original.name.endswith(".bin")  # kept private, as received, under a name that says nothing
    return [(f.name, _read(f)) for f in (image.feed, image.detail)]


DOORS = {
    "avatar-form": AvatarForm,
    "note-form": NoteForm,
    "notes-api": NotesApi,
    "product-admin": ProductAdmin,
}


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
            outcome, stored, text = entry.send(specimen)
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
