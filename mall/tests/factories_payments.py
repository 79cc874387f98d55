"""Helpers for payment and customs tests: orders placed through the real checkout, and webhook
deliveries signed (or forged) the way the sandbox gateway signs them."""

from __future__ import annotations

import json
import secrets
import threading
import time
from decimal import Decimal

from celery.signals import before_task_publish
from django.db import connection

from mall.models import Order, Payment, StockRecord
from mall.payments.sandbox import SIGNATURE_HEADER, sandbox_signature
from mall.services import checkout
from mall.tests.factories import SkuFactory, buyer, cart_with, stock_give

WEBHOOK_URL = "/api/payments/webhook/sandbox/"


def placed_order(
    *,
    price: Decimal = Decimal("100.00"),
    quantity: int = 1,
    cross_border: bool = True,
    stock: int = 10,
    user=None,
) -> tuple[Order, StockRecord]:
    """An unpaid order placed through checkout (reserve, then place), and the stock record it holds."""
    sku = SkuFactory(price=price, product__is_cross_border=cross_border)
    record = stock_give(sku=sku, quantity=stock)
    user, address, identity = user or buyer()
    cart = cart_with(user=user, sku=sku, quantity=quantity)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    order, _replayed = checkout.order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity if cross_border else None,
        idempotency_key=secrets.token_hex(8),
    )
    return order, record


def payment_for(order: Order, **fields) -> Payment:
    defaults = {"provider": "sandbox", "reference": "pay_" + secrets.token_hex(16), "amount": order.total}
    return Payment.objects.create(order=order, **{**defaults, **fields})


def event_for(payment: Payment, *, kind: str = "payment.succeeded", **overrides) -> dict:
    order = payment.order
    event = {
        "id": "evt_" + secrets.token_hex(12),
        "type": kind,
        "reference": payment.reference,
        "amount": str(payment.amount),
        "currency": "CNY",
        "payer_name": order.buyer_name,
        "payer_id_number": order.buyer_id_number,
        "created": int(time.time()),
    }
    return {**event, **overrides}


def signed(event: dict, *, timestamp: int | None = None, secret: bytes | None = None) -> tuple[bytes, dict]:
    """The raw body and headers of a delivery, as the gateway sends them."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    t = int(time.time()) if timestamp is None else timestamp
    return body, {SIGNATURE_HEADER: sandbox_signature(body, timestamp=t, secret=secret)}


def post_webhook(client, body: bytes, headers: dict):
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", **extra)


class PublishedTasks:
    """Every task message actually sent to the broker (from any thread), by task name."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple]] = []
        self._lock = threading.Lock()

    def __call__(self, sender=None, body=None, headers=None, **kwargs) -> None:
        args = tuple(body[0]) if isinstance(body, (list, tuple)) and body else ()
        with self._lock:
            self.sent.append((sender, args))

    def named(self, name: str) -> list[tuple]:
        return [args for sender, args in self.sent if sender == name]


def published_tasks():
    tracker = PublishedTasks()
    before_task_publish.connect(tracker, weak=False)
    return tracker


def run_concurrently(functions, *, timeout: float = 60):
    """Start every function at the same moment on its own thread and database connection."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
