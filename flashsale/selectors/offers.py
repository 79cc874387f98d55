"""The flash sale's offer to the rest of the site: a SKU in a live, published sale with units left is
sold at the sale price on the sale page. Registered with ``mall.offers`` in ``FlashsaleConfig.ready()``
so the community shows flash prices on its product cards without importing this app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flashsale.models import FlashSale
from mall.offers import Offer


def flash_offers(*, sku_ids: Iterable[int]) -> dict[int, Offer]:
    """One query: the live sales of these SKUs (published, window open, not sold out in the database).
    When a SKU is in two live sales, the lower price wins."""
    ids = list(sku_ids)
    if not ids:
        return {}
    now = timezone.now()
    sales = (
        FlashSale.objects.filter(
            sku_id__in=ids,
            state=FlashSale.State.PUBLISHED,
            starts_at__lte=now,
            ends_at__gt=now,
            sold__lt=F("quota"),
        )
        .only("id", "sku_id", "price", "ends_at")
        .order_by("-price", "-id")
    )
    offers: dict[int, Offer] = {}
    for sale in sales:  # cheapest last, so it is the one kept
        offers[sale.sku_id] = Offer(
            sku_id=sale.sku_id,
            price=sale.price,
            url=reverse("flash:sale", args=[sale.pk]),
            ends_at=sale.ends_at,
            label=_("Flash sale"),
        )
    return offers
