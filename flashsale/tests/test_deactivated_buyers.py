"""A ban ends buying. The attacker holds a buy pass from before an operator deactivated the account (a
pass names the buyer with no database lookup) and keeps sending buys through the rush."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from flashsale.tests.helpers import live_sale
from mall.models import Order
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


def pass_for(user, sale) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    return api.post(f"/api/flash/sales/{sale.pk}/pass/").json()


def buy_with(sale, buy_pass: str, request_id: str):
    return APIClient().post(
        f"/api/flash/sales/{sale.pk}/buy/",
        {"request_id": request_id},
        format="json",
        HTTP_X_FLASH_PASS=buy_pass,
    )


def test_a_pass_lasts_minutes_not_the_whole_sale(settings):
    settings.FLASHSALE_BUY_PASS_MINUTES = 5
    sale = live_sale(quota=3, ends_at=timezone.now() + timedelta(hours=3))
    user = buyer()[0]

    issued = pass_for(user, sale)

    expires = timezone.datetime.fromisoformat(issued["expires_at"].replace("Z", "+00:00"))
    assert expires <= timezone.now() + timedelta(minutes=5, seconds=1)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = buy_with(sale, issued["buy_pass"], "late-pass-000001")
    assert response.status_code in (401, 403)
    assert not Order.objects.exists()


def test_a_deactivated_account_cannot_buy_with_a_pass_it_already_holds(django_capture_on_commit_callbacks):
    sale = live_sale(quota=3)
    banned, honest = buyer()[0], buyer()[0]
    buy_pass = pass_for(banned, sale)["buy_pass"]
    # The attacker's readiness is cached in Redis by an earlier request: the ban must not wait for it.
    assert buy_with(sale, buy_pass, "before-the-ban-01").status_code == 202

    with django_capture_on_commit_callbacks(execute=True):
        banned.is_active = False
        banned.save(update_fields=["is_active"])

    refused = buy_with(sale, buy_pass, "after-the-ban-001")
    assert refused.status_code == 403 and refused.json()["code"] == "inactive"
    # The honest buyer is unaffected.
    assert buy_with(sale, pass_for(honest, sale)["buy_pass"], "honest-buyer-001").status_code == 202


def test_an_account_banned_before_its_first_buy_is_refused_too():
    sale = live_sale(quota=3)
    banned = buyer()[0]
    buy_pass = pass_for(banned, sale)["buy_pass"]
    type(banned).objects.filter(pk=banned.pk).update(is_active=False)  # no signal: readiness not cached yet

    refused = buy_with(sale, buy_pass, "banned-first-001")

    assert refused.status_code == 403 and refused.json()["code"] == "inactive"
