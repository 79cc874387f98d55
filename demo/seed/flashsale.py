"""The demo's flash sales: one live sale and one upcoming sale on the demo mall's products, published
(their quota leaves warehouse stock through the ledger) and warmed into Redis.

Idempotent: while a draft or published sale on a demo product is still running, its window (live or
upcoming) gets no new one. Only the demo's own products are put on sale, and only the demo's own sales
count: an operator's products and sales are left alone. Does nothing when the demo mall has no stocked
products (the mall's step has not run).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.db.models import F
from django.utils import timezone

from core.errors import DomainError
from demo.seed.mall import PRODUCTS
from flashsale.models import FlashSale
from flashsale.services.sales import sale_publish, sale_warm
from mall.models import StockRecord

QUOTA = 10
DISCOUNT = Decimal("0.6")


def _flash_price(regular: Decimal) -> Decimal:
    """60% of the regular price, ending in .90 as shops like, and always below the regular price."""
    price = (regular * DISCOUNT).quantize(Decimal("1"), rounding=ROUND_DOWN) - Decimal("0.10")
    return max(price, Decimal("0.90"))


def _demo_slugs() -> list[str]:
    return [product.slug for product in PRODUCTS]


def _candidates():
    """Stock records with room for a quota, on the demo's active products that have a photo."""
    return (
        StockRecord.objects.filter(
            sku__product__slug__in=_demo_slugs(),
            sku__is_active=True,
            sku__product__is_active=True,
            sku__product__images__isnull=False,
        )
        .annotate(free=F("on_hand") - F("allocated"))
        .filter(free__gte=QUOTA * 2)
        .select_related("sku__product", "warehouse")
        .order_by("sku__product_id", "sku_id", "warehouse_id")
        .distinct()
    )


def seed(stdout) -> None:
    now = timezone.now()
    windows = [
        ("live", now - timedelta(minutes=5), now + timedelta(hours=12)),
        ("upcoming", now + timedelta(hours=1), now + timedelta(hours=3)),
    ]
    running = FlashSale.objects.filter(
        sku__product__slug__in=_demo_slugs(),
        state__in=[FlashSale.State.DRAFT, FlashSale.State.PUBLISHED],
        ends_at__gt=now,
    )
    missing = [
        w
        for w in windows
        if not running.filter(**{"starts_at__lte" if w[0] == "live" else "starts_at__gt": now}).exists()
    ]
    if not missing:
        stdout.write("Flash sales: the demo sales are already running.")
        return
    taken_products = set(running.values_list("sku__product_id", flat=True))
    made = []
    records = iter(_candidates())
    for kind, starts_at, ends_at in missing:
        record = next((r for r in records if r.sku.product_id not in taken_products), None)
        if record is None:
            break
        taken_products.add(record.sku.product_id)
        sale = FlashSale.objects.create(
            title=f"Welfare club · {record.sku.product.name}"[:60],
            sku=record.sku,
            warehouse=record.warehouse,
            price=_flash_price(record.sku.price),
            quota=QUOTA,
            per_user_limit=1,
            starts_at=starts_at,
            ends_at=ends_at,
            is_cross_border=record.sku.product.is_cross_border,
        )
        sale = sale_publish(sale=sale)
        try:
            sale_warm(sale=sale)
        except DomainError as exc:
            stdout.write(f"Flash sales: {sale} not warmed ({exc.message}); the periodic task will do it.")
        made.append(f"{kind} “{sale}”")
    if made:
        stdout.write("Flash sales: " + ", ".join(made) + ".")
    else:
        stdout.write("Flash sales: no stocked demo products yet; run the mall's step first.")
