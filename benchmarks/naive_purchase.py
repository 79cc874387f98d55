"""A deliberately naive flash-sale purchase: read what is left, then write. NOT part of the product.

It is what docs/architecture.md ("Taking stock: conditional updates, never read-then-write") forbids ("never read-then-write"): between the SELECT of the remaining
units and the UPDATE of the counter, other buyers read the same number, so all of them buy the "last"
unit. The load harness (flashsale/tests/harness.py) is pointed at it to prove that it catches an
oversell: a harness that passes this has no teeth.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from flashsale.models import FlashSale
from mall.models import Order, OrderLine


def naive_purchase(*, sale_id: int, user_id: int, request_id: str, ip: str = "", quantity: int = 1) -> str:
    sale = FlashSale.objects.select_related("sku__product").get(pk=sale_id)
    lines = OrderLine.objects.filter(referral=sale.referral)
    sold = lines.aggregate(n=Sum("quantity"))["n"] or 0  # read what is sold ...
    if sale.quota - sold < quantity:
        return "sold_out"
    bought = lines.filter(order__user_id=user_id).aggregate(n=Sum("quantity"))["n"] or 0
    if bought + quantity > sale.per_user_limit:
        return "over_limit"
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.create(
            number="NV" + secrets.token_hex(8).upper(),
            user_id=user_id,
            idempotency_key=request_id,
            holds_own_stock=False,
            is_cross_border=sale.is_cross_border,
            subtotal=sale.price * quantity,
            tax_total=0,
            total=sale.price * quantity,
            payment_deadline=now + timedelta(minutes=5),
        )
        OrderLine.objects.create(
            order=order, sku=sale.sku, warehouse_id=sale.warehouse_id, product_name=sale.sku.product.name,
            sku_name=sale.sku.name, sku_code=sale.sku.code, unit_price=sale.price, quantity=quantity,
            tax_rate=0, tax_amount=0, line_total=sale.price * quantity, referral=sale.referral,
        )  # fmt: skip
        # ... then write what was read plus this purchase (never past the quota, so the CHECK is happy).
        FlashSale.objects.filter(pk=sale_id).update(sold=sold + quantity)
    return "admitted"
