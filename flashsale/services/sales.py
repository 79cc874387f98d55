"""A sale's life: publish (quota out of warehouse stock), warm (into Redis), freeze/rebuild/resume,
give units back, end (unsold units back to warehouse stock), reconcile."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import metrics
from core.errors import Conflict, DomainError, Unavailable
from flashsale import keys
from flashsale.models import REFERRAL_PREFIX, FlashSale, ReturnedUnit, sale_id_from_referral, sale_referral
from flashsale.selectors.figures import (
    RELEASED_STATES,
    SaleFigures,
    db_snapshot,
    live_units_by_buyer,
    redis_side,
    released_orders,
    sale_figures,
    still_waiting,
)
from flashsale.selectors.sales import sale_phase_forget
from flashsale.services.admission import sold_out_forget
from flashsale.services.materialize import group_ensure, sale_drain
from flashsale.services.redis import REDIS_ERRORS, client, script
from mall.errors import InsufficientStock
from mall.models import Order, OrderLine, StockMovement, StockRecord
from mall.services.stock import stock_move

logger = logging.getLogger(__name__)
# Sales are loaded into Redis this long before they open (sales_warm_due, every 30 s from beat).
WARM_LEAD_MINUTES = 10
# A released order's unit return is a task sent on the release's commit; reconcile does it itself for an
# order still waiting after this long (the task was lost or is held by a dead worker).
RETURN_GRACE = timedelta(seconds=60)


def _ms(dt) -> int:
    return int(dt.timestamp() * 1000)


def sale_publish(*, sale: FlashSale, actor=None) -> FlashSale:
    """Move the quota out of warehouse stock into the sale (allocated, on the ledger)."""
    if sale.state != FlashSale.State.DRAFT:
        raise Conflict(_("Only a draft sale can be published."))
    if sale.ends_at <= timezone.now():
        raise DomainError(_("This sale's window is already over."))
    record = StockRecord.objects.filter(sku_id=sale.sku_id, warehouse_id=sale.warehouse_id).first()
    if record is None:
        raise InsufficientStock(_("There is no stock of this SKU in %(w)s.") % {"w": sale.warehouse})
    with transaction.atomic(durable=True):
        if not FlashSale.objects.filter(pk=sale.pk, state=FlashSale.State.DRAFT).update(
            state=FlashSale.State.PUBLISHED, published_at=timezone.now()
        ):
            raise Conflict(_("Only a draft sale can be published."))
        try:
            stock_move(
                record_id=record.pk,
                kind=StockMovement.Kind.FLASH_IN,
                allocated_delta=sale.quota,
                actor=actor,
                source=sale.referral,
                keep_free=0,
            )
        except InsufficientStock:
            available = record.on_hand - record.allocated
            raise InsufficientStock(
                _("Not enough stock: the quota is %(q)d but only %(a)d units are free in %(w)s.")
                % {"q": sale.quota, "a": max(available, 0), "w": sale.warehouse}
            ) from None
    sale.refresh_from_db()
    return sale


def sale_warm(*, sale: FlashSale, frozen: bool = False) -> None:
    """Load the sale into Redis from the database (the source of truth). Admissions already waiting
    in the stream are counted so they are not sold twice.

    Redis is read first (the stream, in one script), then the database in one snapshot, so an admission
    that becomes an order in between is counted once (as the order). The units of every released order
    of the running sale go into the stock now, and their orders into the ``returned`` hash, so their unit
    return, whenever it runs, does not give them twice (release.lua)."""
    if sale.state != FlashSale.State.PUBLISHED:
        raise Conflict(_("Only a published sale can be loaded."))
    try:
        side = redis_side(sale_id=sale.pk)
        with db_snapshot():
            current = FlashSale.objects.get(pk=sale.pk)
            waiting = still_waiting(side.waiting)
            by_buyer = live_units_by_buyer(sale=current)
            released = [r for r in released_orders(sale=current) if not r.to_warehouse]
        stock_left = current.quota - sum(by_buyer.values()) - sum(w.quantity for w in waiting)
        for w in waiting:
            by_buyer[w.limit_field] = by_buyer.get(w.limit_field, 0) + w.quantity
        args = [
            _ms(current.starts_at),
            _ms(current.ends_at),
            current.per_user_limit,
            max(stock_left, 0),
            "1" if frozen else "0",
            "1" if current.is_cross_border else "0",
            len(by_buyer),
        ]
        for field, units in by_buyer.items():
            args += [field, units]
        for r in released:
            lf = keys.limit_field(
                user_id=r.user_id, identity_hash=r.identity_hash if current.is_cross_border else ""
            )
            args += [r.order_id, f"{r.units}|{lf}"]
        script("load")(
            keys=[
                keys.meta(sale.pk),
                keys.stock(sale.pk),
                keys.users(sale.pk),
                keys.stream(sale.pk),
                keys.returned(sale.pk),
            ],
            args=args,
        )
        group_ensure(sale.pk)
    except REDIS_ERRORS as exc:
        raise Unavailable(_("Redis is unreachable: %(e)s") % {"e": exc}) from None
    sold_out_forget(sale.pk)


def sale_freeze(*, sale: FlashSale) -> None:
    """Stop admission (fails closed) until ``sale_resume`` rebuilds the sale in Redis."""
    if not FlashSale.objects.filter(pk=sale.pk, state=FlashSale.State.PUBLISHED).update(frozen=True):
        raise Conflict(_("Only a published sale can be frozen."))
    sale_phase_forget(sale.pk)
    try:
        client().hset(keys.meta(sale.pk), "frozen", "1")
    except REDIS_ERRORS:
        logger.warning("sale %s frozen in the database only: Redis unreachable", sale.pk)


def sale_resume(*, sale: FlashSale) -> None:
    """Rebuild the sale's Redis state from the database and open admission again."""
    sale.refresh_from_db()
    sale_warm(sale=sale, frozen=False)
    FlashSale.objects.filter(pk=sale.pk).update(frozen=False)
    sale_phase_forget(sale.pk)


def unit_return(*, sale_id: int, order_id: int) -> bool:
    """An order of the sale was cancelled or expired: its units go back to the sale while it runs
    (database first, then Redis), to warehouse stock after it ended. Idempotent per order."""
    order = Order.objects.filter(pk=order_id, holds_own_stock=False, state__in=RELEASED_STATES).first()
    if order is None:
        return False
    units = OrderLine.objects.filter(order=order, referral=sale_referral(sale_id)).aggregate(
        n=Sum("quantity")
    )["n"]
    if not units:
        return False
    with transaction.atomic(durable=True):
        sale = FlashSale.objects.get(pk=sale_id)
        still_running = sale.state == FlashSale.State.PUBLISHED and timezone.now() < sale.ends_at
        _marker, created = ReturnedUnit.objects.get_or_create(
            order_id=order.pk, defaults={"sale_id": sale_id, "to_warehouse": not still_running}
        )
        if not created:
            return False
        FlashSale.objects.filter(pk=sale_id).update(sold=F("sold") - units)
        if not still_running:
            record = StockRecord.objects.get(sku_id=sale.sku_id, warehouse_id=sale.warehouse_id)
            stock_move(
                record_id=record.pk,
                kind=StockMovement.Kind.FLASH_OUT,
                allocated_delta=-units,
                source=sale.referral,
                reason=f"order {order.number} released after the sale",
            )
            # The sale's quota shrinks with it, so the invariant keeps holding after the end.
            FlashSale.objects.filter(pk=sale_id).update(quota=F("quota") - units)
    if still_running:
        try:
            script("release")(
                keys=[keys.meta(sale_id), keys.stock(sale_id), keys.users(sale_id), keys.returned(sale_id)],
                args=[
                    keys.limit_field(
                        user_id=order.user_id,
                        identity_hash=order.buyer_id_hash if sale.is_cross_border else "",
                    ),
                    units,
                    order.pk,
                ],
            )
        except REDIS_ERRORS:
            logger.warning(
                "unit of sale %s returned in the database; Redis will get it at the next rebuild", sale_id
            )
        sold_out_forget(sale_id)
    return True


def units_return_overdue(*, sale: FlashSale, grace: timedelta = RETURN_GRACE) -> int:
    """Give back the units of the sale's orders released more than ``grace`` ago whose unit return never
    ran: the task was lost with a worker killed between the release's commit and its send, or is held
    by a dead worker until the broker's visibility timeout. Returns how many orders it gave back."""
    order_ids = (
        OrderLine.objects.filter(
            referral=sale.referral,
            order__state__in=RELEASED_STATES,
            order__holds_own_stock=False,
            order__updated_at__lte=timezone.now() - grace,
        )
        .exclude(order_id__in=ReturnedUnit.objects.filter(sale_id=sale.pk).values("order_id"))
        .values_list("order_id", flat=True)
        .distinct()
    )
    returned = sum(unit_return(sale_id=sale.pk, order_id=order_id) for order_id in list(order_ids))
    if returned:
        logger.warning(
            "sale %s: gave back the units of %s released orders whose return was lost", sale.pk, returned
        )
    return returned


def unit_return_for_order(*, order_id: int) -> bool:
    """The mall released an order's stock (cancelled, expired, refused): when the order came from a sale,
    its units go back to that sale (``unit_return``). False when it came from none, or gave them back."""
    referrals = OrderLine.objects.filter(order_id=order_id, referral__startswith=REFERRAL_PREFIX).values_list(
        "referral", flat=True
    )
    sale_id = next((s for s in map(sale_id_from_referral, referrals) if s is not None), None)
    if sale_id is None:
        return False
    return unit_return(sale_id=sale_id, order_id=order_id)


def sale_end(*, sale: FlashSale, actor=None) -> FlashSale:
    """Close the sale: unsold units go back to warehouse stock through the ledger."""
    with transaction.atomic(durable=True):
        if not FlashSale.objects.filter(pk=sale.pk, state=FlashSale.State.PUBLISHED).update(
            state=FlashSale.State.ENDED, ended_at=timezone.now()
        ):
            raise Conflict(_("Only a published sale can be ended."))
    sale_phase_forget(sale.pk)
    # Whatever is still waiting in the stream becomes orders (or "sold out") first.
    sale_drain(sale_id=sale.pk, block_ms=0)
    with transaction.atomic(durable=True):
        sale = FlashSale.objects.get(pk=sale.pk)
        unsold = sale.quota - sale.sold
        if unsold > 0:
            record = StockRecord.objects.get(sku_id=sale.sku_id, warehouse_id=sale.warehouse_id)
            stock_move(
                record_id=record.pk,
                kind=StockMovement.Kind.FLASH_OUT,
                allocated_delta=-unsold,
                actor=actor,
                source=sale.referral,
                reason="unsold at the end of the sale",
            )
            FlashSale.objects.filter(pk=sale.pk).update(quota=F("quota") - unsold)
    with contextlib.suppress(*REDIS_ERRORS):
        client().hset(keys.meta(sale.pk), "end_ms", 0)
    sale.refresh_from_db()
    return sale


def sale_reconcile(*, sale: FlashSale) -> SaleFigures:
    """Check quota = Redis stock + admissions waiting + live orders. If Redis lost the sale, freeze it,
    rebuild it from the database and resume; log any drift."""
    if sale.state == FlashSale.State.DRAFT:
        raise DomainError(_("A draft sale has nothing to reconcile: publish it first."))
    units_return_overdue(sale=sale)
    sale.refresh_from_db()
    figures = sale_figures(sale=sale)
    if (
        sale.state == FlashSale.State.PUBLISHED
        and figures.redis_stock is None
        and sale.starts_at > timezone.now() + timedelta(minutes=WARM_LEAD_MINUTES)
    ):
        # Not lost: never loaded. sales_warm_due loads it WARM_LEAD_MINUTES before it opens; until then
        # there is nothing in Redis to compare (and no admission can have happened).
        return figures
    if sale.state == FlashSale.State.PUBLISHED and figures.redis_stock is None:
        logger.error("sale %s: Redis lost its state; freezing, rebuilding from the database", sale.pk)
        sale_freeze(sale=sale)
        sale_resume(sale=sale)
        figures = sale_figures(sale=sale)
    if figures.drift and sale.state == FlashSale.State.PUBLISHED:
        # The figures count a unit caught moving once (see flashsale/selectors/figures.py): a drift is real.
        logger.error("sale %s drift %s; rebuilding Redis from the database", sale.pk, figures.drift)
        sale_freeze(sale=sale)
        sale_resume(sale=sale)
        figures = sale_figures(sale=sale)
    if figures.drift:
        logger.error(
            "sale %s drift %s: quota %s, redis %s, waiting %s, live orders %s, returning %s",
            sale.pk, figures.drift, figures.quota, figures.redis_stock, figures.waiting, figures.live_orders,
            figures.returning,
        )  # fmt: skip
    return figures


def sales_reconcile() -> int:
    """Reconcile every sale that holds units (published or ended); returns how many still drift."""
    drifting = 0
    for sale in FlashSale.objects.exclude(state=FlashSale.State.DRAFT):
        try:
            drifting += bool(sale_reconcile(sale=sale).drift)
        except Conflict:
            continue  # it ended while being rebuilt; the next run looks at it again
    metrics.flashsale_drift_sales.set(drifting)
    return drifting


def sales_warm_due(*, lead_minutes: int = WARM_LEAD_MINUTES) -> int:
    """Load published sales that start soon (or run now) and are not in Redis yet."""
    now = timezone.now()
    warmed = 0
    due = FlashSale.objects.filter(
        state=FlashSale.State.PUBLISHED,
        frozen=False,
        ends_at__gt=now,
        starts_at__lte=now + timedelta(minutes=lead_minutes),
    )
    for sale in due:
        try:
            if client().hget(keys.meta(sale.pk), "loaded") != "1":
                sale_warm(sale=sale)
                warmed += 1
        except (*REDIS_ERRORS, Unavailable):
            logger.warning("could not warm sale %s: Redis unreachable", sale.pk)
    return warmed


def sales_end_due() -> int:
    ended = 0
    for sale in FlashSale.objects.filter(state=FlashSale.State.PUBLISHED, ends_at__lte=timezone.now()):
        try:
            sale_end(sale=sale)
            ended += 1
        except Conflict:
            continue
    return ended
