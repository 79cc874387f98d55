"""Mall presentation helpers: money as ¥12.34, stock states in words, order states as colours."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _cents(value) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not amount.is_finite():
        return None
    return amount + 0  # -0.00 reads as 0.00


@register.filter
def yuan(value) -> str:
    """Decimal("12.3") -> "¥12.30"; thousands are separated so big totals stay readable.

    The one money format of the site, in both languages (Chinese and English both write ¥5,000.00):
    every page shows money through this filter, and Python text through ``yuan_digits`` below."""
    amount = _cents(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def yuan_digits(value) -> str:
    """The figure of ``yuan`` without its ¥, for translated sentences that carry the ¥ themselves
    ("Paid ¥%(amount)s."): Decimal("26000") -> "26,000.00"."""
    amount = _cents(value)
    return "" if amount is None else f"{amount:,.2f}"


@register.simple_tag
def product_card(product) -> str:
    """A product card, its markup rendered once per content and language (mall/cards.py)."""
    from mall.cards import product_card_html

    return product_card_html(product)


@register.filter
def percent(value) -> str:
    """Decimal("0.091") -> "9.1%"."""
    try:
        number = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError, TypeError):
        return ""
    text = f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


@register.simple_tag
def stock_words(state: str, available: int = 0) -> str:
    if state == "sold_out":
        return _("Sold out")
    if state == "low":
        return ngettext("Only %(n)d left", "Only %(n)d left", available) % {"n": available}
    return _("In stock")


_STATE_TONES = {
    "pending_payment": "warn",
    "paid": "info",
    "declared": "info",
    "cleared": "info",
    "shipped": "info",
    "delivered": "ok",
    "completed": "ok",
    "cancelled": "muted",
    "refund_due": "warn",
    "customs_rejected": "warn",
    "refunded": "muted",
    "return_requested": "warn",
    "returned": "muted",
}


@register.filter
def state_tone(state: str) -> str:
    return _STATE_TONES.get(str(state), "muted")


@register.filter
def in_list(value, items) -> bool:
    return value in (items or ())


@register.simple_tag
def countdown(deadline, now) -> str:
    """What a countdown shows before its script runs: "14:59", or "1:02:03" past an hour."""
    if not deadline or not now:
        return ""
    seconds = max(0, int((deadline - now).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@register.filter
def state_label(state: str) -> str:
    from mall.models import Order

    try:
        return str(Order.State(state).label)
    except ValueError:
        return str(state)


@register.filter
def carrier_label(code: str) -> str:
    """A carrier's name in the reader's language, from the code an order stores."""
    from mall.carriers import carrier_label as label

    return label(code)


@register.simple_tag
def customs_limit(which: str) -> Decimal:
    """The cross-border limits in force (settings): "order" (per order) or "annual" (per person)."""
    from django.conf import settings

    value = settings.CROSS_BORDER_ORDER_LIMIT if which == "order" else settings.CROSS_BORDER_ANNUAL_LIMIT
    return Decimal(str(value))
