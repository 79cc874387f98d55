"""Catalog upkeep: the listing price of a product follows its cheapest active SKU."""

from __future__ import annotations

from django.db.models import Min

from mall.models import Product


def product_refresh_min_price(*, product_id: int) -> None:
    low = Product.objects.filter(pk=product_id).aggregate(low=Min("skus__price", filter=None))["low"]
    active_low = (
        Product.objects.filter(pk=product_id, skus__is_active=True).aggregate(low=Min("skus__price"))["low"]
        or low
    )
    if active_low is not None:
        Product.objects.filter(pk=product_id).update(min_price=active_low)
