"""Reads of "Remind me": the viewer's reminders for the sales on a page, and the console's count."""

from __future__ import annotations

from flashsale.models import FlashSale, Reminder


def reminders_for_viewer(*, user, sale_ids) -> dict[int, Reminder]:
    """The viewer's reminders for these sales, by sale id, in one query (none for anonymous viewers)."""
    sale_ids = list(sale_ids)
    if not sale_ids or user is None or not user.is_authenticated:
        return {}
    return {r.sale_id: r for r in Reminder.objects.filter(user_id=user.pk, sale_id__in=sale_ids)}


def reminder_count(*, sale: FlashSale) -> int:
    return Reminder.objects.filter(sale=sale).count()
