"""A cross-border sale's per-buyer limit counts per verified customs identity, not per account. Written as
the attacker: having bought the limit, they move their ID number to a fresh account (remove it from the
first, verify it on the second) and buy again."""

from __future__ import annotations

import pytest

from accounts.services import identity_add, identity_delete
from accounts.tests.factories import AddressFactory, UserFactory
from flashsale import keys
from flashsale.services import materialize, sales
from flashsale.services.redis import client
from flashsale.tests.helpers import buy, live_sale
from mall.models import Order
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


def fresh_account():
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    return user


def test_a_new_account_with_the_same_id_number_gets_no_extra_units():
    sale = live_sale(quota=5, per_user_limit=1, is_cross_border=True)
    first, _address, identity = buyer()
    number = identity.id_number
    assert buy(sale, first).status == "admitted"
    materialize.sale_drain(sale_id=sale.pk)

    identity_delete(identity=identity)
    second = fresh_account()
    identity_add(user=second, real_name="张三", id_number=number)
    attempt = buy(sale, second)

    assert attempt.status == "over_limit"
    # The order of the first purchase is declared for that identity, and the limit is counted under it.
    order = Order.objects.get(user=first)
    assert order.buyer_id_hash == identity.id_number_hash and order.buyer_id_number == number
    field = keys.limit_field(user_id=first.pk, identity_hash=identity.id_number_hash)
    assert client().hget(keys.users(sale.pk), field) == "1"
    # Someone else, with their own identity, still buys.
    honest = buyer()[0]
    assert buy(sale, honest).status == "admitted"


def test_a_rebuilt_sale_still_counts_units_per_identity():
    sale = live_sale(quota=5, per_user_limit=1, is_cross_border=True)
    first, _address, identity = buyer()
    assert buy(sale, first).status == "admitted"
    materialize.sale_drain(sale_id=sale.pk)

    sales.sale_warm(sale=sale)  # rebuilt from the database: the live order's identity carries the count
    identity_delete(identity=identity)
    second = fresh_account()
    identity_add(user=second, real_name="张三", id_number=identity.id_number)

    assert buy(sale, second).status == "over_limit"


def test_a_domestic_sale_still_counts_per_account():
    sale = live_sale(quota=5, per_user_limit=1, is_cross_border=False)
    user = buyer()[0]

    assert buy(sale, user).status == "admitted"
    assert buy(sale, user).status == "over_limit"
    assert client().hget(keys.users(sale.pk), str(user.pk)) == "1"
