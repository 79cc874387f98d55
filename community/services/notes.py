"""Writing notes: create, edit (text, images, order), delete. Images are checked here and re-encoded
into WebP renditions by a Celery task after commit."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import text
from community.models import BODY_MAX, IMAGES_MAX, TITLE_MAX, Note, NoteImage, Topic
from community.services.disclosure import note_disclosure_check
from community.services.feeds import note_hot_score_initial
from community.services.images import note_image_check
from community.services.links import note_products_clean, note_products_set, partnership_clean
from community.services.search import note_search_index
from core.errors import NotFound
from core.images import image_decoding
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


def _images_count_check(total: int) -> None:
    if total < 1:
        raise ValidationError({"images": _("Add at least one photo.")})
    if total > IMAGES_MAX:
        raise ValidationError(
            {
                "images": _("A note has at most %(max)d photos; this one would have %(n)d.")
                % {"max": IMAGES_MAX, "n": total}
            }
        )


def _check_images(uploads: Sequence, *, existing: int | None = 0) -> list[tuple[object, int, int]]:
    """Check each upload (format, bytes, pixels, shape) and decode it as the worker will, so a note is
    never accepted with a photo that then fails to render; ``existing`` photos kept in the note count
    towards the limit (``None``: the count is checked later, under the note's lock)."""
    if existing is not None:
        _images_count_check(existing + len(uploads))
    elif len(uploads) > IMAGES_MAX:
        _images_count_check(len(uploads))
    checked = []
    for index, upload in enumerate(uploads, start=1):
        try:
            with image_decoding():
                image = note_image_check(upload)
                image.image.close()
        except ValidationError as exc:
            raise ValidationError(
                {"images": _("Photo %(n)d: %(problem)s") % {"n": index, "problem": " ".join(exc.messages)}}
            ) from None
        checked.append((upload, image.width, image.height))
    return checked


def _order_of_new(order: Sequence[int] | None, count: int) -> list[int]:
    """``order`` lists indices of the uploads in display order; it must name each upload once."""
    if order is None or len(order) == 0:
        return list(range(count))
    try:
        indices = [int(i) for i in order]
    except (TypeError, ValueError):
        indices = []
    if sorted(indices) != list(range(count)):
        raise ValidationError(
            {"images": _("The photo order does not match the photos sent; please choose them again.")}
        )
    return indices


NEW_PREFIX = "new:"

# ``note_update(partnership=KEEP)``: leave the declared partnership as it is.
KEEP = object()


def _id_or_none(value) -> int | None:
    value = getattr(value, "pk", value)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not an id: partnership_clean refuses it


def _layout_parse(
    order: Sequence[int | str] | None, *, current_ids: list[int], new_count: int
) -> list[tuple[str, int]]:
    """The display order of an edited note as ("kept", image id) and ("new", upload index) slots.

    ``order`` names kept photos by id (an int or digit string) and new uploads as ``"new:N"``. Photos
    left out are removed; uploads left out are appended in file order. ``None`` keeps every photo.
    """
    refused = ValidationError({"images": _("The photo order refers to photos that are not in this note.")})
    if order is None:
        slots = [("kept", i) for i in current_ids]
    else:
        slots = []
        for token in order:
            token = str(token).strip()
            if not token:
                continue
            if token.startswith(NEW_PREFIX):
                kind, ref = "new", token[len(NEW_PREFIX) :]
            else:
                kind, ref = "kept", token
            if not ref.isdigit() or len(ref) > 18:
                raise refused
            slots.append((kind, int(ref)))
    kept = [ref for kind, ref in slots if kind == "kept"]
    new = [ref for kind, ref in slots if kind == "new"]
    if len(set(kept)) != len(kept) or not set(kept) <= set(current_ids):
        raise refused
    if len(set(new)) != len(new) or any(ref >= new_count for ref in new):
        raise refused
    slots += [("new", i) for i in range(new_count) if i not in set(new)]
    return slots


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


def _originals_save(checked) -> list[tuple[str, int, int]]:
    """Store the uploads as received (never served: renditions are made from them)."""
    saved = []
    field = NoteImage._meta.get_field("original")
    try:
        for upload, width, height in checked:
            upload.seek(0)
            content = ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.bin")
            name = field.storage.save(field.generate_filename(None, content.name), content)
            saved.append((name, width, height))
    except Exception:
        _names_delete([name for name, _w, _h in saved])
        raise
    return saved


def _images_add(note: Note, saved, *, positions: Sequence[int]) -> list[NoteImage]:
    rows = [
        NoteImage(note=note, position=position, original=name, width=width, height=height)
        for (name, width, height), position in zip(saved, positions, strict=True)
    ]
    return NoteImage.objects.bulk_create(rows)


def _renditions_enqueue(image_ids: list[int]) -> None:
    for image_id in image_ids:
        enqueue_on_commit("community.tasks.image_renditions_make_task", image_id)


def note_create(
    *,
    author: User,
    title: str,
    body: str = "",
    images: Sequence,
    image_order: Sequence[int] | None = None,
    location: str = "",
    visibility: str = Note.Visibility.PUBLIC,
    products: Sequence = (),
    partnership=None,
    draft: bool = False,
) -> Note:
    """Publish a note, or with ``draft`` save it for later (``note_publish``): a draft keeps its photos
    and purchase links but is seen by nobody else, and nothing a published note sets off (topics,
    mentions, hot score, search, disclosure review) happens until it is published. ``images`` are the uploads; ``image_order`` lists their indices in display order
    (the writer's arrangement; ``None`` keeps file order). The first photo shown is the cover.
    ``products`` are the purchase links (``[{"product": id, "sku": id or None}]``, at most 5) and
    ``partnership`` the id of the writer's own brand partnership running today (None: not sponsored).

    Nothing is stored when anything is refused: text and photos are checked before the transaction,
    and the originals written for a transaction that fails are deleted."""
    fields = _clean_text(title=title, body=body, location=location, visibility=visibility)
    links = note_products_clean(items=products)
    sponsor = partnership_clean(author=author, partnership_id=partnership)
    checked = _check_images(images)
    order = _order_of_new(image_order, len(checked))
    saved = _originals_save([checked[i] for i in order])
    try:
        with transaction.atomic(durable=True):
            status = Note.Status.DRAFT if draft else Note.Status.PUBLISHED
            note = Note.objects.create(author=author, partnership=sponsor, status=status, **fields)
            created = _images_add(note, saved, positions=range(len(saved)))
            note.cover = created[0]
            note.save(update_fields=["cover"])
            if links:
                note_products_set(note=note, items=links)
            _renditions_enqueue([i.pk for i in created])
            if not draft:
                _note_go_live(note)
    except Exception:
        _names_delete([name for name, _w, _h in saved])
        raise
    return note


def note_update(
    *,
    note: Note,
    title: str,
    body: str = "",
    location: str = "",
    visibility: str = Note.Visibility.PUBLIC,
    image_order: Sequence[int | str] | None = None,
    new_images: Sequence = (),
    products: Sequence | None = None,
    partnership=KEEP,
    publish: bool = False,
) -> Note:
    """Edit a note; with ``publish``, a draft is published with the edit (``note_publish``), and a draft
    edited without it stays a draft. ``image_order`` is the new display order: ids of the photos to keep and ``"new:N"``
    for the N-th of ``new_images`` (photos left out are removed; uploads left out go last, in file
    order). ``None`` keeps the photos as they are and appends ``new_images``.

    ``products`` replaces the purchase links (``None`` keeps them); ``partnership`` is the writer's own
    partnership id, None to drop it, ``KEEP`` (the default) to leave it. A partnership the note already
    declares stays valid after its period ends; a newly chosen one must be running today."""
    fields = _clean_text(title=title, body=body, location=location, visibility=visibility)
    links = note_products_clean(items=products) if products is not None else None
    sponsor_changed = partnership is not KEEP and _id_or_none(partnership) != note.partnership_id
    sponsor = partnership_clean(author=note.author, partnership_id=partnership) if sponsor_changed else None
    checked = _check_images(new_images, existing=None)
    saved: list[tuple[str, int, int]] = []
    try:
        with transaction.atomic(durable=True):
            # The note's row lock serialises concurrent edits of its photo positions.
            locked = Note.objects.select_for_update().filter(pk=note.pk).first()
            if locked is None:
                raise NotFound(_("This note no longer exists."))
            current = list(NoteImage.objects.filter(note=locked).order_by("position"))
            layout = _layout_parse(image_order, current_ids=[i.pk for i in current], new_count=len(checked))
            _images_count_check(len(layout))
            keep_ids = {ref for kind, ref in layout if kind == "kept"}
            removed = [i for i in current if i.pk not in keep_ids]
            if removed:
                NoteImage.objects.filter(pk__in=[i.pk for i in removed]).delete()
            # Positions are checked at commit (deferred constraint), so they can be renumbered in place.
            by_id = {i.pk: i for i in current}
            new_slots = [(position, ref) for position, (kind, ref) in enumerate(layout) if kind == "new"]
            saved = _originals_save([checked[ref] for _position, ref in new_slots])
            created = _images_add(locked, saved, positions=[position for position, _ref in new_slots])
            created_by_position = {
                position: image.pk for (position, _ref), image in zip(new_slots, created, strict=True)
            }
            for position, (kind, ref) in enumerate(layout):
                if kind == "kept" and by_id[ref].position != position:
                    NoteImage.objects.filter(pk=ref).update(position=position)
            kind, ref = layout[0]
            cover_id = ref if kind == "kept" else created_by_position[0]
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.cover_id = cover_id
            update_fields = [*fields, "cover", "updated_at"]
            if sponsor_changed:
                locked.partnership = sponsor
                update_fields.append("partnership")
            locked.save(update_fields=update_fields)
            if links is not None:
                note_products_set(note=locked, items=links)
            _renditions_enqueue([i.pk for i in created])
            if locked.status == Note.Status.DRAFT and publish:
                _draft_publish(locked)
            elif locked.status != Note.Status.DRAFT:
                _note_go_live(locked)
            files = [f for i in removed for f in (i.original, i.feed, i.detail) if f]
            transaction.on_commit(lambda: _files_delete(files))
    except Exception:
        _names_delete([name for name, _w, _h in saved])
        raise
    return locked


def note_publish(*, note: Note) -> Note:
    """Publish a draft as it is: from now on it is a new note, dated now, with what publishing sets off
    (hot score, topics, mentions and their notifications, search index, disclosure review). Publishing a
    note that is no longer a draft changes nothing."""
    with transaction.atomic(durable=True):
        locked = Note.objects.select_for_update().filter(pk=note.pk).first()
        if locked is None:
            raise NotFound(_("This note no longer exists."))
        if locked.status == Note.Status.DRAFT:
            _draft_publish(locked)
    return locked


def _draft_publish(note: Note) -> None:
    """In the caller's transaction, on the locked row."""
    note.status = Note.Status.PUBLISHED
    note.created_at = timezone.now()
    note.save(update_fields=["status", "created_at", "updated_at"])
    _note_go_live(note)


def _note_go_live(note: Note) -> None:
    """What a published note's text sets off, on create, on edit and when a draft is published. Runs in
    the caller's transaction; tasks leave at commit."""
    fields = {"title": note.title, "body": note.body}
    note_hot_score_initial(note_id=note.pk)  # in the discovery feed at once, not at the next refresh
    _topics_attach(note, _topics_of(fields))
    note.mentions.set(_mentions_resolve(text.mentions_parse(note.body), author=note.author))
    note_disclosure_check(note=note)
    note_search_index(note_id=note.pk)
    _mentions_notify(note.pk)


def note_delete(*, note: Note) -> None:
    with transaction.atomic(durable=True):
        # Django deletes the children first and the note last. Locked first, the note can't gain a child
        # in that gap (the view flush's daily row, a like): its insert waits for this commit and then
        # finds no note, instead of making the note's own DELETE fail on a foreign key at commit.
        if Note.objects.select_for_update().filter(pk=note.pk).first() is None:
            raise NotFound(_("This note no longer exists."))
        images = list(NoteImage.objects.filter(note_id=note.pk))
        topic_ids = list(note.topics.values_list("id", flat=True))
        deleted, _rows = Note.objects.filter(pk=note.pk).delete()
        if not deleted:
            raise NotFound(_("This note no longer exists."))
        if topic_ids:
            Topic.objects.filter(id__in=topic_ids, note_count__gt=0).update(note_count=F("note_count") - 1)
        files = [f for i in images for f in (i.original, i.feed, i.detail) if f]
        transaction.on_commit(lambda: _files_delete(files))


def _topics_of(fields: dict) -> list[str]:
    names = text.topics_parse(fields["title"] + " " + fields["body"])
    return names


def _names_delete(names: list[str]) -> None:
    storage = NoteImage._meta.get_field("original").storage
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


def _files_delete(files) -> None:
    for f in files:
        with contextlib.suppress(OSError):
            f.storage.delete(f.name)


def _mentions_notify(note_id: int) -> None:
    enqueue_on_commit("community.tasks.notify_note_mentions_task", note_id)
