"""Trust reads: the notes about a product ("buyer shows"), verified purchases first.

A note is a verified purchase *for this product* when its writer received a delivered order line of it
(``purchases.received_lines``): derived from orders in the same statement as the notes, never stored,
so a returned order drops the note back among the others at once. Every list costs a fixed number of
queries whatever its length: the product (active, with its cover) and the notes (author, cover,
sponsoring brand joined); the full page adds the viewer's likes and collects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from community.models import Note
from community.selectors.notes import ViewerState, note_public_qs, viewer_state
from community.selectors.purchases import received_lines
from core.errors import NotFound
from core.keyset import keyset_page
from mall.models import Product
from mall.selectors.catalog import media_url, product_card_qs

PREVIEW_SIZE = 6
PAGE_SIZE = 20
# Verified purchases first, then the most liked; the id breaks ties so paging never repeats a note.
PRODUCT_NOTE_KEYS = ("-verified", "-like_count", "-id")


@dataclass
class ProductNotes:
    product: Product
    notes: list[Note]
    next_cursor: str | None = None
    has_more: bool = False
    state: ViewerState = field(default_factory=ViewerState)


def product_for_notes(*, product_id) -> Product:
    """An active product with its brand and cover (``cover_url``); 404 for anything else."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        pk = None
    product = product_card_qs().filter(pk=pk).first() if pk is not None and 0 < pk < 2**63 else None
    if product is None:
        raise NotFound(_("This product is not on sale."))
    product.cover_url = media_url(product.cover_path)
    return product


def product_notes_qs(*, product_id: int) -> QuerySet[Note]:
    """Public, published notes tagging the product, each with ``verified`` (its writer received it)."""
    verified = Exists(received_lines(user_ref=OuterRef("author_id"), product_ref=product_id))
    return note_public_qs().filter(product_links__product_id=product_id).annotate(verified=verified)


def product_notes_preview(*, product_id, size: int = PREVIEW_SIZE) -> ProductNotes:
    """The first ``size`` notes for the product page's section, and whether there are more: 2 queries."""
    product = product_for_notes(product_id=product_id)
    notes = list(product_notes_qs(product_id=product.pk).order_by(*PRODUCT_NOTE_KEYS)[: size + 1])
    return ProductNotes(product=product, notes=notes[:size], has_more=len(notes) > size)


def product_notes(*, product_id, viewer, cursor: str | None = None, size: int = PAGE_SIZE) -> ProductNotes:
    """A keyset page of the notes about the product and the viewer's likes and collects among them:
    3 queries (product, notes, viewer state; the last none for an anonymous viewer)."""
    product = product_for_notes(product_id=product_id)
    page = keyset_page(
        product_notes_qs(product_id=product.pk),
        keys=PRODUCT_NOTE_KEYS,
        cursor=cursor,
        size=size,
        salt=f"community.product.{product.pk}.notes",
    )
    return ProductNotes(
        product=product,
        notes=page.items,
        next_cursor=page.next_cursor,
        has_more=page.has_next,
        state=viewer_state(viewer=viewer, note_ids=[n.pk for n in page.items]),
    )
