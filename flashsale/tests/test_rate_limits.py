"""The flash sale's two request budgets, as an attacker would use them against the buyers next to him."""

from __future__ import annotations

import time
import uuid

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import AddressFactory
from core.errors import RateLimited
from flashsale.tests.helpers import buy, live_sale
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


def test_a_request_the_per_user_limit_refuses_does_not_spend_the_address_budget(settings):
    settings.FLASHSALE_RATE_PER_USER, settings.FLASHSALE_RATE_PER_IP = 2, 3
    sale = live_sale(quota=5)
    flooder, neighbour = buyer()[0], buyer()[0]
    office = "198.51.100.20"

    refused = 0
    # One rate window (a second of the process clock) for the whole flood, however slow the machine.
    with time_machine.travel(time.time(), tick=False):
        for _ in range(10):
            try:
                buy(sale, flooder, ip=office)
            except RateLimited:
                refused += 1
        neighbour_answer = buy(sale, neighbour, ip=office).status

    assert refused == 8  # the flooder's own budget: 2 a second
    assert neighbour_answer == "admitted"


def test_behind_the_proxy_each_buyer_has_their_own_address_budget(client, settings):
    settings.PROXY_COUNT = 1
    settings.FLASHSALE_RATE_PER_IP = 1
    sale = live_sale(quota=5)
    codes = []
    for forwarded in ("203.0.113.5", "203.0.113.6"):
        user = buyer()[0]
        AddressFactory(user=user)
        client.force_login(user)
        response = client.post(
            reverse("flash:buy", args=[sale.pk]),
            {"request_id": uuid.uuid4().hex},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        codes.append(response.status_code)

    assert 429 not in codes and all(code < 400 for code in codes)
