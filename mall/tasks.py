"""Mall tasks: thin, take ids, idempotent (every service they call checks state before acting)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def order_expire_at_deadline(order_id: int) -> bool:
    from mall.services.orders import order_expire

    return order_expire(order_id=order_id)


@shared_task
def orders_expire_sweep() -> int:
    from mall.services.orders import orders_expire_overdue

    return orders_expire_overdue()


@shared_task
def orders_complete_sweep() -> int:
    from mall.services.orders import order_complete_due

    return order_complete_due()


@shared_task
def reservations_cleanup() -> int:
    from mall.services.checkout import reservations_delete_expired

    return reservations_delete_expired()


@shared_task
def stock_reconcile() -> int:
    from mall.services.stock import stock_reconcile as reconcile

    return len(reconcile())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def payment_refund_order(order_id: int, reason: str) -> None:
    from mall.services.payments import order_refund

    order_refund(order_id=order_id, reason=reason)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def customs_declare(order_id: int) -> None:
    from mall.services.customs import order_declare

    order_declare(order_id=order_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def payment_refund(payment_id: int, reason: str) -> None:
    from mall.services.payments import payment_refund as refund

    refund(payment_id=payment_id, reason=reason)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def payment_sandbox_deliver(body: str) -> int:
    """The sandbox gateway's webhook delivery (it retries on network errors and 5xx like a real one)."""
    from mall.payments.sandbox import sandbox_deliver

    return sandbox_deliver(body=body)
