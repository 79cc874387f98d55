"""Customs for cross-border orders: after payment the order, payment and waybill records are declared
through the customs gateway; clearance lets the warehouse ship, a rejection releases the stock and
refunds the buyer.

Three steps, so that no lock or transaction is open while the gateway is asked: (1) paid -> declared
with the declaration row, (2) the gateway call, (3) the answer recorded by conditional UPDATEs. A retried
or duplicated task finds step 1 done and repeats only the (idempotent) call; step 3 applies once.
"""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.tasks import enqueue_on_commit
from mall.customs import CustomsDecision, get_gateway
from mall.errors import InvalidTransition
from mall.models import CustomsDeclaration, Order, OrderLine, Payment, StockMovement
from mall.services.orders import EventMessage, order_release_stock, order_transition

logger = logging.getLogger(__name__)
S = Order.State
D = CustomsDeclaration.State


def waybill_number() -> str:
    return timezone.localtime().strftime("WB%Y%m%d") + secrets.token_hex(5).upper()


def _declaration_open(*, order: Order) -> None:
    with transaction.atomic(durable=True):
        waybill = waybill_number()
        try:
            # The conditional UPDATE comes first: a concurrent task waits on the row and then fails it,
            # so only one declaration is ever created.
            order_transition(
                order=order,
                to_state=S.DECLARED,
                allowed_from=[S.PAID],
                message=EventMessage(
                    gettext_noop("Declared to customs, waybill %(waybill)s."), {"waybill": waybill}
                ),
            )
        except InvalidTransition:
            return
        CustomsDeclaration.objects.create(order=order, waybill=waybill)


def declaration_records(*, order: Order, declaration: CustomsDeclaration) -> dict:
    """The three documents: order, payment and waybill, as the gateway receives them."""
    lines = list(OrderLine.objects.filter(order=order).select_related("warehouse", "sku").order_by("pk"))
    payment = Payment.objects.filter(order=order, state=Payment.State.SUCCEEDED).order_by("pk").first()
    warehouse = lines[0].warehouse if lines else None
    return {
        "order": {
            "id": order.pk,
            "number": order.number,
            "year": timezone.localtime(order.created_at).year,
            "buyer_name": order.buyer_name,
            "buyer_id_number": order.buyer_id_number,
            "subtotal": str(order.subtotal),
            "tax_total": str(order.tax_total),
            "total": str(order.total),
            "currency": order.currency,
            "lines": [
                {
                    "sku_code": line.sku_code,
                    "name": f"{line.product_name} {line.sku_name}",
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "tax_amount": str(line.tax_amount),
                }
                for line in lines
            ],
        },
        "payment": {
            "provider": payment.provider if payment else "",
            "reference": payment.reference if payment else "",
            "amount": str(payment.amount) if payment else "",
            "payer_name": payment.payer_name if payment else "",
            "payer_id_number": payment.payer_id_number if payment else "",
            "paid_at": payment.succeeded_at.isoformat() if payment and payment.succeeded_at else "",
        },
        "waybill": {
            "number": declaration.waybill,
            "ship_to": order.ship_to,
            "warehouse": warehouse.code if warehouse else "",
            "customs_district": warehouse.customs_district if warehouse else "",
            "supervision_mode": warehouse.supervision_mode if warehouse else "",
            "weight_grams": sum(line.sku.weight_grams * line.quantity for line in lines),
        },
    }


def _declaration_decide(*, order: Order, declaration: CustomsDeclaration, decision: CustomsDecision) -> bool:
    with transaction.atomic(durable=True):
        decided = CustomsDeclaration.objects.filter(pk=declaration.pk, state=D.SUBMITTED).update(
            state=D.CLEARED if decision.cleared else D.REJECTED,
            reference=decision.reference[:40],
            rejection_reason="" if decision.cleared else decision.reason[:200],
            decided_at=timezone.now(),
        )
        if not decided:
            return False
        if decision.cleared:
            order_transition(
                order=order,
                to_state=S.CLEARED,
                allowed_from=[S.DECLARED],
                message=EventMessage(gettext_noop("Cleared customs.")),
            )
            return True
        reason = decision.reason or _("Rejected by customs.")
        order_transition(
            order=order,
            to_state=S.CUSTOMS_REJECTED,
            allowed_from=[S.DECLARED],
            message=EventMessage(gettext_noop("Rejected by customs: %(reason)s"), {"reason": reason}),
        )
        order_release_stock(order, kind=StockMovement.Kind.CUSTOMS_REJECTED, reason=reason)
        enqueue_on_commit("mall.tasks.order_refund_task", order.pk, f"customs rejected: {reason}"[:200])
    logger.warning("customs rejected order %s: %s", order.number, reason)
    return True


def order_declare(*, order_id: int) -> CustomsDeclaration | None:
    """Declare a paid cross-border order and record customs' answer. Safe to run any number of times."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not order.is_cross_border:
        return None
    if order.state == S.PAID:
        _declaration_open(order=order)
        order.refresh_from_db(fields=["state"])
    declaration = CustomsDeclaration.objects.filter(order=order).first()
    if declaration is None or declaration.state != D.SUBMITTED or order.state != S.DECLARED:
        return declaration
    records = declaration_records(order=order, declaration=declaration)
    decision = get_gateway().declare(records)
    _declaration_decide(order=order, declaration=declaration, decision=decision)
    declaration.refresh_from_db()
    return declaration
