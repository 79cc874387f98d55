""" "Remind me": reminders are notified once when their sale opens, by a task scheduled for the opening
second (the periodic task is the safety net) on a real worker, and the buyer then sees the notice on the mall's strip and the sale page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from core.signals import notice_for_user
from core.tasks import _send
from flashsale.models import FlashSale, Reminder
from flashsale.services.reminders import reminder_create, reminder_delete, reminder_send, reminders_send
from flashsale.tests.factories import FlashSaleFactory
from flashsale.tests.helpers import live_sale, render_strip, upcoming_sale
from mall.tests.factories import buyer
from tests.support.tasks import wait_until


@pytest.mark.clocks
@pytest.mark.django_db
def test_reminders_of_an_opened_sale_are_notified_once():
    soon = upcoming_sale(in_minutes=10)
    user, other = buyer()[0], buyer()[0]
    first = reminder_create(user=user, sale=soon)
    assert reminder_create(user=user, sale=soon).pk == first.pk  # asking twice: the same reminder
    reminder_create(user=other, sale=soon)

    assert reminders_send() == 0  # not open yet
    opened_at = soon.starts_at + timedelta(seconds=1)
    assert reminders_send(now=opened_at) == 2
    assert reminders_send(now=opened_at + timedelta(seconds=10)) == 0
    assert set(Reminder.objects.values_list("notified_at", flat=True)) == {opened_at}


@pytest.mark.django_db
def test_reminders_of_drafts_and_ended_sales_are_not_notified():
    user = buyer()[0]
    draft = FlashSaleFactory()
    Reminder.objects.create(sale=draft, user=user)
    ended = live_sale()
    Reminder.objects.create(sale=ended, user=user)
    FlashSale.objects.filter(pk=ended.pk).update(state=FlashSale.State.ENDED)
    assert reminders_send() == 0


@pytest.mark.django_db
def test_a_reminder_can_be_withdrawn_before_it_is_sent():
    sale = upcoming_sale()
    user = buyer()[0]
    reminder_create(user=user, sale=sale)
    assert reminder_delete(user=user, sale=sale) is True
    assert not Reminder.objects.exists()


@pytest.mark.clocks
@pytest.mark.django_db
def test_no_reminder_for_a_sale_that_is_open_or_not_published():
    user = buyer()[0]
    with pytest.raises(Conflict):
        reminder_create(user=user, sale=live_sale())
    with pytest.raises(Conflict):
        reminder_create(user=user, sale=FlashSaleFactory(starts_at=timezone.now() + timedelta(hours=1)))
    assert not Reminder.objects.exists()


def test_the_periodic_task_runs_on_a_real_worker_and_the_buyer_sees_the_notice(celery_worker, client):
    assert "flashsale-reminders-send" in settings.CELERY_BEAT_SCHEDULE
    sale = live_sale()
    user = buyer()[0]
    # The buyer asked while the sale was upcoming; it has opened since.
    Reminder.objects.create(sale=sale, user=user)
    assert 'data-testid="reminder-open"' not in render_strip(user)

    from flashsale.tasks import reminders_send_task as task

    task.delay()
    assert wait_until(lambda: Reminder.objects.filter(user=user, notified_at__isnull=False).exists())
    assert 'data-testid="reminder-open"' in render_strip(user)
    client.force_login(user)
    html = client.get(reverse("flash:sale", args=[sale.pk])).content.decode()
    assert 'data-testid="reminder-open"' in html


@pytest.mark.django_db
def test_asking_schedules_the_reminder_for_the_opening_second(django_capture_on_commit_callbacks):
    sale = upcoming_sale(in_minutes=10)
    with django_capture_on_commit_callbacks() as callbacks:
        reminder = reminder_create(user=buyer()[0], sale=sale)
    sent = [c.args for c in callbacks if getattr(c, "func", None) is _send]
    assert sent == [("flashsale.tasks.reminder_send_task", (reminder.pk,), {}, {"eta": sale.starts_at})]


@pytest.mark.clocks
@pytest.mark.django_db
def test_a_reminder_is_announced_once_at_the_opening_and_not_before(django_capture_on_commit_callbacks):
    sale = upcoming_sale(in_minutes=10)
    user = buyer()[0]
    reminder = reminder_create(user=user, sale=sale)
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    notice_for_user.connect(listener, weak=False)
    try:
        # Run early (a clock ahead): nothing is announced, and it is scheduled again for the opening.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert reminder_send(reminder_id=reminder.pk, now=sale.starts_at - timedelta(seconds=1)) is False
        assert [c.args[3] for c in callbacks if getattr(c, "func", None) is _send] == [
            {"eta": sale.starts_at}
        ]
        assert heard == []

        with django_capture_on_commit_callbacks(execute=True):
            assert reminder_send(reminder_id=reminder.pk, now=sale.starts_at) is True
            assert reminder_send(reminder_id=reminder.pk, now=sale.starts_at) is False  # the task ran twice
            assert reminders_send(now=sale.starts_at + timedelta(seconds=10)) == 0  # and the sweep after it
    finally:
        notice_for_user.disconnect(listener)
    assert heard == [
        {
            "signal": notice_for_user,
            "user_id": user.pk,
            "kind": "sale_opened",
            "params": {"sale_id": sale.pk, "title": sale.title or sale.sku.product.name},
            "key": f"reminder:{reminder.pk}",
        }
    ]
