"""Helpers for the shopper's pages and API: catalog trees, products with SKUs, photos and stock from the
ledger, orders placed through the real checkout and moved along the real state machine."""

from __future__ import annotations

import io
import secrets
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from mall.models import Order, ProductImage, Sku, TaxCategory
from mall.services import checkout
from mall.services.catalog import product_refresh_min_price
from mall.services.orders import order_transition
from mall.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductFactory,
    SkuFactory,
    buyer,
    cart_with,
    stock_give,
)

S = Order.State


def tiny_jpeg(colour=(255, 200, 210)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="shot.jpg")


def cosmetics_tax() -> TaxCategory:
    tax, _created = TaxCategory.objects.get_or_create(
        name="Cosmetics", defaults={"vat_rate": Decimal("0.13"), "consumption_rate": Decimal("0.15")}
    )
    return tax


def shop_product(
    *,
    name: str = "",
    prices=("100.00",),
    stock: int | tuple | list | None = 10,
    images: int = 1,
    **fields,
):
    """A product on sale with one SKU per price (cheapest first), photos, and ``stock`` units of each
    SKU received through the ledger (a list gives each SKU its own; None or 0 receives nothing)."""
    if name:
        fields["name"] = name
    product = ProductFactory(min_price=Decimal(prices[0]), **fields)
    stocks = list(stock) if isinstance(stock, (list, tuple)) else [stock] * len(prices)
    skus = []
    for index, (price, units) in enumerate(zip(prices, stocks, strict=True)):
        sku = SkuFactory(product=product, price=Decimal(price), name=f"Size {index + 1}")
        if units:
            stock_give(sku=sku, quantity=units)
        skus.append(sku)
    for position in range(images):
        image = ProductImage(product=product, position=position)
        image.image.save(f"{product.slug}-{position}.jpg", tiny_jpeg(), save=True)
    product_refresh_min_price(product_id=product.pk)
    product.refresh_from_db()
    return product, skus


def category_pair():
    """A top category with one subcategory."""
    parent = CategoryFactory(name="Beauty", slug="beauty", icon="💄")
    child = CategoryFactory(name="Skincare", slug="skincare", icon="🧴", parent=parent)
    return parent, child


def place_order(
    *, shopper=None, sku: Sku | None = None, quantity: int = 1, referral: str = "", cross_border=True
):
    """An unpaid order placed through the real checkout (reserve, then place)."""
    if sku is None:
        _product, (sku,) = shop_product(is_cross_border=cross_border)
    user, address, identity = shopper or buyer()
    cart = cart_with(user=user, sku=sku, quantity=quantity, referral=referral)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    order, _replayed = checkout.order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity if sku.product.is_cross_border else None,
        idempotency_key=secrets.token_hex(8),
    )
    return order


def order_move(order: Order, *states: str, **extra) -> Order:
    """Walk an order along the state machine (as payment, customs and the warehouse would)."""
    for state in states:
        fields = dict(extra.get(state, {}))
        if state == S.PAID:
            fields.setdefault("paid_at", timezone.now())
        if state == S.DELIVERED:
            fields.setdefault("delivered_at", timezone.now())
        with transaction.atomic():
            order_transition(order=order, to_state=state, extra=fields, message=f"test: {state}")
    order.refresh_from_db()
    return order


__all__ = [
    "BrandFactory",
    "CategoryFactory",
    "category_pair",
    "cosmetics_tax",
    "order_move",
    "place_order",
    "shop_product",
    "tiny_jpeg",
]
