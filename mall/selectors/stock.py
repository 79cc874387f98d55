"""What shoppers can still buy: on_hand - allocated - unexpired reservations, summed over warehouses.

One query for any number of SKUs or products: each stock record's free units are computed in SQL with
its live reservations in a correlated subquery, then summed per SKU (or per product).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from mall.models import Reservation, StockRecord

# At or below this many units a product page says "only N left".
LOW_STOCK = 5


def live_reserved_units(now=None) -> Coalesce:
    """Units held by the live reservations of the outer stock record row: a correlated subquery, 0 when
    none. Annotate a StockRecord queryset with it."""
    live = (
        Reservation.objects.live(now)
        .filter(stock_record=OuterRef("pk"))
        .order_by()
        .values("stock_record")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(live, output_field=IntegerField()), Value(0))


def stock_records_with_availability(records: QuerySet[StockRecord], now=None) -> QuerySet[StockRecord]:
    """Each record with ``reserved`` (units held by live checkouts) and ``available`` (what a shopper can
    still buy from it: on hand - allocated - reserved), as the operators' screens show them."""
    return records.annotate(reserved=live_reserved_units(now)).annotate(
        available=F("on_hand") - F("allocated") - F("reserved")
    )


def _free_units(now):
    return Greatest(F("on_hand") - F("allocated") - live_reserved_units(now), Value(0))


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
