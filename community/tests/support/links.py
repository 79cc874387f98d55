"""Purchase links: products with stock, brand partnerships, notes that tag products, delivered orders."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Note, NoteProduct, Partnership
from community.tests.factories import NoteFactory
from mall.models import Order
from mall.tests.factories import BrandFactory, buyer, shop_product
from tests.support.orders import delivered_order

S = Order.State

__all__ = ["S", "buyer", "delivered_order", "partnership", "product", "tagged_note"]


def product(name: str = "", *, prices=("100.00",), stock=10, brand=None, **fields):
    """A product on sale (not cross-border unless asked) with one SKU per price and a photo:
    (product, [sku, ...])."""
    fields.setdefault("is_cross_border", False)
    if brand is not None:
        fields["brand"] = brand
    return shop_product(name=name, prices=prices, stock=stock, **fields)


def partnership(
    *, writer, brand=None, days_before: int = 1, days_after: int = 30, title: str = "Spring glow"
) -> Partnership:
    """A brand deal that started ``days_before`` days ago and ends in ``days_after`` days (site's dates:
    negative numbers put it in the future or the past)."""
    today = timezone.localdate()
    return Partnership.objects.create(
        writer=writer,
        brand=brand or BrandFactory(),
        title=title,
        starts_on=today - datetime.timedelta(days=days_before),
        ends_on=today + datetime.timedelta(days=days_after),
    )


def tagged_note(*, products=(), author=None, **fields) -> Note:
    """A published public note tagging ``products`` (a product, or a (product, sku) pair) in order."""
    note = NoteFactory(author=author or UserFactory(), **fields)
    for position, item in enumerate(products):
        prod, sku = item if isinstance(item, tuple) else (item, None)
        NoteProduct.objects.create(note=note, product=prod, sku=sku, position=position)
    return note
