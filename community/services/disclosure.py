"""Sponsored disclosure: a note that tags a product of a brand its writer is paid by must declare the
partnership. When it does not, an open ``DisclosureFlag`` queues it for an operator; declaring the
partnership later closes the writer's open flags for that brand as "labelled".

An operator's decision on a note and partnership sticks: once they dismissed the flag (nothing to
disclose) or hid the note, the writer's later edits do not queue it again. A label the writer drops
does: the note then tags the brand undeclared once more."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from community.models import DisclosureFlag, Note, NoteProduct, Partnership


def note_disclosure_check(*, note: Note) -> list[DisclosureFlag]:
    """Flag the note for each partnership of its writer, running on the note's date or today, with a brand
    it tags but does not declare; close open flags for the brand it declares. Returns the flags opened now.
    Safe to run twice: the open-flag unique constraint turns a second flag into a no-op."""
    today = timezone.localdate()
    written_on = timezone.localdate(note.created_at) if note.created_at else today
    declared_brand = (
        Partnership.objects.filter(pk=note.partnership_id).values_list("brand_id", flat=True).first()
        if note.partnership_id
        else None
    )
    tagged_brands = NoteProduct.objects.filter(note_id=note.pk).values("product__brand_id")
    # Running when the note was written, or now: tagging the brand in an old note after signing the
    # deal is the same undeclared promotion.
    running = Q(starts_on__lte=written_on, ends_on__gte=written_on) | Q(
        starts_on__lte=today, ends_on__gte=today
    )
    undeclared = Partnership.objects.filter(running, writer_id=note.author_id, brand_id__in=tagged_brands)
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
