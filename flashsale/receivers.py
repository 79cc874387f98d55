"""Listening to other apps' events. Receivers only enqueue a task or forget a cached answer, after commit."""

from __future__ import annotations

from django.db import transaction

from core.tasks import enqueue_on_commit


def on_order_released(sender, order_id: int, **kwargs) -> None:
    enqueue_on_commit("flashsale.tasks.unit_return_for_order_task", order_id)


def on_user_saved(sender, instance, **kwargs) -> None:
    """A deactivated account (a ban) stops buying at its next request, not when its cached readiness or
    its buy pass expires."""
    if not instance.is_active:
        from flashsale.services.admission import buyer_readiness_forget

        transaction.on_commit(lambda: buyer_readiness_forget(user_id=instance.pk))
