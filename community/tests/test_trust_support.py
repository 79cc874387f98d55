"""Helpers for the trust tests (no tests here): products on sale, purchase links, partnerships, and orders
moved through the real mall services to delivered and returned."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, NoteProduct, Partnership
from community.services.search import note_search_index
from community.tests.factories_feeds import FeedNoteFactory
from mall.models import Order
from mall.services.orders import (
    order_confirm_delivery,
    order_receive_return,
    order_request_return,
    order_ship,
)
from mall.tests.factories import BrandFactory, buyer, shop_product
from tests.support.orders import order_move, place_order

S = Order.State


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
    return order_move(place_order(shopper=shopper, sku=sku), S.PAID)


def order_shipped(shopper, sku) -> Order:
    order = order_paid(shopper, sku)
    order_ship(order=order, tracking_number="SF900100200")
    order.refresh_from_db()
    return order


def order_delivered(shopper, sku) -> Order:
    order = order_shipped(shopper, sku)
    order_confirm_delivery(order=order)
    order.refresh_from_db()
    return order


def order_returned(order: Order) -> Order:
    order_request_return(order=order, reason="Wrong shade")
    order.refresh_from_db()
    order_receive_return(order=order)
    order.refresh_from_db()
    return order


def partnership(*, writer, brand=None, title: str = "Spring glow", days: int = 30) -> Partnership:
    today = timezone.localdate()
    return Partnership.objects.create(
        brand=brand or BrandFactory(),
        writer=writer,
        title=title,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=days),
    )


def sponsored_note(*, brand_name: str = "Glossier", writer=None, **fields) -> Note:
    writer = writer or UserFactory()
    deal = partnership(writer=writer, brand=BrandFactory(name=brand_name))
    note = FeedNoteFactory(author=writer, partnership=deal, **fields)
    note_search_index(note_id=note.pk)
    return note


def open_flag(*, note: Note, deal: Partnership) -> DisclosureFlag:
    """What services/disclosure.py records for an undeclared partner-brand note (made directly here)."""
    return DisclosureFlag.objects.create(note=note, partnership=deal)
