"""Following shipped parcels (docs/architecture.md, "The carrier interface"). A beat task asks the carrier
what happened to each shipped order's parcel and records new events, once each (unique per order and code).
The carrier's "delivered" moves the order to delivered through ``order_confirm_delivery``, so the buyer's
"delivered" notice comes the one way every transition's notice comes."""

from __future__ import annotations

import contextlib
import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from mall.carriers import CarrierGateway, get_carrier
from mall.errors import InvalidTransition
from mall.models import Order, ParcelEvent
from mall.services.orders import EventMessage, order_confirm_delivery, parcel_details

log = logging.getLogger(__name__)

S = Order.State
CODES = frozenset(ParcelEvent.Code.values)


def parcel_poll(*, order_id: int, gateway: CarrierGateway | None = None) -> int:
    """Record what the carrier reports about one shipped order's parcel; returns how many events were new.

    The carrier is asked with no transaction open. Then the new events are written (a concurrent poll's
    duplicates are ignored by the unique constraint), and if the parcel was delivered, the order is moved
    to delivered in its own transaction: a poll that died between the two finishes the move next time."""
    order = Order.objects.filter(pk=order_id, state=S.SHIPPED).exclude(tracking_number="").first()
    if order is None:
        return 0
    gateway = gateway or get_carrier()
    updates = [
        u
        for u in gateway.parcel_events(
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            shipped_at=order.shipped_at or order.updated_at,
            parcel=parcel_details(order),
        )
        if u.code in CODES
    ]
    known = set(ParcelEvent.objects.filter(order=order).values_list("code", flat=True))
    new = [
        ParcelEvent(order=order, code=u.code, occurred_at=u.occurred_at, location=(u.location or "")[:80])
        for u in updates
        if u.code not in known
    ]
    if new:
        with transaction.atomic(durable=True):
            ParcelEvent.objects.bulk_create(new, ignore_conflicts=True)
    delivered = next((u for u in updates if u.code == ParcelEvent.Code.DELIVERED), None)
    if delivered is not None:
        # InvalidTransition: the buyer confirmed it, or another poll did, meanwhile.
        with contextlib.suppress(InvalidTransition):
            order_confirm_delivery(
                order=order,
                message=EventMessage(gettext_noop("Delivered, says the carrier.")),
                delivered_at=delivered.occurred_at,
            )
    return len(new)


def parcels_poll(*, limit: int = 500) -> int:
    """Poll every shipped order's parcel, the longest on the road first. A carrier that does not answer
    for one parcel is logged and asked again on the next run; the others go on."""
    gateway = get_carrier()
    ids = list(
        Order.objects.filter(state=S.SHIPPED)
        .exclude(tracking_number="")
        .order_by("shipped_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    recorded = 0
    for order_id in ids:
        try:
            recorded += parcel_poll(order_id=order_id, gateway=gateway)
        except OSError:
            log.warning("carrier did not answer for order %s", order_id, exc_info=True)
    return recorded
