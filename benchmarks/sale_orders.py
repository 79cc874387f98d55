"""The order and line both benchmark purchases write once they decided a buyer gets the units: the same
rows the product's materializer writes, so the comparison measures only how the decision is taken."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from mall.models import Order, OrderLine


def sale_order_write(*, sale, user_id: int, request_id: str, quantity: int, prefix: str) -> Order:
    total = sale.price * quantity
    order = Order.objects.create(
        number=prefix + secrets.token_hex(8).upper(),
        user_id=user_id,
        idempotency_key=request_id,
        holds_own_stock=False,
        is_cross_border=sale.is_cross_border,
        subtotal=total,
        tax_total=0,
        total=total,
        payment_deadline=timezone.now() + timedelta(minutes=5),
    )
    OrderLine.objects.create(
        order=order, sku=sale.sku, warehouse_id=sale.warehouse_id, product_name=sale.sku.product.name,
        sku_name=sale.sku.name, sku_code=sale.sku.code, unit_price=sale.price, quantity=quantity,
        tax_rate=0, tax_amount=0, line_total=total, referral=sale.referral,
    )  # fmt: skip
    return order
