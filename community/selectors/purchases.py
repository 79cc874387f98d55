"""Verified purchases: a note shows "bought here" for a tagged product only while its writer holds a
delivered order line of that product. Derived from orders on every read, never stored or set by hand,
so a returned order takes the badge away at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Exists, F, Func, OuterRef, QuerySet

from community.models import NoteProduct
from mall.models import Order, OrderLine

# Received by the buyer and not (yet) sent back.
RECEIVED_STATES = (Order.State.DELIVERED, Order.State.COMPLETED, Order.State.RETURN_REQUESTED)


def received_lines(*, user_ref, product_ref) -> QuerySet[OrderLine]:
    """Order lines of ``product_ref`` the user ``user_ref`` received (both may be OuterRef)."""
    return OrderLine.objects.filter(
        order__user=user_ref, order__state__in=RECEIVED_STATES, sku__product=product_ref
    )


def verified_link_exists() -> Exists:
    """For a NoteProduct queryset: its note's writer received its product."""
    return Exists(received_lines(user_ref=OuterRef("note__author"), product_ref=OuterRef("product")))


def note_bought_here() -> Func:
    """For a Note queryset: at least one tagged product is a verified purchase (the feed card chip).

    The same rule as ``verified_link_exists``, run by the database function ``community_note_bought_here``
    (migration 0008): a PL/pgSQL function's query is planned once per session, so the card query no
    longer plans a five-table EXISTS on every request."""
    return Func(F("pk"), F("author_id"), function="community_note_bought_here", output_field=BooleanField())


def notes_bought_here(*, note_ids: Iterable[int]) -> dict[int, set[int]]:
    """{note id: ids of its tagged products its writer received}, in one query."""
    verified: dict[int, set[int]] = {}
    rows = (
        NoteProduct.objects.filter(note_id__in=list(note_ids))
        .filter(verified_link_exists())
        .values_list("note_id", "product_id")
    )
    for note_id, product_id in rows:
        verified.setdefault(note_id, set()).add(product_id)
    return verified
