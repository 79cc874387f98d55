"""Flash-sale tasks: thin and idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def orders_expire_at_deadline(order_ids: list[int]) -> int:
    from mall.services.orders import order_expire

    return sum(order_expire(order_id=i) for i in order_ids)


@shared_task
def unit_return(order_id: int) -> bool:
    from flashsale.services.sales import unit_return as give_back
    from mall.models import OrderLine

    referral = (
        OrderLine.objects.filter(order_id=order_id, referral__startswith="flashsale:")
        .values_list("referral", flat=True)
        .first()
    )
    if not referral:
        return False
    return give_back(sale_id=int(referral.split(":", 1)[1]), order_id=order_id)


@shared_task
def sale_drain(sale_id: int) -> int:
    from flashsale.services.materialize import sale_drain as drain

    return drain(sale_id=sale_id)


@shared_task
def sales_drain_live() -> int:
    """Beat's safety net behind the consumer loop: drain every published sale's stream."""
    from flashsale.models import FlashSale
    from flashsale.services.materialize import sale_drain as drain

    return sum(
        drain(sale_id=pk) for pk in FlashSale.objects.filter(state="published").values_list("pk", flat=True)
    )


@shared_task
def sales_warm_upcoming() -> int:
    from flashsale.services.sales import sales_warm_due

    return sales_warm_due()


@shared_task
def sales_reconcile() -> int:
    from flashsale.models import FlashSale
    from flashsale.services.sales import sale_reconcile

    drifting = 0
    for sale in FlashSale.objects.exclude(state="draft"):
        figures = sale_reconcile(sale=sale)
        drifting += bool(figures.drift)
    return drifting


@shared_task
def sales_end_due() -> int:
    from flashsale.services.sales import sales_end_due as end_due

    return end_due()


@shared_task
def reminders_send() -> int:
    from flashsale.services.reminders import reminders_send as send

    return send()
