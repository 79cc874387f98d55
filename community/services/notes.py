"""Writing notes: create, edit (text, images, order), delete. Images are checked here and re-encoded
into WebP renditions by a Celery task after commit."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from community import text
from community.models import BODY_MAX, IMAGES_MAX, TITLE_MAX, Note, NoteImage, Topic
from community.services.search import note_search_index
from core.errors import NotFound
from core.images import image_check
from core.tasks import enqueue_on_commit


def _clean_text(*, title: str, body: str, location: str, visibility: str) -> dict:
    title = (title or "").strip()
    body = (body or "").strip()
    location = (location or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give your note a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Titles are at most %(max)d characters; this one has %(n)d.") % {
            "max": TITLE_MAX,
            "n": len(title),
        }
    if len(body) > BODY_MAX:
        errors["body"] = _("The text is at most %(max)d characters; this one has %(n)d.") % {
            "max": BODY_MAX,
            "n": len(body),
        }
    if len(location) > 60:
        errors["location"] = _("The location is at most 60 characters.")
    if visibility not in Note.Visibility.values:
        errors["visibility"] = _("Choose who can see this note.")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "body": body, "location": location, "visibility": visibility}


def _check_images(uploads: Sequence, *, existing: int = 0) -> list[tuple[object, int, int]]:
    total = existing + len(uploads)
    if total < 1:
        raise ValidationError({"images": _("Add at least one photo.")})
    if total > IMAGES_MAX:
        raise ValidationError(
            {
                "images": _("A note has at most %(max)d photos; this one would have %(n)d.")
                % {"max": IMAGES_MAX, "n": total}
            }
        )
    checked = []
    for index, upload in enumerate(uploads, start=1):
        try:
            image = image_check(
                upload,
                max_bytes=settings.NOTE_IMAGE_MAX_BYTES,
                max_pixels=settings.NOTE_IMAGE_MAX_PIXELS,
                decode=False,
            )
        except ValidationError as exc:
            raise ValidationError(
                {"images": _("Photo %(n)d: %(problem)s") % {"n": index, "problem": " ".join(exc.messages)}}
            ) from None
        checked.append((upload, image.width, image.height))
    return checked


def _topics_attach(note: Note, names: list[str]) -> None:
    """Link the note to its topics, creating missing ones without racing concurrent writers."""
    old_ids = set(note.topics.values_list("id", flat=True))
    if names:
        Topic.objects.bulk_create([Topic(name=n) for n in names], ignore_conflicts=True)
    new_topics = list(Topic.objects.filter(name__in=names)) if names else []
    new_ids = {t.id for t in new_topics}
    note.topics.set(new_topics)
    added, removed = new_ids - old_ids, old_ids - new_ids
    if added:
        Topic.objects.filter(id__in=added).update(note_count=F("note_count") + 1)
    if removed:
        Topic.objects.filter(id__in=removed, note_count__gt=0).update(note_count=F("note_count") - 1)


def _mentions_resolve(handles: list[str], *, author: User) -> list[User]:
    if not handles:
        return []
    users = list(User.objects.filter(username__in=handles, is_active=True).exclude(pk=author.pk))
    return users


def _images_add(note: Note, checked, *, start: int) -> list[NoteImage]:
    rows = []
    for offset, (upload, width, height) in enumerate(checked):
        upload.seek(0)
        original = ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.bin")
        image = NoteImage(note=note, position=start + offset, width=width, height=height)
        image.original.save(original.name, original, save=False)
        rows.append(image)
    return NoteImage.objects.bulk_create(rows)


def _renditions_enqueue(image_ids: list[int]) -> None:
    from community.tasks import image_renditions_make

    for image_id in image_ids:
        enqueue_on_commit(image_renditions_make, image_id)


def note_create(
    *,
    author: User,
    title: str,
    body: str = "",
    images: Sequence,
    location: str = "",
    visibility: str = Note.Visibility.PUBLIC,
) -> Note:
    """Publish a note. ``images`` are uploads in display order; the first is the cover."""
    fields = _clean_text(title=title, body=body, location=location, visibility=visibility)
    checked = _check_images(images)
    with transaction.atomic(durable=True):
        note = Note.objects.create(author=author, **fields)
        created = _images_add(note, checked, start=0)
        note.cover = created[0]
        note.save(update_fields=["cover"])
        _topics_attach(note, text.topics_parse(fields["body"]) + text.topics_parse(fields["title"]))
        note.mentions.set(_mentions_resolve(text.mentions_parse(fields["body"]), author=author))
        note_search_index(note_id=note.pk)
        _renditions_enqueue([i.pk for i in created])
        _mentions_notify(note.pk)
    return note


def note_update(
    *,
    note: Note,
    title: str,
    body: str = "",
    location: str = "",
    visibility: str = Note.Visibility.PUBLIC,
    image_order: Sequence[int] | None = None,
    new_images: Sequence = (),
) -> Note:
    """Edit a note. ``image_order`` lists the ids of the images to keep, in their new order (images
    left out are removed); ``new_images`` are appended after them."""
    fields = _clean_text(title=title, body=body, location=location, visibility=visibility)
    current = list(note.images.order_by("position"))
    current_ids = [i.pk for i in current]
    if image_order is None:
        keep_ids = current_ids
    else:
        keep_ids = [int(i) for i in image_order]
        if len(set(keep_ids)) != len(keep_ids) or not set(keep_ids) <= set(current_ids):
            raise ValidationError(
                {"images": _("The photo order refers to photos that are not in this note.")}
            )
    checked = _check_images(new_images, existing=len(keep_ids))
    with transaction.atomic(durable=True):
        locked = Note.objects.get(pk=note.pk)
        removed = [i for i in current if i.pk not in keep_ids]
        if removed:
            NoteImage.objects.filter(pk__in=[i.pk for i in removed]).delete()
        # Positions are checked at commit (deferred constraint), so they can be renumbered in place.
        by_id = {i.pk: i for i in current}
        for position, image_id in enumerate(keep_ids):
            if by_id[image_id].position != position:
                NoteImage.objects.filter(pk=image_id).update(position=position)
        created = _images_add(locked, checked, start=len(keep_ids))
        cover_id = keep_ids[0] if keep_ids else created[0].pk
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.cover_id = cover_id
        locked.save(update_fields=[*fields, "cover", "updated_at"])
        _topics_attach(locked, text.topics_parse(fields["body"]) + text.topics_parse(fields["title"]))
        locked.mentions.set(_mentions_resolve(text.mentions_parse(fields["body"]), author=locked.author))
        note_search_index(note_id=locked.pk)
        _renditions_enqueue([i.pk for i in created])
        _mentions_notify(locked.pk)
        files = [f for i in removed for f in (i.original, i.feed, i.detail) if f]
        transaction.on_commit(lambda: _files_delete(files))
    return locked


def note_delete(*, note: Note) -> None:
    files = [f for i in note.images.all() for f in (i.original, i.feed, i.detail) if f]
    with transaction.atomic(durable=True):
        topic_ids = list(note.topics.values_list("id", flat=True))
        deleted, _rows = Note.objects.filter(pk=note.pk).delete()
        if not deleted:
            raise NotFound(_("This note no longer exists."))
        if topic_ids:
            Topic.objects.filter(id__in=topic_ids, note_count__gt=0).update(note_count=F("note_count") - 1)
        transaction.on_commit(lambda: _files_delete(files))


def _files_delete(files) -> None:
    for f in files:
        with contextlib.suppress(OSError):
            f.storage.delete(f.name)


def _mentions_notify(note_id: int) -> None:
    from community.tasks import notification_note_mentions

    enqueue_on_commit(notification_note_mentions, note_id)
