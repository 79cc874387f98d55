"""Trust: products on sale, notes in the search index tagging them, sponsored notes, disclosure flags,
and the writer's own orders moved through the real mall services to paid, shipped, delivered, returned."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, NoteProduct, Partnership
from community.services.search import note_search_index
from community.tests.factories import FeedNoteFactory
from community.tests.support.links import partnership
from mall.models import Order
from mall.tests.factories import BrandFactory, buyer, shop_product
from tests.support import orders

S = Order.State

__all__ = [
    "S",
    "open_flag",
    "order_delivered",
    "order_paid",
    "order_returned",
    "order_shipped",
    "partnership",
    "product",
    "sponsored_note",
    "tag",
    "tagged_note",
    "writer_shopper",
]


def writer_shopper():
    """A writer who can also shop: (user, address, identity)."""
    return buyer()


def product(name: str = "", **fields):
    """An active domestic product with one SKU in stock: (product, sku)."""
    if name:
        fields["name"] = name
    made, (sku,) = shop_product(is_cross_border=False, **fields)
    return made, sku


def tag(note: Note, *products) -> None:
    for position, item in enumerate(products):
        NoteProduct.objects.create(note=note, product=item, position=position)


def tagged_note(*, author, products=(), **fields) -> Note:
    """A public note with a cover, in the search index, tagging ``products``."""
    note = FeedNoteFactory(author=author, **fields)
    note_search_index(note_id=note.pk)
    tag(note, *products)
    return note


def order_paid(shopper, sku) -> Order:
    return orders.paid_order(shopper=shopper, sku=sku)


def order_shipped(shopper, sku) -> Order:
    return orders.shipped_order(shopper=shopper, sku=sku)


def order_delivered(shopper, sku) -> Order:
    return orders.delivered_order(shopper=shopper, sku=sku)


def order_returned(order: Order) -> Order:
    return orders.returned_order(order)


def sponsored_note(*, brand_name: str = "Glossier", writer=None, **fields) -> Note:
    writer = writer or UserFactory()
    deal = partnership(writer=writer, brand=BrandFactory(name=brand_name))
    note = FeedNoteFactory(author=writer, partnership=deal, **fields)
    note_search_index(note_id=note.pk)
    return note


def open_flag(*, note: Note, deal: Partnership) -> DisclosureFlag:
    """What services/disclosure.py records for an undeclared partner-brand note (made directly here)."""
    return DisclosureFlag.objects.create(note=note, partnership=deal)
