"""A sale's books, read from both sides: the database (quota, sold, live orders) and Redis (stock left,
admissions waiting in the stream). The invariant a reconcile checks is
quota = Redis stock + admissions waiting + live orders + units on their way back.

Units move between the two sides all the time (an admission becomes an order, a released order's unit goes
back to Redis), so the books are read as two snapshots, Redis first (one script, figures.lua), then the
database (one REPEATABLE READ transaction), and every unit caught moving is counted once:

- an admission still in the stream whose order the database already has is counted as the order;
- a released order's unit is "returning" until Redis holds it again, which Redis itself records
  (the ``returned`` hash that release.lua and load.lua write in the same step as the stock).

See docs/architecture.md, "The invariant: never oversold, never double-counted".
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Sum

from flashsale import keys
from flashsale.models import FlashSale, ReturnedUnit
from flashsale.services.redis import REDIS_ERRORS, script
from mall.models import Order, OrderLine

# Orders that hold one of the sale's units: everything except those that gave the unit back.
RELEASED_STATES = [
    Order.State.CANCELLED,
    Order.State.REFUND_DUE,
    Order.State.CUSTOMS_REJECTED,
    Order.State.REFUNDED,
]


@dataclass(frozen=True)
class Waiting:
    """An admission in the stream, not acknowledged by the materialiser yet."""

    request_id: str
    user_id: int
    quantity: int
    limit_field: str


@dataclass(frozen=True)
class RedisSide:
    loaded: bool
    stock: int | None
    waiting: list[Waiting] = field(default_factory=list)
    # order id -> units, for the released orders whose units Redis holds again
    returned: dict[int, int] = field(default_factory=dict)


def _stream_id(value: str) -> tuple[int, int]:
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


def redis_side(*, sale_id: int) -> RedisSide:
    """One atomic read of the sale in Redis. Raises the Redis error when it is unreachable."""
    loaded, raw_stock, last, pending, flat, returned = script("figures")(
        keys=[keys.meta(sale_id), keys.stock(sale_id), keys.stream(sale_id), keys.returned(sale_id)],
        args=[keys.GROUP],
    )
    pending_ids, last_id = set(pending), _stream_id(last)
    waiting = [
        Waiting(rid, int(uid), int(qty), lf or uid)
        for mid, rid, uid, qty, lf in (flat[i : i + 5] for i in range(0, len(flat), 5))
        # Delivered but not acknowledged (pending), or never delivered (after last-delivered-id).
        if mid in pending_ids or _stream_id(mid) > last_id
    ]
    back = {int(returned[i]): int(returned[i + 1].split("|", 1)[0]) for i in range(0, len(returned), 2)}
    return RedisSide(
        loaded=loaded == "1",
        stock=int(raw_stock) if raw_stock != "" else None,
        waiting=waiting,
        returned=back,
    )


@contextlib.contextmanager
def db_snapshot():
    """Every query inside sees the database at one moment (REPEATABLE READ), so a unit that moves between
    two of them is not counted twice. Inside a caller's transaction (tests) that transaction is the view."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


@dataclass(frozen=True)
class Released:
    order_id: int
    user_id: int
    identity_hash: str
    units: int
    # None: the units have not come back yet (no ReturnedUnit); else where they went.
    to_warehouse: bool | None


def released_orders(*, sale: FlashSale) -> list[Released]:
    """The sale's orders that gave their units up, with where the units went."""
    rows = (
        OrderLine.objects.filter(
            referral=sale.referral, order__state__in=RELEASED_STATES, order__holds_own_stock=False
        )
        .values("order_id", "order__user_id", "order__buyer_id_hash")
        .annotate(units=Sum("quantity"))
    )
    markers = dict(ReturnedUnit.objects.filter(sale_id=sale.pk).values_list("order_id", "to_warehouse"))
    return [
        Released(
            r["order_id"],
            r["order__user_id"],
            r["order__buyer_id_hash"] or "",
            r["units"],
            markers.get(r["order_id"]),
        )
        for r in rows
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
        field_ = keys.limit_field(
            user_id=r["order__user_id"],
            identity_hash=r["order__buyer_id_hash"] if sale.is_cross_border else "",
        )
        units[field_] = units.get(field_, 0) + r["units"]
    return units


def materialised(waiting: list[Waiting]) -> set[str]:
    """The request ids among ``waiting`` whose order the database already has (committed, not yet
    acknowledged in the stream): those units are counted as orders."""
    if not waiting:
        return set()
    wanted = {(w.user_id, w.request_id) for w in waiting}
    rows = Order.objects.filter(idempotency_key__in={w.request_id for w in waiting}).values_list(
        "user_id", "idempotency_key"
    )
    return {key for user_id, key in rows if (user_id, key) in wanted}


def still_waiting(waiting: list[Waiting]) -> list[Waiting]:
    done = materialised(waiting)
    return [w for w in waiting if w.request_id not in done]


@dataclass(frozen=True)
class SaleFigures:
    quota: int
    sold: int
    redis_stock: int | None
    waiting: int | None
    live_orders: int
    pending_payment: int
    paid: int
    # Units of released orders (expired, cancelled) on their way back: the order committed, Redis does not
    # hold the unit again yet (the unit return, a task enqueued on that commit, has not finished).
    returning: int = 0

    @property
    def drift(self) -> int | None:
        if self.redis_stock is None or self.waiting is None:
            return None
        return self.quota - (self.redis_stock + self.waiting + self.live_orders + self.returning)


def sale_figures(*, sale: FlashSale) -> SaleFigures:
    try:
        side = redis_side(sale_id=sale.pk)
    except REDIS_ERRORS:
        side = None
    with db_snapshot():
        sale = FlashSale.objects.get(pk=sale.pk)
        lines = OrderLine.objects.filter(referral=sale.referral).exclude(order__state__in=RELEASED_STATES)
        live = lines.aggregate(n=Sum("quantity"))["n"] or 0
        pending = (
            lines.filter(order__state=Order.State.PENDING_PAYMENT).aggregate(n=Sum("quantity"))["n"] or 0
        )
        released = released_orders(sale=sale)
        waiting_left = still_waiting(side.waiting) if side and side.loaded else None
    ended = sale.state == FlashSale.State.ENDED
    if ended:
        # Redis no longer sells: a released order's unit is back once the database says so (to warehouse
        # stock with the quota, or to the sale before it ended, whose unsold units went back at the end).
        returning = sum(r.units for r in released if r.to_warehouse is None)
        redis_stock, waiting = 0, 0
    else:
        back = side.returned if side else {}
        returning = sum(r.units for r in released if not r.to_warehouse and r.order_id not in back)
        redis_stock = side.stock if side and side.loaded else None
        waiting = sum(w.quantity for w in waiting_left) if waiting_left is not None else None
    return SaleFigures(sale.quota, sale.sold, redis_stock, waiting, live, pending, live - pending, returning)
