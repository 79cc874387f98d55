"""The sandbox customs gateway: clears by default, and rejects as the real service would when the payer
is not the purchaser or the purchaser's annual cross-border quota would be exceeded by this order."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from mall.customs.base import CustomsDecision, CustomsGateway
from mall.templatetags.mall import yuan_digits


class SandboxCustoms(CustomsGateway):
    name = "sandbox"

    def declare(self, declaration: dict) -> CustomsDecision:
        order, payment, waybill = declaration["order"], declaration["payment"], declaration["waybill"]
        # Deterministic: a retried declaration of the same records gets the same entry number.
        reference = (
            "SBXC" + hashlib.sha256(f"{order['number']}:{waybill['number']}".encode()).hexdigest()[:16]
        )
        if (payment.get("payer_name") or "").strip() != (order.get("buyer_name") or "").strip() or (
            (payment.get("payer_id_number") or "").upper() != (order.get("buyer_id_number") or "").upper()
        ):
            return CustomsDecision(
                False,
                reference,
                _("The payer is not the purchaser declared on the order (name or ID number)."),
            )
        limit = Decimal(settings.CROSS_BORDER_ANNUAL_LIMIT)
        spent = self._spent_this_year(order)
        if spent > limit:
            return CustomsDecision(
                False,
                reference,
                _(
                    "This order would take the purchaser's cross-border spend this year to ¥%(spent)s, over the ¥%(limit)s limit."
                )
                % {"spent": yuan_digits(spent), "limit": yuan_digits(limit)},
            )
        return CustomsDecision(True, reference)

    def _spent_this_year(self, order: dict) -> Decimal:
        # The real service keeps its own ledger per ID number; the sandbox reads ours, counting this
        # order once whether or not its current state already counts.
        from mall.models import Order
        from mall.services.pricing import QUOTA_STATES, money, quota_used

        used = quota_used(id_number=order["buyer_id_number"], year=order["year"])
        counted = Order.objects.filter(
            pk=order["id"], state__in=QUOTA_STATES, is_cross_border=True, created_at__year=order["year"]
        ).exists()
        return money(used if counted else used + Decimal(order["total"]))
