"""Orders for tests: placed through the real checkout and moved along the real state machine (paid,
shipped, delivered, returned, cleared by customs), or, for read-side tests that need many orders in
given states at given times, written as rows directly.

The orders come from the real services, so a test that needs "a paid order" exercises the same path a
buyer does; only ``order_row`` skips checkout, for statistics whose inputs are the rows themselves.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mall.models import Order, OrderLine, Payment, Sku, StockRecord
from mall.services import checkout
from mall.services.customs import order_declare
from mall.services.orders import (
    order_confirm_delivery,
    order_receive_return,
    order_request_return,
    order_ship,
    order_transition,
)
from mall.tests.factories import SkuFactory, WarehouseFactory, buyer, cart_with, shop_product, stock_give

S = Order.State
_serial = itertools.count(1)


def place_order(
    *, shopper=None, sku: Sku | None = None, quantity: int = 1, referral: str = "", cross_border=True
) -> Order:
    """An unpaid order placed through the real checkout (reserve, then place). ``shopper`` is a
    (user, address, identity) as ``buyer()`` makes; a product with stock is made when no ``sku`` is given."""
    if sku is None:
        _product, (sku,) = shop_product(is_cross_border=cross_border)
    user, address, identity = shopper or buyer()
    cart = cart_with(user=user, sku=sku, quantity=quantity, referral=referral)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    order, _replayed = checkout.order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity if sku.product.is_cross_border else None,
        idempotency_key=secrets.token_hex(8),
    )
    return order


def placed_order(
    *,
    price: Decimal = Decimal("100.00"),
    quantity: int = 1,
    cross_border: bool = True,
    stock: int = 10,
    user=None,
) -> tuple[Order, StockRecord]:
    """An unpaid order for a fresh SKU with ``stock`` units, and the stock record it holds."""
    sku = SkuFactory(price=price, product__is_cross_border=cross_border)
    record = stock_give(sku=sku, quantity=stock)
    order = place_order(shopper=user, sku=sku, quantity=quantity)
    return order, record


def order_move(order: Order, *states: str, **extra) -> Order:
    """Walk an order along the state machine (as payment, customs and the warehouse would), without
    their side effects."""
    for state in states:
        fields = dict(extra.get(state, {}))
        if state == S.PAID:
            fields.setdefault("paid_at", timezone.now())
        if state == S.DELIVERED:
            fields.setdefault("delivered_at", timezone.now())
        with transaction.atomic():
            order_transition(order=order, to_state=state, extra=fields, message=f"test: {state}")
    order.refresh_from_db()
    return order


def payment_for(order: Order, **fields) -> Payment:
    """A sandbox payment of the order's total (started, not decided, unless ``fields`` say so)."""
    defaults = {"provider": "sandbox", "reference": "pay_" + secrets.token_hex(16), "amount": order.total}
    return Payment.objects.create(order=order, **{**defaults, **fields})


def paid_order(**place) -> Order:
    """An order placed through checkout and paid by its purchaser (a succeeded payment in their name)."""
    order = place_order(**place)
    payment_for(
        order,
        state=Payment.State.SUCCEEDED,
        payer_name=order.buyer_name,
        payer_id_number=order.buyer_id_number,
        succeeded_at=timezone.now(),
    )
    return order_move(order, S.PAID)


def shipped_order(**place) -> Order:
    order = paid_order(**place)
    order_ship(order=order, tracking_number="SF900100200")
    order.refresh_from_db()
    return order


def delivered_order(**place) -> Order:
    """Paid, shipped and confirmed delivered by the buyer."""
    order = shipped_order(**place)
    order_confirm_delivery(order=order)
    order.refresh_from_db()
    return order


def returned_order(order: Order) -> Order:
    """``order`` (delivered) sent back by the buyer and received by the warehouse."""
    order_request_return(order=order, reason="Wrong shade")
    order.refresh_from_db()
    order_receive_return(order=order)
    order.refresh_from_db()
    return order


def cleared_order(**place) -> Order:
    """A paid cross-border order declared to the sandbox customs, which cleared it."""
    order = paid_order(**place)
    order_declare(order_id=order.pk)
    order.refresh_from_db()
    assert order.state == S.CLEARED, order.state
    return order


def return_requested_order(**place) -> Order:
    """A cleared order, shipped, delivered, and asked back by the buyer."""
    order = cleared_order(**place)
    order_ship(order=order, tracking_number="SF100200300")
    order_confirm_delivery(order=order)
    order_request_return(order=order, reason="Wrong shade")
    order.refresh_from_db()
    return order


def order_row(
    *,
    user,
    state: str = S.PAID,
    paid_at: datetime | None,
    lines: list[dict],
    tax_rate: Decimal = Decimal("0"),
) -> Order:
    """An order written as rows, in ``state``, paid at ``paid_at`` (None: unpaid). Each line is a dict
    with ``sku``, and optionally ``quantity`` (1), ``unit_price`` (the SKU's price) and ``referral``."""
    serial = next(_serial)
    warehouse = WarehouseFactory()
    built = []
    for line in lines:
        sku, quantity = line["sku"], line.get("quantity", 1)
        unit_price = Decimal(line.get("unit_price", sku.price))
        line_total = unit_price * quantity
        built.append((sku, quantity, unit_price, line_total, line.get("referral", "")))
    subtotal = sum((b[3] for b in built), Decimal("0.00"))
    tax_total = (subtotal * tax_rate).quantize(Decimal("0.01"))
    order = Order.objects.create(
        number=f"T{serial:06d}{secrets.token_hex(4)}",
        user=user,
        state=state,
        idempotency_key=f"row-{serial}-{secrets.token_hex(4)}",
        subtotal=subtotal,
        tax_total=tax_total,
        total=subtotal + tax_total,
        payment_deadline=(paid_at or timezone.now()) + timedelta(minutes=30),
        paid_at=paid_at,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            warehouse=warehouse,
            product_name=sku.product.name,
            sku_name=sku.name,
            sku_code=sku.code,
            unit_price=unit_price,
            quantity=quantity,
            tax_rate=tax_rate,
            tax_amount=(line_total * tax_rate).quantize(Decimal("0.01")),
            line_total=line_total,
            referral=referral,
        )
        for sku, quantity, unit_price, line_total, referral in built
    )
    return order
