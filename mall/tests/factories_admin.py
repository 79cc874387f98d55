"""Helpers for the operators' screens: orders brought to the states operators act on through the real
services, and the admin client's ways of running an action (with or without its intermediate page)."""

from __future__ import annotations

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.utils import timezone

from mall.models import Order, Payment
from mall.services.customs import order_declare
from mall.services.orders import order_confirm_delivery, order_request_return
from mall.tests.factories_payments import payment_for
from mall.tests.factories_shop import order_move, place_order

S = Order.State


def paid_order(**kwargs) -> Order:
    """An order placed through checkout and paid by its purchaser (a succeeded payment in their name)."""
    order = place_order(**kwargs)
    payment_for(
        order,
        state=Payment.State.SUCCEEDED,
        payer_name=order.buyer_name,
        payer_id_number=order.buyer_id_number,
        succeeded_at=timezone.now(),
    )
    return order_move(order, S.PAID)


def cleared_order(**kwargs) -> Order:
    """A paid cross-border order declared to the sandbox customs, which cleared it."""
    order = paid_order(**kwargs)
    order_declare(order_id=order.pk)
    order.refresh_from_db()
    assert order.state == S.CLEARED, order.state
    return order


def return_requested_order(**kwargs) -> Order:
    from mall.services.orders import order_ship

    order = cleared_order(**kwargs)
    order_ship(order=order, tracking_number="SF100200300")
    order_confirm_delivery(order=order)
    order_request_return(order=order, reason="Wrong shade")
    order.refresh_from_db()
    return order


def run_action(client, changelist_url: str, action: str, objects, **fields):
    """Choose ``action`` for ``objects`` on the changelist, as the action bar does (no confirmation)."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0, **fields}
    return client.post(changelist_url, data, follow=True)


def apply_action(client, changelist_url: str, action: str, objects, **fields):
    """Submit an action's intermediate page with ``fields`` filled in."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "apply": "1", **fields}
    return client.post(changelist_url, data, follow=True)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
