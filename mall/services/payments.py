"""Payments: starting one at the provider, receiving its signed webhooks, refunding.

The webhook is where money meets the order state machine. Each event is recorded once (PaymentEvent is
unique by the gateway's event id, and the insert is the first write of the transaction, so concurrent
deliveries of one event queue on that index and all but one find a duplicate). The order then moves with
a conditional UPDATE, so the database decides the race between a payment and the order's expiry: a
payment that lands on a cancelled order makes it "refund due" and queues the refund; money is never lost.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.idnumbers import id_number_mask, real_name_mask
from core.errors import Conflict, DomainError, NotFound
from core.tasks import enqueue_on_commit
from mall import lock_objects, signals
from mall.errors import InvalidTransition
from mall.models import Order, OrderLine, Payment, PaymentEvent, Refund, StockMovement
from mall.payments import get_provider
from mall.payments.base import (
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    PaymentProvider,
    WebhookAmountMismatch,
    WebhookRejected,
    WebhookUnknownPayment,
)
from mall.services.orders import EventMessage, order_release_stock, order_transition
from mall.templatetags.mall import yuan_digits

logger = logging.getLogger(__name__)
S = Order.State
P = Payment.State

# Orders whose money goes back through order_refund, and the state they then reach.
REFUNDABLE_STATES = (S.PAID, S.CUSTOMS_REJECTED, S.REFUND_DUE)


# --- starting a payment ----------------------------------------------------------------------------------


def payment_payable_check(*, order: Order) -> None:
    """Refuse paying an order that can't take money any more, saying why."""
    if order.state == S.CANCELLED:
        raise Conflict(
            _(
                "This order was cancelled, so it can't be paid any more. Place a new order to buy these goods."
            ),
            code="order_cancelled",
        )
    if order.state != S.PENDING_PAYMENT:
        raise Conflict(_("This order is already paid."), code="order_paid")
    if order.payment_deadline <= timezone.now():
        raise Conflict(
            _("The time to pay this order has run out, so it is being cancelled. Place a new order."),
            code="order_expired",
        )


def payment_create(*, order: Order, user) -> Payment:
    """A new payment attempt for the buyer's unpaid order (another user's order: 404)."""
    if order.user_id != getattr(user, "pk", None):
        raise NotFound(_("No such order."))
    order.refresh_from_db(fields=["state", "payment_deadline", "total"])
    payment_payable_check(order=order)
    provider = get_provider()
    with transaction.atomic(durable=True):
        return Payment.objects.create(
            order=order,
            provider=provider.name,
            reference="pay_" + secrets.token_hex(16),
            amount=order.total,
        )


def payment_start(*, order: Order, user) -> str:
    """Create the payment and return the provider's URL to send the buyer to."""
    payment = payment_create(order=order, user=user)
    return get_provider(payment.provider).start(payment)


# --- the webhook -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: dict = field(default_factory=dict)


def payment_webhook_receive(
    *, body: bytes, headers: Mapping[str, str], provider: PaymentProvider | None = None
) -> WebhookResult:
    """Verify, record and apply one webhook delivery. Refusals are logged and change nothing."""
    provider = provider or get_provider()
    try:
        event = provider.verify_webhook(body, headers)
        return _webhook_apply(event=event, provider=provider)
    except WebhookRejected as exc:
        logger.warning("payment webhook refused (%s, %s): %s", provider.name, exc.code, exc.message)
        return WebhookResult(exc.status_code, {"detail": exc.message, "code": exc.code})


def _webhook_apply(*, event: dict, provider: PaymentProvider) -> WebhookResult:
    payment = (
        Payment.objects.select_related("order")
        .filter(reference=event["reference"], provider=provider.name)
        .first()
    )
    if payment is None:
        raise WebhookUnknownPayment(_("No payment has this reference."))
    if event["amount"] != payment.amount or event["currency"] != payment.order.currency:
        raise WebhookAmountMismatch(
            _("The amount %(got)s %(cur)s does not match the payment's %(want)s %(order_cur)s.")
            % {
                "got": event["amount"],
                "cur": event["currency"],
                "want": payment.amount,
                "order_cur": payment.order.currency,
            }
        )
    if event["type"] not in (PAYMENT_SUCCEEDED, PAYMENT_FAILED):
        return WebhookResult(200, {"status": "ignored"})
    payload = {**event, "amount": str(event["amount"])}
    # The stored event keeps the payer masked: the full name and number live only in Payment's encrypted
    # columns (docs/architecture.md, "Personal data at rest").
    if payload.get("payer_id_number"):
        payload["payer_id_number"] = id_number_mask(str(payload["payer_id_number"]))
    if payload.get("payer_name"):
        payload["payer_name"] = real_name_mask(str(payload["payer_name"]))
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                PaymentEvent.objects.create(
                    event_id=event["id"], payment=payment, kind=event["type"], payload=payload
                )
        except IntegrityError:
            logger.info("payment webhook: duplicate event %s", event["id"])
            return WebhookResult(200, {"status": "duplicate"})
        if event["type"] == PAYMENT_SUCCEEDED:
            outcome = _payment_succeeded(payment=payment, event=event)
        else:
            outcome = _payment_failed(payment=payment)
    logger.info("payment webhook: event %s for %s: %s", event["id"], payment.reference, outcome)
    return WebhookResult(200, {"status": outcome})


def _payment_failed(*, payment: Payment) -> str:
    changed = Payment.objects.filter(pk=payment.pk, state=P.PENDING).update(state=P.FAILED)
    return "failed" if changed else "ignored"


def _sales_count_add(order_id: int) -> None:
    """Best-selling sorts count paid units, moved with F() in the payment's transaction."""
    from django.db.models import F

    from mall.models import Product

    for product_id, quantity in OrderLine.objects.filter(order_id=order_id).values_list(
        "sku__product_id", "quantity"
    ):
        Product.objects.filter(pk=product_id).update(sales_count=F("sales_count") + quantity)


def _payment_succeeded(*, payment: Payment, event: dict) -> str:
    now = timezone.now()
    # Money arrived: that is the truth even after a "failed" event for the same attempt.
    changed = Payment.objects.filter(pk=payment.pk, state__in=[P.PENDING, P.FAILED]).update(
        state=P.SUCCEEDED,
        succeeded_at=now,
        payer_name=str(event.get("payer_name") or "")[:40],
        payer_id_number=str(event.get("payer_id_number") or "")[:18],
    )
    if not changed:
        return "already_succeeded"
    order = payment.order
    try:
        order_transition(
            order=order,
            to_state=S.PAID,
            allowed_from=[S.PENDING_PAYMENT],
            message=EventMessage(gettext_noop("Paid ¥%(amount)s."), {"amount": yuan_digits(payment.amount)}),
            extra={"paid_at": now},
        )
    except InvalidTransition:
        order.refresh_from_db(fields=["state"])
    else:
        order_id = order.pk
        _sales_count_add(order_id)
        if order.is_cross_border:
            enqueue_on_commit("mall.tasks.order_declare_task", order_id)
        return "paid"
    # The order expired or was cancelled first (the database decided): the money goes back.
    if order.state == S.CANCELLED:
        try:
            order_transition(
                order=order,
                to_state=S.REFUND_DUE,
                allowed_from=[S.CANCELLED],
                message=EventMessage(
                    gettext_noop("Payment arrived after the order was cancelled; it will be refunded.")
                ),
            )
        except InvalidTransition:
            order.refresh_from_db(fields=["state"])
        else:
            enqueue_on_commit("mall.tasks.order_refund_task", order.pk, "paid after cancellation")
            logger.warning("payment %s arrived after order %s was cancelled", payment.reference, order.number)
            return "refund_due"
    # Already paid by another attempt (two tabs, two clicks): refund this one on its own.
    logger.warning(
        "payment %s is a second payment of order %s; refunding it", payment.reference, order.number
    )
    enqueue_on_commit("mall.tasks.payment_refund_task", payment.pk, "duplicate payment")
    return "duplicate_refund"


# --- refunds -----------------------------------------------------------------------------------------------


def _refund_open(*, payment: Payment, reason: str) -> Refund | None:
    """Record the refund intent for one payment once (the caller holds the order's lock)."""
    if Refund.objects.filter(payment=payment).exclude(state=Refund.State.FAILED).exists():
        return None
    return Refund.objects.create(payment=payment, amount=payment.amount, reason=(reason or "refund")[:200])


def _refunds_execute(*, order_id: int) -> list[Refund]:
    """Ask the provider for every refund of the order still pending, outside any lock, then record the
    answer with a conditional UPDATE (two workers racing record it once)."""
    done = []
    pending = Refund.objects.select_related("payment").filter(
        payment__order_id=order_id, state=Refund.State.PENDING
    )
    for refund in pending.order_by("pk"):
        provider = get_provider(refund.payment.provider)
        try:
            reference = provider.refund(
                refund.payment, refund.amount, refund.reason, idempotency_key=f"refund:{refund.pk}"
            )
        except DomainError as exc:
            logger.error("refund %s of payment %s refused: %s", refund.pk, refund.payment.reference, exc)
            Refund.objects.filter(pk=refund.pk, state=Refund.State.PENDING).update(state=Refund.State.FAILED)
            continue
        with transaction.atomic(durable=True):
            if Refund.objects.filter(pk=refund.pk, state=Refund.State.PENDING).update(
                state=Refund.State.SUCCEEDED, reference=reference[:64]
            ):
                Payment.objects.filter(pk=refund.payment_id, state=P.SUCCEEDED).update(state=P.REFUNDED)
                refund.state, refund.reference = Refund.State.SUCCEEDED, reference
                done.append(refund)
                transaction.on_commit(
                    partial(signals.refund_succeeded.send, sender=Refund, refund_id=refund.pk)
                )
                logger.info(
                    "refunded ¥%s of payment %s: %s", refund.amount, refund.payment.reference, reference
                )
    return done


def order_refund(*, order_id: int, reason: str) -> list[Refund]:
    """Give the buyer their money back through the provider the payment came from.

    customs_rejected / refund_due / paid orders become refunded (a paid order's stock allocation is
    released); a returned order stays returned and gets its refund recorded. Idempotent: every payment
    is refunded once however often this runs, and a retry finishes a refund the provider had not
    answered yet. Returns the refunds completed by this call.
    """
    with transaction.atomic(durable=True):
        order = lock_objects.order_lock(order_id)
        if order is None:
            raise NotFound(_("No such order."))
        payments = list(Payment.objects.filter(order=order, state=P.SUCCEEDED).order_by("pk"))
        if order.state in REFUNDABLE_STATES:
            if not payments:
                raise Conflict(_("This order has no payment to refund."))
            was_paid = order.state == S.PAID
            order_transition(
                order=order,
                to_state=S.REFUNDED,
                allowed_from=REFUNDABLE_STATES,
                message=EventMessage(
                    gettext_noop("Refund of ¥%(amount)s: %(reason)s"),
                    {"amount": yuan_digits(sum(p.amount for p in payments)), "reason": reason},
                ),
            )
            if was_paid:
                order_release_stock(order, kind=StockMovement.Kind.DEALLOCATED, reason=f"refunded: {reason}")
        elif order.state not in (S.RETURNED, S.REFUNDED):
            raise InvalidTransition(
                _("This order is %(state)s and can't be refunded.") % {"state": S(order.state).label}
            )
        for payment in payments:
            _refund_open(payment=payment, reason=reason)
    return _refunds_execute(order_id=order_id)


@dataclass(frozen=True)
class RefundOutcome:
    """What ``order_refund_now_or_later`` did: the refunds completed now (none when nothing was left to
    refund), or ``retrying`` when the provider did not answer and a task will try again."""

    refunds: list[Refund] = field(default_factory=list)
    retrying: bool = False

    @property
    def amount(self):
        return sum((refund.amount for refund in self.refunds), Decimal("0"))


def order_refund_now_or_later(*, order_id: int, reason: str) -> RefundOutcome:
    """An operator's refund: ask the provider now; if it does not answer, the refund stays recorded as
    pending and ``order_refund_task`` retries it (with backoff) until the provider does.

    Raises the refusal when the provider refused (the refund is marked failed) and nothing was refunded.
    """
    try:
        refunds = order_refund(order_id=order_id, reason=reason)
    except OSError:
        logger.warning("refund of order %s: the provider did not answer; retrying later", order_id)
        enqueue_on_commit("mall.tasks.order_refund_task", order_id, reason)
        return RefundOutcome(retrying=True)
    if not refunds and Refund.objects.filter(payment__order_id=order_id, state=Refund.State.FAILED).exists():
        raise DomainError(_("the payment provider refused the refund; see the refunds below the order."))
    return RefundOutcome(refunds=refunds)


def payment_refund(*, payment_id: int, reason: str) -> list[Refund]:
    """Refund one payment without touching its order's state (a second payment of a paid order)."""
    with transaction.atomic(durable=True):
        payment = Payment.objects.filter(pk=payment_id).first()
        if payment is None:
            raise NotFound(_("No such payment."))
        lock_objects.order_lock(payment.order_id)
        payment.refresh_from_db(fields=["state"])
        if payment.state == P.SUCCEEDED:
            _refund_open(payment=payment, reason=reason)
    return _refunds_execute(order_id=payment.order_id)
