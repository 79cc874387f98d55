from __future__ import annotations

import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.tests.factories import UserFactory
from community.models import Board, Comment, Note, NoteImage, Topic


def image_bytes(width: int = 600, height: int = 800, color=(255, 120, 140), fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(name: str = "photo.jpg", width: int = 600, height: int = 800, color=(255, 120, 140)):
    fmt = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}[name.rsplit(".", 1)[-1]]
    return SimpleUploadedFile(
        name, image_bytes(width, height, color, fmt), content_type=f"image/{fmt.lower()}"
    )


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"topic{n}")


class NoteFactory(factory.django.DjangoModelFactory):
    """A published note with ``images`` ready renditions (default 1), the first one as cover."""

    class Meta:
        model = Note
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Note {n}")
    body = "A honest review."

    @factory.post_generation
    def images(self, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for position in range(count):
            NoteImageFactory(note=self, position=position)
        if count:
            self.cover = self.images.order_by("position").first()
            self.save(update_fields=["cover"])


class NoteImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteImage

    note = factory.SubFactory(NoteFactory, images=0)
    position = 0
    width = 540
    height = 720
    state = NoteImage.State.READY
    original = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="original.bin"))
    feed = factory.LazyFunction(lambda: ContentFile(image_bytes(540, 720, fmt="WEBP"), name="feed.webp"))
    detail = factory.LazyFunction(
        lambda: ContentFile(image_bytes(1080, 1440, fmt="WEBP"), name="detail.webp")
    )


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Board {n}")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    note = factory.SubFactory(NoteFactory)
    author = factory.SubFactory(UserFactory)
    body = "Where can I buy this?"
