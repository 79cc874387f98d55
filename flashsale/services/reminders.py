"""Reminders ("Remind me" before a sale opens): a buyer asks, a periodic task marks the reminders notified when the
sale opens, and the strip and the sale page tell the buyer (the notice stays inside this app: flashsale
knows nothing of community's inbox)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from flashsale.models import FlashSale, Reminder


def reminder_create(*, user, sale: FlashSale) -> Reminder:
    """Ask to be told when ``sale`` opens. Asking twice is not an error: the first reminder stands."""
    if sale.state != FlashSale.State.PUBLISHED or sale.ends_at <= timezone.now():
        raise Conflict(_("This sale is not coming up, so there is nothing to remind you of."))
    if sale.starts_at <= timezone.now():
        raise Conflict(_("This sale is already open: buy now."))
    try:
        with transaction.atomic(durable=True):
            return Reminder.objects.create(sale=sale, user=user)
    except IntegrityError:
        return Reminder.objects.get(sale=sale, user=user)


def reminder_delete(*, user, sale: FlashSale) -> bool:
    deleted, _rows = Reminder.objects.filter(sale=sale, user=user, notified_at__isnull=True).delete()
    return bool(deleted)


def reminders_send(*, now: datetime | None = None) -> int:
    """Mark the reminders of every sale that has opened as notified, once each (one UPDATE, so two
    overlapping runs cannot notify a reminder twice). Returns how many were notified now."""
    now = now or timezone.now()
    return Reminder.objects.filter(
        notified_at__isnull=True,
        sale__state=FlashSale.State.PUBLISHED,
        sale__starts_at__lte=now,
        sale__ends_at__gt=now,
    ).update(notified_at=now)
