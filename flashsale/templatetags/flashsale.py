"""The flash-sale strip for the mall's first screen, as an inclusion tag: the mall's template loads it by
name and never imports this app. The tag computes its own context: live and upcoming sales (two
queries whatever their number), the units left from Redis (one round trip), and the viewer's reminders
(one query when signed in)."""

from __future__ import annotations

import uuid

from django import template
from django.utils import timezone

from flashsale.models import PHASE_ENDED, PHASE_LIVE, PHASE_PAUSED, PHASE_UPCOMING
from flashsale.selectors.reminders import reminders_for_viewer
from flashsale.selectors.sales import remaining_units, sales_visible

register = template.Library()


def epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def sale_card(sale, *, now, remaining: int, reminder=None) -> dict:
    """Everything a sale's card shows, computed once so templates do no arithmetic or queries."""
    images = list(sale.sku.product.images.all())
    quota = max(sale.quota, 1)
    sold = max(sale.quota - remaining, 0)
    phase = sale.phase_at(now)
    live = phase == PHASE_LIVE
    return {
        "sale": sale,
        "product": sale.sku.product,
        "image": images[0] if images else None,
        "phase": phase,
        "live": live,
        "upcoming": phase == PHASE_UPCOMING,
        "paused": phase == PHASE_PAUSED,
        "ended": phase == PHASE_ENDED,
        "remaining": remaining,
        "sold": sold,
        "sold_percent": min(100, round(sold * 100 / quota)),
        "sold_out": live and remaining <= 0,
        "deadline": sale.ends_at if now >= sale.starts_at else sale.starts_at,
        "starts_ms": epoch_ms(sale.starts_at),
        "ends_ms": epoch_ms(sale.ends_at),
        "reminder": reminder,
        "request_id": uuid.uuid4().hex,
    }


def open_reminded(cards: list[dict]) -> list[dict]:
    """Cards of live sales the viewer asked to be reminded of and has been notified about."""
    return [c for c in cards if c["live"] and c["reminder"] is not None and c["reminder"].notified_at]


@register.inclusion_tag("flashsale/partials/flash_strip.html", takes_context=True)
def flash_strip(context, limit: int = 8):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    now = timezone.now()
    sales = list(sales_visible()[:limit])
    remaining = remaining_units(sales)
    reminders = reminders_for_viewer(user=user, sale_ids=[s.pk for s in sales])
    cards = [
        sale_card(s, now=now, remaining=remaining.get(s.pk, s.remaining), reminder=reminders.get(s.pk))
        for s in sales
    ]
    return {
        "cards": cards,
        "reminded_open": open_reminded(cards),
        "server_now_ms": epoch_ms(now),
        "now": now,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def countdown_text(seconds_to, now) -> str:
    """The countdown as the server sees it (what a page without JavaScript shows): 1:02:03 or 04:05."""
    seconds = max(0, int((seconds_to - now).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
