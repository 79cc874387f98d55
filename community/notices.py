"""How a notice reads and where it leads, built when it is shown (docs/architecture.md, "The community side").

A notice (an order shipped, a sale opened, a note hidden) stores its kind and plain parameters (an order
number, a carrier, a reason code), never a sentence: the sentence is made here with gettext at read
time, so it comes out in the language of whoever reads it, whatever language the event happened in.
Nothing here queries the database: the inbox page stays one query whatever it holds.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.models import Notification, Report
from mall.carriers import carrier_label
from mall.models import Order
from mall.templatetags.mall import yuan_digits

Kind = Notification.Kind

# The order transitions that tell the buyer something, and the notice each one makes.
ORDER_NOTICE_OF_STATE: dict[str, str] = {
    Order.State.PAID: Kind.ORDER_PAID,
    Order.State.CLEARED: Kind.ORDER_CLEARED,
    Order.State.SHIPPED: Kind.ORDER_SHIPPED,
    Order.State.DELIVERED: Kind.ORDER_DELIVERED,
    Order.State.RETURNED: Kind.RETURN_RECEIVED,
}


def _state(params: dict) -> str:
    value = params.get("state", "")
    return Order.State(value).label if value in Order.State.values else value


def _date(value: str) -> str:
    try:
        return date_format(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


def _order_message(n: Notification) -> str:
    p = {"number": n.params.get("number", ""), "state": _state(n.params)}
    if n.kind == Kind.ORDER_PAID:
        return _("Order %(number)s: %(state)s. Thank you, we have your payment.") % p
    if n.kind == Kind.ORDER_CLEARED:
        return _("Order %(number)s: %(state)s. It leaves the bonded warehouse next.") % p
    if n.kind == Kind.ORDER_SHIPPED:
        p |= {"carrier": carrier_label(n.params.get("carrier", "")), "tracking": n.params.get("tracking", "")}
        if p["carrier"]:
            return _("Order %(number)s: %(state)s with %(carrier)s, tracking number %(tracking)s.") % p
        return _("Order %(number)s: %(state)s, tracking number %(tracking)s.") % p
    if n.kind == Kind.ORDER_DELIVERED:
        return _("Order %(number)s: %(state)s. Enjoy it, and tell others what you think.") % p
    return _("Order %(number)s: %(state)s. We have your return; the refund follows.") % p


def notice_message(n: Notification) -> str:
    """The sentence an inbox entry shows, in the active language. Social kinds are their label."""
    if n.inbox != Notification.Inbox.NOTICES:
        return n.get_kind_display()
    params = n.params or {}
    if n.kind in ORDER_NOTICE_OF_STATE.values():
        return _order_message(n)
    if n.kind == Kind.RETURN_APPROVED:
        return _(
            "Order %(number)s: your return is approved. Send it back; the refund follows when it arrives."
        ) % {"number": params.get("number", "")}
    if n.kind == Kind.REFUND_MADE:
        return _("Order %(number)s: ¥%(amount)s refunded to the account you paid with.") % {
            "number": params.get("number", ""),
            "amount": yuan_digits(params.get("amount", "")),
        }
    if n.kind == Kind.SALE_OPENED:
        return _("The flash sale “%(title)s” you asked to be reminded of is open now.") % {
            "title": params.get("title", "")
        }
    if n.kind == Kind.NOTE_HIDDEN:
        reason = params.get("reason", "")
        reason = Report.Reason(reason).label if reason in Report.Reason.values else _("community guidelines")
        return _(
            "Your note “%(title)s” was hidden by moderation. Reason: %(reason)s. To appeal, write to "
            "%(email)s with the note's link and why it should be shown again."
        ) % {"title": params.get("title", ""), "reason": reason, "email": settings.MODERATION_APPEAL_EMAIL}
    if n.kind == Kind.PARTNERSHIP:
        return _(
            "%(brand)s invites you to the brand partnership “%(campaign)s”, %(starts)s to %(ends)s. "
            "Choose it when you post about their products."
        ) % {
            "brand": params.get("brand", ""),
            "campaign": params.get("campaign", ""),
            "starts": _date(params.get("starts_on", "")),
            "ends": _date(params.get("ends_on", "")),
        }
    return n.get_kind_display()


def _reverse(name: str, *args) -> str | None:
    # flashsale and mall may be left out of INSTALLED_APPS: their notices then lead nowhere.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def notice_link(n: Notification) -> str | None:
    """Where a notice leads: the order, the sale, the hidden note, the note editor."""
    params = n.params or {}
    if n.kind in ORDER_NOTICE_OF_STATE.values() or n.kind in (Kind.REFUND_MADE, Kind.RETURN_APPROVED):
        return _reverse("mall:order", params.get("number", "")) if params.get("number") else None
    if n.kind == Kind.SALE_OPENED:
        return _reverse("flash:sale", params.get("sale_id", 0))
    if n.kind == Kind.NOTE_HIDDEN and n.note_id:
        return _reverse("community:note", n.note_id)
    if n.kind == Kind.PARTNERSHIP:
        return _reverse("community:note_new")
    return None
