"""Sponsored disclosure: a note that tags a product of a brand its writer is paid by must declare the
partnership. When it does not, an open ``DisclosureFlag`` queues it for an operator; declaring the
partnership later closes the writer's open flags for that brand as "labelled".

An operator's decision on a note and partnership sticks: once they dismissed the flag (nothing to
disclose) or hid the note, the writer's later edits do not queue it again. A label the writer drops
does: the note then tags the brand undeclared once more."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import DisclosureFlag, Note, NoteProduct, Partnership


def note_disclosure_check(*, note: Note) -> list[DisclosureFlag]:
    """Flag the note for each partnership of its writer, running on the note's date, with a brand it tags
    but does not declare; close open flags for the brand it declares. Returns the flags opened now.
    Safe to run twice: the open-flag unique constraint turns a second flag into a no-op."""
    day = timezone.localdate(note.created_at) if note.created_at else timezone.localdate()
    declared_brand = (
        Partnership.objects.filter(pk=note.partnership_id).values_list("brand_id", flat=True).first()
        if note.partnership_id
        else None
    )
    tagged_brands = NoteProduct.objects.filter(note_id=note.pk).values("product__brand_id")
    undeclared = Partnership.objects.filter(
        writer_id=note.author_id, brand_id__in=tagged_brands, starts_on__lte=day, ends_on__gte=day
    )
    if declared_brand is not None:
        undeclared = undeclared.exclude(brand_id=declared_brand)
    decided = DisclosureFlag.objects.filter(
        note_id=note.pk, state__in=(DisclosureFlag.State.DISMISSED, DisclosureFlag.State.HIDDEN)
    ).values("partnership_id")
    undeclared = undeclared.exclude(pk__in=decided)
    opened = []
    for partnership in undeclared.order_by("id"):
        try:
            with transaction.atomic():
                opened.append(DisclosureFlag.objects.create(note_id=note.pk, partnership=partnership))
        except IntegrityError:
            pass  # already waiting for an operator
    if declared_brand is not None:
        DisclosureFlag.objects.filter(
            note_id=note.pk, state=DisclosureFlag.State.OPEN, partnership__brand_id=declared_brand
        ).update(state=DisclosureFlag.State.LABELLED, handled_at=timezone.now())
    return opened
