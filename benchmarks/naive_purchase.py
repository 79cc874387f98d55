"""A deliberately naive flash-sale purchase: read what is left, then write. NOT part of the product.

It is what docs/architecture.md ("Taking stock: conditional updates, never read-then-write") forbids ("never read-then-write"): between the SELECT of the remaining
units and the UPDATE of the counter, other buyers read the same number, so all of them buy the "last"
unit. The load harness (flashsale/tests/harness.py) is pointed at it to prove that it catches an
oversell: a harness that passes this has no teeth.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum

from benchmarks.sale_orders import sale_order_write
from flashsale.models import FlashSale
from mall.models import OrderLine


def naive_purchase(*, sale_id: int, user_id: int, request_id: str, ip: str = "", quantity: int = 1) -> str:
    sale = FlashSale.objects.select_related("sku__product").get(pk=sale_id)
    lines = OrderLine.objects.filter(referral=sale.referral)
    sold = lines.aggregate(n=Sum("quantity"))["n"] or 0  # read what is sold ...
    if sale.quota - sold < quantity:
        return "sold_out"
    bought = lines.filter(order__user_id=user_id).aggregate(n=Sum("quantity"))["n"] or 0
    if bought + quantity > sale.per_user_limit:
        return "over_limit"
    with transaction.atomic():
        sale_order_write(sale=sale, user_id=user_id, request_id=request_id, quantity=quantity, prefix="NV")
        # ... then write what was read plus this purchase (never past the quota, so the CHECK is happy).
        FlashSale.objects.filter(pk=sale_id).update(sold=sold + quantity)
    return "admitted"
