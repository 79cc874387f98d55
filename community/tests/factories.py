"""factory_boy factories for community rows, and small makers built on them: notes in every state (with
ready photos, photos still being prepared, cheap covers for feeds, in the search index), follows, likes,
collects, comments, notifications and reports."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import (
    Board,
    Collect,
    Comment,
    Follow,
    Like,
    Note,
    NoteImage,
    Notification,
    Report,
    Topic,
)
from community.services.search import note_search_index
from tests.support.images import image_bytes, tiny_webp


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


# --- feeds and profiles: many cheap notes (tiny real WebP covers) ------------------------------------


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


# --- notes in other states ------------------------------------------------------------------------------


def pending_image(note: Note, *, position: int, width: int = 600, height: int = 900) -> NoteImage:
    """A photo whose renditions are not made yet: only the original exists."""
    return NoteImageFactory(
        note=note,
        position=position,
        width=width,
        height=height,
        state=NoteImage.State.PENDING,
        feed="",
        detail="",
    )


def hidden_note(**kwargs) -> Note:
    return NoteFactory(status=Note.Status.HIDDEN, **kwargs)


def private_note(**kwargs) -> Note:
    return NoteFactory(visibility=Note.Visibility.PRIVATE, **kwargs)


# --- notifications and reports ---------------------------------------------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    """A like on one of the recipient's notes, unread."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(UserFactory)
    kind = Notification.Kind.LIKE_NOTE
    inbox = factory.LazyAttribute(lambda o: Notification.INBOX_OF[o.kind])
    note = factory.LazyAttribute(
        lambda o: NoteFactory(author=o.recipient) if o.kind != Notification.Kind.FOLLOW else None
    )
    comment = None
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


class NoteReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    note = factory.SubFactory(NoteFactory)
    comment = None
    reason = Report.Reason.SPAM


class CommentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    note = None
    comment = factory.SubFactory(CommentFactory)
    reason = Report.Reason.OFFENSIVE


# --- search ----------------------------------------------------------------------------------------------


def indexed_note(*, topics: tuple[str, ...] = (), images: int = 0, **fields):
    """A note (published and public unless ``fields`` say otherwise) with its search vector built."""
    note = NoteFactory(images=images, **fields)
    if topics:
        names = list(topics)
        Topic.objects.bulk_create([Topic(name=n) for n in names], ignore_conflicts=True)
        note.topics.set(Topic.objects.filter(name__in=names))
    note_search_index(note_id=note.pk)
    note.refresh_from_db()
    return note
