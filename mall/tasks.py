"""Mall tasks: each is ``<service>_task``, takes ids and calls that one service. They are idempotent
because the services are (every one checks the state it acts on). Services enqueue them by name through
core.tasks.enqueue_on_commit and never import this module."""

from __future__ import annotations

from celery import shared_task

from mall.payments.sandbox import sandbox_deliver
from mall.services.checkout import reservations_delete_expired
from mall.services.customs import order_declare
from mall.services.orders import order_complete_due, order_expire, orders_expire_overdue
from mall.services.parcels import parcels_poll
from mall.services.payments import order_refund, payment_refund
from mall.services.stock import stock_reconcile

# The provider or the customs gateway may not answer for a while: retry with backoff.
RETRY_NETWORK = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 8}


@shared_task
def order_expire_task(order_id: int) -> None:
    order_expire(order_id=order_id)


@shared_task
def orders_expire_overdue_task() -> None:
    orders_expire_overdue()


@shared_task
def order_complete_due_task() -> None:
    order_complete_due()


@shared_task
def parcels_poll_task() -> None:
    parcels_poll()


@shared_task
def reservations_delete_expired_task() -> None:
    reservations_delete_expired()


@shared_task
def stock_reconcile_task() -> None:
    stock_reconcile()


@shared_task(**RETRY_NETWORK)
def order_refund_task(order_id: int, reason: str) -> None:
    order_refund(order_id=order_id, reason=reason)


@shared_task(**RETRY_NETWORK)
def payment_refund_task(payment_id: int, reason: str) -> None:
    payment_refund(payment_id=payment_id, reason=reason)


@shared_task(**RETRY_NETWORK)
def order_declare_task(order_id: int) -> None:
    order_declare(order_id=order_id)


@shared_task(**RETRY_NETWORK)
def sandbox_deliver_task(body: str) -> None:
    """The sandbox gateway's webhook delivery (it retries on network errors and 5xx like a real one)."""
    sandbox_deliver(body=body)
