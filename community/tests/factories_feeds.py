"""Factories for feeds and profiles: many cheap notes (tiny real WebP covers), follows, likes, collects."""

from __future__ import annotations

import functools
import io
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Follow, Like, Note, NoteImage, Topic


@functools.cache
def tiny_webp(color=(255, 170, 180)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 8), color).save(buffer, format="WEBP")
    return buffer.getvalue()


class CoverFactory(factory.django.DjangoModelFactory):
    """A ready photo whose files are tiny (the card only needs its URL and its stored size)."""

    class Meta:
        model = NoteImage

    position = 0
    width = 540
    height = 720
    state = NoteImage.State.READY
    original = factory.LazyFunction(lambda: ContentFile(tiny_webp(), name="original.bin"))
    feed = factory.LazyFunction(lambda: ContentFile(tiny_webp(), name="feed.webp"))
    detail = factory.LazyFunction(lambda: ContentFile(tiny_webp(), name="detail.webp"))


class FeedNoteFactory(factory.django.DjangoModelFactory):
    """A published public note with one cheap cover. ``age`` (a timedelta) backdates it."""

    class Meta:
        model = Note
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Feed note {n}")
    body = "An honest review."
    hot_score = 1.0

    @factory.post_generation
    def cover(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is False:
            return
        image = CoverFactory(note=self, **kwargs)
        Note.objects.filter(pk=self.pk).update(cover=image)
        self.cover = image

    @factory.post_generation
    def age(self, create, extracted, **kwargs):
        if create and extracted is not None:
            self.created_at = timezone.now() - extracted
            Note.objects.filter(pk=self.pk).update(created_at=self.created_at)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                topic, _ = Topic.objects.get_or_create(name=name)
                self.topics.add(topic)


def follow(follower, followee) -> Follow:
    return Follow.objects.create(follower=follower, followee=followee)


def like(user, note) -> Like:
    return Like.objects.create(user=user, note=note)


def collect(user, note, board: Board | None = None) -> Collect:
    board = board or Board.objects.get_or_create(owner=user, name="Picks", defaults={"is_private": False})[0]
    return Collect.objects.create(user=user, note=note, board=board)


def backdate(note: Note, hours: float) -> None:
    Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(hours=hours))
