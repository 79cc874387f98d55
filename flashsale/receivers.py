"""Listening to the mall's domain events. Receivers only enqueue a task."""

from __future__ import annotations

from core.tasks import enqueue_on_commit


def on_order_released(sender, order_id: int, **kwargs) -> None:
    enqueue_on_commit("flashsale.tasks.unit_return_for_order_task", order_id)
