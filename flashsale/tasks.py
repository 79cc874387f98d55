"""Flash-sale tasks: each takes ids, calls one service and holds no logic; all are idempotent. Services
enqueue them by name (core.tasks.enqueue_on_commit) and never import this module."""

from __future__ import annotations

from celery import shared_task

from flashsale.services.materialize import orders_expire, sale_drain, sales_drain_live
from flashsale.services.reminders import reminder_send, reminders_send
from flashsale.services.sales import sales_end_due, sales_reconcile, sales_warm_due, unit_return_for_order


@shared_task
def orders_expire_task(order_ids: list[int]) -> int:
    return orders_expire(order_ids=order_ids)


@shared_task
def unit_return_for_order_task(order_id: int) -> bool:
    return unit_return_for_order(order_id=order_id)


@shared_task
def sale_drain_task(sale_id: int) -> int:
    return sale_drain(sale_id=sale_id)


@shared_task
def sales_drain_live_task() -> int:
    return sales_drain_live()


@shared_task
def sales_warm_due_task() -> int:
    return sales_warm_due()


@shared_task
def sales_reconcile_task() -> int:
    return sales_reconcile()


@shared_task
def sales_end_due_task() -> int:
    return sales_end_due()


@shared_task
def reminders_send_task() -> int:
    return reminders_send()


@shared_task
def reminder_send_task(reminder_id: int) -> bool:
    return reminder_send(reminder_id=reminder_id)
