"""The ways an image is uploaded, driven as a person or a client does it: the avatar form, the note
form, the notes API and the admin's product photos. ``door.send(name, data)`` answers ("accepted", the
files stored, "") or ("refused", [], the page or JSON that says why); anything else is a failure."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note, NoteImage
from community.services.images import image_renditions_make
from mall.models import ProductImage
from mall.tests.factories import shop_product
from tests.support.admin import form_data

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    content_type = CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
    return SimpleUploadedFile(name, data, content_type=content_type)


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

    def send(self, name: str, data: bytes):
        response = self.client.post(
            reverse("accounts:profile_edit"), {"nickname": "fuzz", "avatar_upload": _file(name, data)}
        )
        if response.status_code == 302:
            self.user.refresh_from_db()
            return "accepted", [(self.user.avatar.name, _read(self.user.avatar))], ""
        return self._refused(response)

    def _refused(self, response):
        assert response.status_code == 400, response.status_code
        return "refused", [], response.content.decode()


class NoteForm(AvatarForm):
    def send(self, name: str, data: bytes):
        before = Note.objects.filter(author=self.user).count()
        response = self.client.post(
            reverse("community:note_new"),
            {"title": "fuzz", "body": "", "visibility": "public", "images": _file(name, data)},
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

    def send(self, name: str, data: bytes):
        response = self.client.post(
            "/api/notes/", {"title": "fuzz", "images": [_file(name, data)]}, format="multipart"
        )
        if response.status_code == 201:
            return "accepted", _rendered(self.user), ""
        assert response.status_code == 400, response.status_code
        assert "images" in response.json(), response.json()
        return "refused", [], json.dumps(response.json(), ensure_ascii=False)


class ProductAdmin(Door):
    def __init__(self, client) -> None:
        super().__init__(client)
        self.product, _skus = shop_product(images=0)
        self.url = reverse("admin:mall_product_change", args=[self.product.pk])
        self.data = form_data(client.get(self.url), "product_form")

    def send(self, name: str, data: bytes):
        before = set(ProductImage.objects.filter(product=self.product).values_list("pk", flat=True))
        form = {**self.data, "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0"}
        form.update({"images-0-image": _file(name, data), "images-0-position": "0"})
        response = self.client.post(self.url, form)
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
