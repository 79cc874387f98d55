"""Reads of sales: live and upcoming listings with their product, units left from Redis, and the
``access_sale`` helpers through which a buyer's request names a sale (NotFound when it may not)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_redis.exceptions import ConnectionInterrupted

from core.errors import NotFound
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


# Open pages ask every few seconds whether their sales are still live: one indexed query per this many
# seconds per sale at most, so a freeze or an end shows within seconds on every open page.
PHASE_CACHE_SECONDS = 2
PHASES_MAX = 50


def _phase_key(sale_id: int) -> str:
    return f"flash:phase:{sale_id}"


def sale_phases(*, sale_ids) -> dict[int, str]:
    """Each sale's phase (``FlashSale.phase_at``) from its row, read through a cache of a few seconds; a
    draft or unknown id has none. Redis away: straight from the database."""
    ids = sorted({int(i) for i in sale_ids})[:PHASES_MAX]
    if not ids:
        return {}
    try:
        cached = cache.get_many([_phase_key(i) for i in ids])
    except (ConnectionInterrupted, *REDIS_ERRORS):
        cached = {}
    phases = {i: cached[_phase_key(i)] for i in ids if _phase_key(i) in cached}
    missing = [i for i in ids if i not in phases]
    if missing:
        now = timezone.now()
        fresh = {
            sale.pk: sale.phase_at(now)
            for sale in FlashSale.objects.exclude(state=FlashSale.State.DRAFT)
            .filter(pk__in=missing)
            .only("pk", "state", "frozen", "starts_at", "ends_at")
        }
        with contextlib.suppress(ConnectionInterrupted, *REDIS_ERRORS):
            cache.set_many({_phase_key(i): p for i, p in fresh.items()}, timeout=PHASE_CACHE_SECONDS)
        phases.update(fresh)
    return phases


def sale_phase_forget(sale_id: int) -> None:
    """After a freeze, a resume or an end: the next poll reads the row (on every instance sharing the cache)."""
    with contextlib.suppress(ConnectionInterrupted, *REDIS_ERRORS):
        cache.delete(_phase_key(sale_id))


def published_sale_ids() -> list[int]:
    """The sales whose streams may hold admissions: every published one, whatever its window."""
    return list(FlashSale.objects.filter(state=FlashSale.State.PUBLISHED).values_list("pk", flat=True))


def access_sale(*, sale_id: int, published_only: bool = False) -> FlashSale:
    """The sale a buyer's request names, with its product. Any state by default: the services answer a
    draft or ended sale themselves ("not open", "ended"); ``published_only`` for what only a published
    sale gives (a buy pass)."""
    sales = FlashSale.objects.select_related("sku__product")
    if published_only:
        sales = sales.filter(state=FlashSale.State.PUBLISHED)
    sale = sales.filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("No such sale."))
    return sale


def access_sale_page(*, sale_id: int) -> FlashSale:
    """A sale as its page shows it (product, brand, images); a draft is not shown to buyers."""
    sale = (
        FlashSale.objects.exclude(state=FlashSale.State.DRAFT)
        .select_related("sku__product__brand")
        .prefetch_related("sku__product__images")
        .filter(pk=sale_id)
        .first()
    )
    if sale is None:
        raise NotFound(_("No such sale."))
    return sale


def sale_for_console(*, sale_id: int) -> FlashSale | None:
    """A sale of any state for the operators' console (the admin checks the operator's permission)."""
    return FlashSale.objects.select_related("sku__product", "warehouse").filter(pk=sale_id).first()
