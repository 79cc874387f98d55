"""A reminder reaches the community inbox at the sale's opening second, once: flashsale announces it
through core.signals.notice_for_user (it knows nothing of the community), the community's receiver
enqueues the notice task, a real worker runs both. No beat runs here: only the task scheduled for the
opening can deliver it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Notification
from community.services.notifications import notification_unread_count
from flashsale.services.reminders import reminder_create, reminder_send, reminders_send
from flashsale.tests.helpers import live_sale
from mall.tests.factories import buyer
from tests.support.tasks import wait_until


@pytest.mark.django_db(transaction=True)
def test_the_reminder_arrives_within_five_seconds_of_the_opening_and_once(celery_worker, client):
    starts = timezone.now() + timedelta(seconds=3)
    sale = live_sale(starts_at=starts, ends_at=starts + timedelta(hours=1), title="Midnight serum")
    user, other = buyer()[0], buyer()[0]
    reminder = reminder_create(user=user, sale=sale)

    assert wait_until(lambda: Notification.objects.filter(recipient=user).exists(), timeout=15)
    notice = Notification.objects.get(recipient=user)
    assert starts <= notice.created_at < starts + timedelta(seconds=5)
    assert (notice.kind, notice.inbox) == (Notification.Kind.SALE_OPENED, Notification.Inbox.NOTICES)
    assert not Notification.objects.filter(recipient=other).exists()

    # A redelivered task and the periodic sweep find it done.
    assert reminder_send(reminder_id=reminder.pk) is False
    assert reminders_send() == 0
    assert Notification.objects.filter(recipient=user).count() == 1
    assert notification_unread_count(user) == 1

    client.force_login(user)
    html = client.get("/notifications/", {"inbox": "notices"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Midnight serum" in html and f'href="{reverse("flash:sale", args=[sale.pk])}"' in html
