"""What shoppers can still buy: on_hand - allocated - unexpired reservations, summed over warehouses.

One query for any number of SKUs or products: each stock record's free units are computed in SQL with
its live reservations in a correlated subquery, then summed per SKU (or per product).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from mall.models import Reservation, StockRecord

# At or below this many units a product page says "only N left".
LOW_STOCK = 5


def _free_units(now):
    live = (
        Reservation.objects.filter(stock_record=OuterRef("pk"), reserved_until__gt=now)
        .order_by()
        .values("stock_record")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Greatest(F("on_hand") - F("allocated") - Coalesce(Subquery(live), Value(0)), Value(0))


def available_by_sku(*, sku_ids: Iterable[int], now=None) -> dict[int, int]:
    ids = list(set(sku_ids))
    if not ids:
        return {}
    rows = (
        StockRecord.objects.filter(sku_id__in=ids)
        .order_by()
        .values("sku_id")
        .annotate(free=Sum(_free_units(now or timezone.now())))
    )
    found = {row["sku_id"]: int(row["free"] or 0) for row in rows}
    return {sku_id: found.get(sku_id, 0) for sku_id in ids}


def available_by_product(*, product_ids: Iterable[int], now=None) -> dict[int, int]:
    """Free units over the active SKUs of each product (0 for a product with no stock at all)."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = (
        StockRecord.objects.filter(sku__product_id__in=ids, sku__is_active=True)
        .order_by()
        .values("sku__product_id")
        .annotate(free=Sum(_free_units(now or timezone.now())))
    )
    found = {row["sku__product_id"]: int(row["free"] or 0) for row in rows}
    return {product_id: found.get(product_id, 0) for product_id in ids}


def stock_state(available: int) -> str:
    """ "sold_out", "low" (only a few left) or "in_stock"."""
    if available <= 0:
        return "sold_out"
    if available <= LOW_STOCK:
        return "low"
    return "in_stock"
