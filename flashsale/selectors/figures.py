"""A sale's books, read from both sides: the database (quota, sold, live orders) and Redis (stock left,
admissions waiting in the stream). The invariant a reconcile checks is
quota = Redis stock + admissions waiting + live orders."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from django.db.models import Sum

from flashsale import keys
from flashsale.models import FlashSale, ReturnedUnit
from flashsale.services.redis import REDIS_ERRORS, client
from mall.models import Order, OrderLine

# Orders that hold one of the sale's units: everything except those that gave the unit back.
RELEASED_STATES = [
    Order.State.CANCELLED,
    Order.State.REFUND_DUE,
    Order.State.CUSTOMS_REJECTED,
    Order.State.REFUNDED,
]


def live_units_by_buyer(*, sale: FlashSale) -> dict[str, int]:
    """Units each buyer holds in live orders of the sale, by limit field (``keys.limit_field``: the
    purchaser's identity in a cross-border sale, the account otherwise)."""
    rows = (
        OrderLine.objects.filter(referral=sale.referral)
        .exclude(order__state__in=RELEASED_STATES)
        .values("order__user_id", "order__buyer_id_hash")
        .annotate(units=Sum("quantity"))
    )
    units: dict[str, int] = {}
    for r in rows:
        field = keys.limit_field(
            user_id=r["order__user_id"],
            identity_hash=r["order__buyer_id_hash"] if sale.is_cross_border else "",
        )
        units[field] = units.get(field, 0) + r["units"]
    return units


def waiting_by_buyer(*, sale_id: int) -> dict[str, int]:
    """Admissions in the stream that have not become orders yet (not acknowledged by the group), by the
    limit field buy.lua counted them under."""
    r = client()
    waiting: dict[str, int] = {}
    try:
        info = {g["name"]: g for g in r.xinfo_groups(keys.stream(sale_id))}
    except redis.ResponseError:
        info = {}
    group = info.get(keys.GROUP)
    last = group["last-delivered-id"] if group else "0-0"
    # Delivered but not acknowledged (pending) plus never delivered (after last-delivered-id).
    pending_ids = set()
    if group and group.get("pending"):
        for entry in r.xpending_range(keys.stream(sale_id), keys.GROUP, min="-", max="+", count=100_000):
            pending_ids.add(entry["message_id"])
    entries = []
    for message_id in pending_ids:
        entries += r.xrange(keys.stream(sale_id), min=message_id, max=message_id)
    entries += r.xrange(keys.stream(sale_id), min=f"({last}" if last != "0-0" else "-", max="+")
    for _id, fields in entries:
        field = fields.get("lf") or fields["uid"]
        waiting[field] = waiting.get(field, 0) + int(fields["qty"])
    return waiting


def waiting_count(*, sale_id: int) -> int:
    return sum(waiting_by_buyer(sale_id=sale_id).values())


@dataclass(frozen=True)
class SaleFigures:
    quota: int
    sold: int
    redis_stock: int | None
    waiting: int | None
    live_orders: int
    pending_payment: int
    paid: int
    # Units of released orders (expired, cancelled) on their way back: the order committed, the unit return
    # (a task enqueued on that commit) has not run yet.
    returning: int = 0

    @property
    def drift(self) -> int | None:
        if self.redis_stock is None or self.waiting is None:
            return None
        return self.quota - (self.redis_stock + self.waiting + self.live_orders + self.returning)


def sale_figures(*, sale: FlashSale) -> SaleFigures:
    lines = OrderLine.objects.filter(referral=sale.referral).exclude(order__state__in=RELEASED_STATES)
    live = lines.aggregate(n=Sum("quantity"))["n"] or 0
    pending = lines.filter(order__state=Order.State.PENDING_PAYMENT).aggregate(n=Sum("quantity"))["n"] or 0
    returning = (
        OrderLine.objects.filter(
            referral=sale.referral, order__state__in=RELEASED_STATES, order__holds_own_stock=False
        )
        .exclude(order_id__in=ReturnedUnit.objects.filter(sale_id=sale.pk).values("order_id"))
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    try:
        raw = client().get(keys.stock(sale.pk))
        loaded = client().hget(keys.meta(sale.pk), "loaded") == "1"
        redis_stock = int(raw) if (raw is not None and loaded) else None
        waiting = waiting_count(sale_id=sale.pk) if loaded else None
    except REDIS_ERRORS:
        redis_stock = waiting = None
    if sale.state == FlashSale.State.ENDED:
        redis_stock, waiting = 0, 0
    return SaleFigures(sale.quota, sale.sold, redis_stock, waiting, live, pending, live - pending, returning)
