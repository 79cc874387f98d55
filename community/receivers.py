"""Listening to other apps' events (mall's domain signals, core's notices). Receivers only enqueue a
notification task; the mall and flashsale never import this app."""

from __future__ import annotations

from core.tasks import enqueue_on_commit


def on_order_event(sender, order_event_id: int, to_state: str, **kwargs) -> None:
    from community.notices import ORDER_NOTICE_OF_STATE

    if to_state in ORDER_NOTICE_OF_STATE:  # most transitions tell the buyer nothing: no task for them
        enqueue_on_commit("community.tasks.notify_order_event_task", order_event_id)


def on_return_approved(sender, order_id: int, **kwargs) -> None:
    enqueue_on_commit("community.tasks.notify_return_approved_task", order_id)


def on_refund(sender, refund_id: int, **kwargs) -> None:
    enqueue_on_commit("community.tasks.notify_refund_task", refund_id)


def on_notice(sender, user_id: int, kind: str, params: dict, key: str, **kwargs) -> None:
    enqueue_on_commit("community.tasks.notify_notice_task", user_id, kind, params, key)
