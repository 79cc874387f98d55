"""Reminders ("Remind me" before a sale opens): a buyer asks, and a task scheduled for the sale's opening
second (``eta=starts_at``) marks the reminder notified, once, with a conditional UPDATE. The strip and the
sale page then tell the buyer, and ``core.signals.notice_for_user`` puts a notice in their inbox (flashsale
knows nothing of the community: whoever listens makes the notice). The periodic ``reminders_send`` is the
safety net for a lost task or a sale whose start moved."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.signals import notice_for_user
from core.tasks import enqueue_on_commit
from flashsale.models import FlashSale, Reminder


def reminder_create(*, user, sale: FlashSale) -> Reminder:
    """Ask to be told when ``sale`` opens. Asking twice is not an error: the first reminder stands."""
    if sale.state != FlashSale.State.PUBLISHED or sale.ends_at <= timezone.now():
        raise Conflict(_("This sale is not coming up, so there is nothing to remind you of."))
    if sale.starts_at <= timezone.now():
        raise Conflict(_("This sale is already open: buy now."))
    try:
        with transaction.atomic(durable=True):
            reminder = Reminder.objects.create(sale=sale, user=user)
            enqueue_on_commit("flashsale.tasks.reminder_send_task", reminder.pk, eta=sale.starts_at)
            return reminder
    except IntegrityError:
        return Reminder.objects.get(sale=sale, user=user)


def reminder_delete(*, user, sale: FlashSale) -> bool:
    deleted, _rows = Reminder.objects.filter(sale=sale, user=user, notified_at__isnull=True).delete()
    return bool(deleted)


def _open_sale_reminders(now: datetime):
    return Reminder.objects.filter(
        notified_at__isnull=True,
        sale__state=FlashSale.State.PUBLISHED,
        sale__starts_at__lte=now,
        sale__ends_at__gt=now,
    )


def _notice_send(reminder: Reminder) -> None:
    sale = reminder.sale
    notice_for_user.send(
        sender=Reminder,
        user_id=reminder.user_id,
        kind="sale_opened",
        params={"sale_id": sale.pk, "title": sale.title or sale.sku.product.name},
        key=f"reminder:{reminder.pk}",
    )


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Notify one reminder if its sale is open now; False if it is not open yet, is over, or the reminder
    was notified already. A conditional UPDATE decides, so two runs (a retried task, the periodic sweep)
    notify it once. Run early (a clock ahead, a sale moved later), it schedules itself for the opening."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        if not _open_sale_reminders(now).filter(pk=reminder_id).update(notified_at=now):
            upcoming = Reminder.objects.filter(
                pk=reminder_id,
                notified_at__isnull=True,
                sale__state=FlashSale.State.PUBLISHED,
                sale__starts_at__gt=now,
            ).values_list("sale__starts_at", flat=True)
            for starts_at in upcoming:
                enqueue_on_commit("flashsale.tasks.reminder_send_task", reminder_id, eta=starts_at)
            return False
        reminder = Reminder.objects.select_related("sale__sku__product").get(pk=reminder_id)
        transaction.on_commit(lambda: _notice_send(reminder))
    return True


def reminders_send(*, now: datetime | None = None) -> int:
    """The periodic sweep: notify every reminder of an open sale that its own task has not (lost, or the
    sale's start moved). Returns how many were notified now."""
    now = now or timezone.now()
    ids = list(_open_sale_reminders(now).order_by("pk").values_list("pk", flat=True)[:5000])
    return sum(reminder_send(reminder_id=pk, now=now) for pk in ids)
