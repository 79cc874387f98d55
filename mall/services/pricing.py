"""Money: cross-border tax per line and per order, and the buyer's customs quotas."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idnumbers import id_number_hash
from mall.errors import QuotaExceeded
from mall.models import CENT, Order, Sku
from mall.templatetags.mall import yuan_digits

# Orders that count against the buyer's annual cross-border quota.
QUOTA_STATES = [*Order.SOLD_STATES, Order.State.PENDING_PAYMENT]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PricedLine:
    sku: Sku
    quantity: int
    unit_price: Decimal
    line_subtotal: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    referral: str = ""

    @property
    def line_total(self) -> Decimal:
        return self.line_subtotal + self.tax_amount


def line_price(
    *, sku: Sku, quantity: int, unit_price: Decimal | None = None, referral: str = ""
) -> PricedLine:
    """Price one line. Cross-border goods carry the comprehensive tax of their tax category."""
    price = money(unit_price if unit_price is not None else sku.price)
    subtotal = money(price * quantity)
    product = sku.product
    rate = product.tax_category.cross_border_rate if product.is_cross_border else Decimal("0")
    return PricedLine(sku, quantity, price, subtotal, rate, money(subtotal * rate), referral)


def tax_estimate(*, sku: Sku) -> Decimal:
    return line_price(sku=sku, quantity=1).tax_amount


def quota_used(*, id_number: str, year: int | None = None) -> Decimal:
    """Cross-border spend this calendar year on ``id_number`` (returns restore it: they leave QUOTA_STATES;
    so does an unpaid order when it expires, as it is cancelled). Found by the number's keyed hash."""
    year = year or timezone.localdate().year
    total = Order.objects.filter(
        buyer_id_hash=id_number_hash(id_number),
        is_cross_border=True,
        state__in=QUOTA_STATES,
        created_at__year=year,
    ).aggregate(total=Sum("total"))["total"]
    return money(total or 0)


def order_limit_check(*, order_total: Decimal) -> None:
    """Refuse a cross-border order over the per-order limit (no identity needed to know that)."""
    per_order = money(settings.CROSS_BORDER_ORDER_LIMIT)
    if order_total > per_order:
        raise QuotaExceeded(
            _(
                "A cross-border order can be at most ¥%(limit)s; this one is ¥%(total)s. Split it into smaller orders."
            )
            % {"limit": yuan_digits(per_order), "total": yuan_digits(order_total)}
        )


def quota_left(*, id_number: str) -> Decimal:
    """What is left of the annual cross-border quota on ``id_number`` this calendar year."""
    annual = money(settings.CROSS_BORDER_ANNUAL_LIMIT)
    return money(max(Decimal("0.00"), annual - quota_used(id_number=id_number)))


def quota_left_for(*, viewer, identity) -> Decimal | None:
    """What is left of ``identity``'s quota, for ``viewer`` to see: only its owner sees it, and only once
    it is verified (anyone else learns nothing about whose number it is or what they bought)."""
    if identity is None or not identity.is_verified or identity.user_id != getattr(viewer, "pk", None):
        return None
    return quota_left(id_number=identity.id_number)


def quota_check(*, id_number: str, order_total: Decimal) -> Decimal:
    """Refuse an order over the per-order limit or over what is left of the annual quota; returns what is
    left (before this order)."""
    annual = money(settings.CROSS_BORDER_ANNUAL_LIMIT)
    order_limit_check(order_total=order_total)
    used = quota_used(id_number=id_number)
    left = max(Decimal("0.00"), annual - used)
    if order_total > left:
        raise QuotaExceeded(
            _(
                "This order (¥%(total)s) is over your annual cross-border quota: ¥%(left)s of ¥%(annual)s is left this year."
            )
            % {"total": yuan_digits(order_total), "left": yuan_digits(left), "annual": yuan_digits(annual)}
        )
    return left
