"""The annual cross-border quota is per calendar year in China's time zone: it resets at 00:00 on 1 January
Asia/Shanghai, which is 16:00 on 31 December in UTC. An order at 23:59 on 31 December counts towards the
old year; one a minute later towards the new."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from mall.errors import QuotaExceeded
from mall.services.pricing import quota_check, quota_left, quota_used
from mall.tests.factories import buyer
from tests.support.orders import placed_order

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
YEAR_END = dt.datetime(2026, 12, 31, 23, 59, 0, tzinfo=SHANGHAI)
NEW_YEAR = dt.datetime(2027, 1, 1, 0, 0, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _small_quota(settings):
    settings.CROSS_BORDER_ANNUAL_LIMIT = "300.00"


def test_an_order_at_2359_on_31_december_counts_towards_the_old_year_only():
    _user, _address, identity = who = buyer()
    with time_machine.travel(YEAR_END, tick=False):
        order, _record = placed_order(price=Decimal("250.00"), user=who)
        assert Decimal("250.00") < order.total < Decimal("300.00")
        assert quota_used(id_number=identity.id_number) == order.total
        assert quota_left(id_number=identity.id_number) == Decimal("300.00") - order.total
        with pytest.raises(QuotaExceeded):
            quota_check(id_number=identity.id_number, order_total=Decimal("100.00"))

    with time_machine.travel(NEW_YEAR, tick=False):
        assert quota_used(id_number=identity.id_number) == Decimal("0.00")
        assert quota_left(id_number=identity.id_number) == Decimal("300.00")
        quota_check(id_number=identity.id_number, order_total=order.total)
        assert quota_used(id_number=identity.id_number, year=2026) == order.total


def test_an_order_at_0000_on_1_january_counts_towards_the_new_year_though_utc_still_says_december():
    _user, _address, identity = who = buyer()
    with time_machine.travel(NEW_YEAR + dt.timedelta(seconds=30), tick=False):
        order, _record = placed_order(price=Decimal("250.00"), user=who)
        assert order.created_at.astimezone(dt.UTC).year == 2026
        assert quota_used(id_number=identity.id_number) == order.total
        assert quota_left(id_number=identity.id_number) == Decimal("300.00") - order.total
    assert quota_used(id_number=identity.id_number, year=2026) == Decimal("0.00")
    assert quota_used(id_number=identity.id_number, year=2027) == order.total
