"""The order state machine (docs/architecture.md, "The order state machine"). Every transition is a
conditional UPDATE on the current state, so the database decides races (payment against expiry, two
webhooks, two operators), and each writes an OrderEvent for the timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import Conflict, DomainError, Unavailable
from core.tasks import enqueue_on_commit
from mall import signals
from mall.carriers import get_carrier, tracking_number_clean
from mall.errors import InvalidTransition
from mall.models import Order, OrderEvent, StockMovement, StockRecord, order_event_sentence
from mall.services.stock import stock_move

S = Order.State

TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.DECLARED, S.SHIPPED, S.REFUNDED},
    S.DECLARED: {S.CLEARED, S.CUSTOMS_REJECTED},
    S.CLEARED: {S.SHIPPED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: {S.COMPLETED, S.RETURN_REQUESTED},
    S.RETURN_REQUESTED: {S.RETURNED, S.DELIVERED},
    S.CUSTOMS_REJECTED: {S.REFUNDED},
    S.CANCELLED: {S.REFUND_DUE},
    S.REFUND_DUE: {S.REFUNDED},
    S.RETURNED: set(),
    S.REFUNDED: set(),
    S.COMPLETED: {S.RETURN_REQUESTED},
}


@dataclass(frozen=True)
class EventMessage:
    """A sentence the site writes on an order's timeline: its msgid (marked with ``gettext_noop``) and
    parameters, kept untranslated and made in the reader's language when shown (``OrderEvent.text``), so
    what a worker wrote in English reads in Chinese on a Chinese page. Pass a carrier by its code."""

    msgid: str
    params: dict = field(default_factory=dict)

    def fields(self) -> dict:
        return {
            "message": order_event_sentence(self.msgid, self.params)[:200],
            "message_id": self.msgid,
            "message_params": self.params,
        }


def event_message_fields(message: str | EventMessage) -> dict:
    """OrderEvent's message columns for a person's words (a str, kept as written) or the site's sentence."""
    if isinstance(message, EventMessage):
        return message.fields()
    return {"message": (message or "")[:200]}


def order_transition(
    *,
    order: Order,
    to_state: str,
    actor=None,
    message: str | EventMessage = "",
    extra: dict | None = None,
    allowed_from=None,
) -> Order:
    """Move ``order`` to ``to_state`` if the table allows it from the state it is in *now*.

    Runs inside the caller's transaction. Raises InvalidTransition when another transaction got there
    first (the row no longer is in an allowed state).
    """
    sources = [s for s, targets in TRANSITIONS.items() if to_state in targets]
    if allowed_from is not None:
        sources = [s for s in sources if s in allowed_from]
    fields = {"state": to_state, "updated_at": timezone.now(), **(extra or {})}
    updated = Order.objects.filter(pk=order.pk, state__in=sources).update(**fields)
    if not updated:
        current = Order.objects.filter(pk=order.pk).values_list("state", flat=True).first()
        raise InvalidTransition(
            _("This order is %(state)s and can't become %(to)s.")
            % {"state": S(current).label if current else "?", "to": S(to_state).label}
        )
    from_state = order.state
    for name, value in fields.items():
        setattr(order, name, value)
    event = OrderEvent.objects.create(
        order=order, from_state=from_state, to_state=to_state, actor=actor, **event_message_fields(message)
    )
    transaction.on_commit(
        lambda: signals.order_event_recorded.send(sender=Order, order_event_id=event.pk, to_state=to_state)
    )
    return order


def order_release_stock(order: Order, *, kind: str, reason: str, actor=None) -> None:
    """Give back the units an order held, in the caller's transaction.

    The order's own allocation is released on the ledger. Units held by someone else (a flash sale's
    quota) are left alone: the holder hears ``order_stock_released`` after commit and takes them back.
    """
    if order.holds_own_stock:
        lines = list(order.lines.all())
        records = {
            (r.sku_id, r.warehouse_id): r.pk
            for r in StockRecord.objects.filter(sku_id__in=[line.sku_id for line in lines])
        }
        for line in lines:
            stock_move(
                record_id=records[(line.sku_id, line.warehouse_id)],
                kind=kind,
                allocated_delta=-line.quantity,
                actor=actor,
                source=f"order:{order.number}",
                reason=reason[:200],
            )
    transaction.on_commit(lambda: signals.order_stock_released.send(sender=Order, order_id=order.pk))


def order_cancel(*, order: Order, actor=None, reason: str = "") -> Order:
    """Cancel an unpaid order (by the buyer, or by expiry) and release its stock."""
    with transaction.atomic(durable=True):
        order_transition(
            order=order,
            to_state=S.CANCELLED,
            actor=actor,
            message=reason or EventMessage(gettext_noop("Cancelled by the buyer.")),
        )
        order_release_stock(order, kind=StockMovement.Kind.DEALLOCATED, reason="order cancelled", actor=actor)
    return order


def order_expire(*, order_id: int) -> bool:
    """Cancel an order whose payment deadline passed; False if it was paid (or cancelled) meanwhile."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.state != S.PENDING_PAYMENT or order.payment_deadline > timezone.now():
        return False
    try:
        with transaction.atomic(durable=True):
            order_transition(
                order=order,
                to_state=S.CANCELLED,
                message=EventMessage(gettext_noop("Payment deadline passed.")),
            )
            order_release_stock(order, kind=StockMovement.Kind.DEALLOCATED, reason="payment deadline passed")
    except InvalidTransition:
        return False
    return True


def orders_expire_overdue(*, limit: int = 500) -> int:
    """The sweeper behind the per-order countdown tasks: catches orders whose task was lost."""
    ids = list(
        Order.objects.filter(state=S.PENDING_PAYMENT, payment_deadline__lte=timezone.now())
        .order_by("payment_deadline")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(order_expire(order_id=i) for i in ids)


def parcel_details(order: Order) -> dict:
    """What the carrier is told about the parcel: where it leaves from and where it goes."""
    line = order.lines.select_related("warehouse").first()
    address = (order.ship_to or {}).get("address", "")
    # Chinese addresses start with the province and city ("上海市浦东新区…"): the city is enough.
    city = (order.ship_to or {}).get("city") or (
        address.split("市")[0] + "市" if "市" in address else address
    )
    return {
        "origin": line.warehouse.name if line else "",
        "destination": city[:40],
        "lines": order.lines.count(),
    }


def carrier_check(*, carrier: str, gateway=None) -> str:
    """``carrier`` as one of the codes the configured gateway books (blank: its first)."""
    gateway = gateway or get_carrier()
    carrier = (carrier or "").strip()
    if not carrier:
        return gateway.carriers[0]
    if carrier not in gateway.carriers:
        raise DomainError(_("Choose one of the carriers we ship with."), field="carrier")
    return carrier


def order_ship(*, order: Order, tracking_number: str = "", carrier: str = "", actor=None) -> Order:
    """Hand the order to ``carrier`` (a code of the carrier gateway's list; blank: its first) under
    ``tracking_number`` (6 to 30 letters and digits; blank: the carrier books the parcel and gives one).
    Both go on the order and the buyer's notice; the parcel's events follow (``parcel_poll``)."""
    gateway = get_carrier()
    carrier = carrier_check(carrier=carrier, gateway=gateway)
    tracking_number = (tracking_number or "").strip()
    if tracking_number:
        tracking_number = tracking_number_clean(tracking_number)
    allowed = [S.CLEARED] if order.is_cross_border else [S.PAID, S.CLEARED]
    if not tracking_number and order.state in allowed:
        # Booked before the transaction: no row is locked while the carrier is asked. Booking the same
        # order twice gives the same number, so a retry after a refused transition costs nothing.
        try:
            tracking_number = tracking_number_clean(
                gateway.register_parcel(carrier=carrier, reference=order.number, parcel=parcel_details(order))
            )
        except OSError as exc:
            raise Unavailable(
                _("The carrier did not answer. Try again, or type the tracking number from the label.")
            ) from exc
    with transaction.atomic(durable=True):
        order_transition(
            order=order,
            to_state=S.SHIPPED,
            actor=actor,
            message=EventMessage(
                gettext_noop("Shipped with %(carrier)s, tracking number %(n)s."),
                {"carrier": carrier, "n": tracking_number},
            ),
            extra={"tracking_number": tracking_number, "carrier": carrier, "shipped_at": timezone.now()},
            allowed_from=allowed,
        )
        for line in order.lines.all():
            record_id = line.sku.stock_records.get(warehouse_id=line.warehouse_id).pk
            stock_move(
                record_id=record_id,
                kind=StockMovement.Kind.SHIPPED,
                on_hand_delta=-line.quantity,
                allocated_delta=-line.quantity,
                actor=actor,
                source=f"order:{order.number}",
            )
    return order


def order_confirm_delivery(
    *, order: Order, actor=None, message: str | EventMessage = "", delivered_at=None
) -> Order:
    """A shipped order arrived: the buyer says so, or the carrier's "delivered" event does (``parcel_poll``,
    which passes when it happened). Once: a second confirmation is InvalidTransition."""
    with transaction.atomic(durable=True):
        order_transition(
            order=order,
            to_state=S.DELIVERED,
            actor=actor,
            message=message or EventMessage(gettext_noop("Delivery confirmed.")),
            extra={"delivered_at": delivered_at or timezone.now()},
            allowed_from=[S.SHIPPED],
        )
    return order


def order_request_return(*, order: Order, reason: str, actor=None) -> Order:
    from mall.models import ReturnRequest

    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell us why you are returning it."), field="reason")
    if order.delivered_at is None or timezone.now() > order.delivered_at + timedelta(
        days=settings.RETURN_WINDOW_DAYS
    ):
        raise DomainError(
            _("Returns are possible within %(days)d days of delivery.")
            % {"days": settings.RETURN_WINDOW_DAYS}
        )
    with transaction.atomic(durable=True):
        order_transition(order=order, to_state=S.RETURN_REQUESTED, actor=actor, message=reason)
        ReturnRequest.objects.create(order=order, reason=reason)
    return order


def order_approve_return(*, order: Order, actor=None) -> bool:
    """Agree to take a requested return back; the buyer hears of it after commit. Once per request: a
    second approval (two operators, a double click) changes nothing and returns False."""
    from mall.models import ReturnRequest

    with transaction.atomic(durable=True):
        approved = ReturnRequest.objects.filter(
            order_id=order.pk, order__state=S.RETURN_REQUESTED, approved_at__isnull=True
        ).update(approved_at=timezone.now())
        if approved:
            OrderEvent.objects.create(
                order=order,
                from_state=S.RETURN_REQUESTED,
                to_state=S.RETURN_REQUESTED,
                actor=actor,
                **EventMessage(gettext_noop("Return approved.")).fields(),
            )
            transaction.on_commit(lambda: signals.return_approved.send(sender=Order, order_id=order.pk))
    return bool(approved)


def order_return_parcel(*, order: Order, carrier: str, tracking_number: str, actor=None) -> Order:
    """The buyer sent an approved return back with ``carrier`` under ``tracking_number``. Once: the first
    answer stands (the warehouse may already be watching for that parcel), and a second is refused with
    the number we have. Refused too before approval and after the return was received."""
    from mall.models import ReturnRequest

    carrier = carrier_check(carrier=carrier)
    tracking_number = tracking_number_clean(tracking_number)
    with transaction.atomic(durable=True):
        sent = ReturnRequest.objects.filter(
            order_id=order.pk,
            order__state=S.RETURN_REQUESTED,
            approved_at__isnull=False,
            return_tracking_number="",
        ).update(
            return_carrier=carrier, return_tracking_number=tracking_number, return_sent_at=timezone.now()
        )
        if not sent:
            request = ReturnRequest.objects.filter(order_id=order.pk).select_related("order").first()
            if request is None or request.order.state != S.RETURN_REQUESTED:
                raise Conflict(_("This order has no open return."))
            if request.approved_at is None:
                raise Conflict(_("Wait until we approve your return before sending the goods back."))
            raise Conflict(
                _(
                    "You already told us the return's tracking number (%(n)s). If it was wrong, write to "
                    "customer service."
                )
                % {"n": request.return_tracking_number}
            )
        OrderEvent.objects.create(
            order=order,
            from_state=S.RETURN_REQUESTED,
            to_state=S.RETURN_REQUESTED,
            actor=actor,
            **EventMessage(
                gettext_noop("Return sent back with %(carrier)s, tracking number %(n)s."),
                {"carrier": carrier, "n": tracking_number},
            ).fields(),
        )
    return order


def order_receive_return(*, order: Order, actor=None) -> Order:
    """The warehouse got the goods back: stock returns, the quota is restored, the buyer is refunded."""
    with transaction.atomic(durable=True):
        order_transition(
            order=order,
            to_state=S.RETURNED,
            actor=actor,
            message=EventMessage(gettext_noop("Return received.")),
        )
        order.return_request.received_at = timezone.now()
        order.return_request.save(update_fields=["received_at"])
        for line in order.lines.all():
            record_id = line.sku.stock_records.get(warehouse_id=line.warehouse_id).pk
            stock_move(
                record_id=record_id,
                kind=StockMovement.Kind.RETURNED,
                on_hand_delta=line.quantity,
                actor=actor,
                source=f"order:{order.number}",
            )
        enqueue_on_commit("mall.tasks.order_refund_task", order.pk, "return")
    return order


def order_complete_due(*, days: int = 7) -> int:
    """Delivered orders complete after the confirmation period."""
    cutoff = timezone.now() - timedelta(days=days)
    done = 0
    for order in Order.objects.filter(state=S.DELIVERED, delivered_at__lte=cutoff)[:500]:
        try:
            with transaction.atomic(durable=True):
                order_transition(
                    order=order, to_state=S.COMPLETED, message=EventMessage(gettext_noop("Completed."))
                )
                done += 1
        except InvalidTransition:
            continue
    return done
