"""Reads for sale listings: live and upcoming sales with their product, remaining units from Redis."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from flashsale import keys
from flashsale.models import FlashSale
from flashsale.services.redis import REDIS_ERRORS, client


def sales_visible(*, horizon_hours: int = 24) -> QuerySet[FlashSale]:
    now = timezone.now()
    return (
        FlashSale.objects.filter(
            state=FlashSale.State.PUBLISHED,
            ends_at__gt=now,
            starts_at__lte=now + timedelta(hours=horizon_hours),
        )
        .select_related("sku__product__brand")
        .prefetch_related("sku__product__images")
        .order_by("starts_at", "id")
    )


def remaining_units(sales) -> dict[int, int]:
    """Units left per sale, from Redis in one round trip (the database's view when Redis is away)."""
    sales = list(sales)
    if not sales:
        return {}
    try:
        # A pipeline, not MGET: each sale's keys live in their own cluster slot.
        pipe = client().pipeline(transaction=False)
        for sale in sales:
            pipe.get(keys.stock(sale.pk))
        values = pipe.execute()
    except REDIS_ERRORS:
        values = [None] * len(sales)
    return {s.pk: (int(v) if v is not None else s.remaining) for s, v in zip(sales, values, strict=True)}
