"""Remind me, in Chromium: a shopper asks to be reminded of a sale that opens in a few seconds; at the
opening second the real Celery worker (no beat runs here) puts one notice in their inbox, within 5 s of
the opening; the unread badge shows it, the Notices inbox says so and leads to the sale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Notification
from flashsale.services.reminders import reminders_send
from flashsale.tests.helpers import live_sale
from mall.tests.factories import buyer
from tests.browser.helpers import assert_clean
from tests.support.tasks import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEAD_SECONDS = 10  # time for the shopper to open the sale and press "Remind me" before it opens


def test_remind_me_then_the_sale_opens_and_one_message_arrives(page, celery_worker, login_as):
    starts = timezone.now() + timedelta(seconds=LEAD_SECONDS)
    sale = live_sale(starts_at=starts, ends_at=starts + timedelta(hours=1), title="Dawn dew serum")
    shopper, bystander = buyer()[0], buyer()[0]
    login_as(page, shopper)

    page.goto(f"{page.base_url}/flash/sales/{sale.pk}/")
    page.get_by_test_id("remind-me").click()
    expect(page.get_by_test_id("reminder-set")).to_be_visible()
    assert timezone.now() < starts, "the steps before the opening took too long for this journey"

    assert wait_until(
        lambda: Notification.objects.filter(recipient=shopper).exists(), timeout=LEAD_SECONDS + 10
    )
    notice = Notification.objects.get(recipient=shopper)
    assert starts <= notice.created_at < starts + timedelta(seconds=5)
    assert reminders_send() == 0  # the sweep finds it done: once
    assert Notification.objects.filter(recipient=shopper).count() == 1
    assert not Notification.objects.filter(recipient=bystander).exists()

    page.goto(page.base_url + "/")
    expect(page.get_by_test_id("unread-badge")).to_have_text("1")
    page.goto(page.base_url + "/notifications/?inbox=notices")
    entry = page.get_by_test_id("notification")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Dawn dew serum")
    entry.get_by_test_id("notification-link").click()
    expect(page).to_have_url(f"{page.base_url}/flash/sales/{sale.pk}/")
    expect(page.get_by_test_id("reminder-open")).to_be_visible()
    assert_clean(page)
