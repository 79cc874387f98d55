"""The customs limits in the checkout services (shared with the API and the pages): checked before anything
is held, and a refusal at placing releases what the checkout held."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from mall.errors import QuotaExceeded
from mall.models import Order, Reservation, StockRecord
from mall.services import checkout
from mall.services.pricing import quota_left
from mall.tests.factories import buyer, cart_with, shop_product
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


def test_reserve_refuses_an_order_over_the_per_order_limit_without_holding_anything():
    user, _address, _identity = buyer()
    _p, (sku,) = shop_product(prices=("2500.00",), stock=5)
    cart = cart_with(user=user, sku=sku, quantity=2)
    with pytest.raises(QuotaExceeded, match=r"at most ¥5,000.00; this one is ¥5,455.00"):
        checkout.checkout_reserve(user=user, cart=cart)
    assert not Reservation.objects.exists()


@pytest.mark.clocks
def test_reserve_refuses_what_the_purchasers_annual_quota_cannot_cover_and_drops_earlier_holds():
    user, address, identity = buyer()
    _p, (big,) = shop_product(prices=("4500.00",), stock=50)
    for _ in range(5):
        place_order(shopper=(user, address, identity), sku=big)  # 5 x 4909.50 = 24547.50
    assert quota_left(id_number=identity.id_number) == pytest.approx(1452.50)
    _q, (sku,) = shop_product(prices=("1000.00",), stock=5)
    cart = cart_with(user=user, sku=sku, quantity=1)
    held = checkout.checkout_reserve(user=user, cart=cart)  # no purchaser yet: only the per-order limit
    assert Reservation.objects.filter(checkout_token=held.token).count() == 1

    cart.lines.update(quantity=2)
    with pytest.raises(QuotaExceeded, match=r"¥1,452.50 of ¥26,000.00 is left"):
        checkout.checkout_reserve(user=user, cart=cart, token=held.token, identity=identity)
    assert not Reservation.objects.filter(checkout_token=held.token).exists()


def test_reserve_refuses_someone_elses_identity():
    user, _address, _identity = buyer()
    _stranger, _their_address, their_identity = buyer()
    _p, (sku,) = shop_product()
    cart = cart_with(user=user, sku=sku)
    with pytest.raises(DomainError):
        checkout.checkout_reserve(user=user, cart=cart, identity=their_identity)
    assert not Reservation.objects.exists()


def test_domestic_goods_are_not_held_to_customs_limits():
    user, _address, identity = buyer()
    _p, (sku,) = shop_product(prices=("3000.00",), is_cross_border=False)
    cart = cart_with(user=user, sku=sku, quantity=2)
    summary = checkout.checkout_reserve(user=user, cart=cart, identity=identity)
    assert summary.lines and summary.tax_total == 0


@pytest.mark.clocks
def test_place_refused_by_the_quota_releases_the_checkouts_holds():
    user, address, identity = buyer()
    _p, (big,) = shop_product(prices=("4500.00",), stock=50)
    for _ in range(5):
        place_order(shopper=(user, address, identity), sku=big)
    _q, (sku,) = shop_product(prices=("2000.00",), stock=5)
    cart = cart_with(user=user, sku=sku)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    with pytest.raises(QuotaExceeded, match="is left this year"):
        checkout.order_place(
            user=user,
            cart=cart,
            token=summary.token,
            address=address,
            identity=identity,
            idempotency_key="k1",
        )
    assert not Reservation.objects.filter(checkout_token=summary.token).exists()
    assert StockRecord.objects.get(sku=sku).allocated == 0
    assert not Order.objects.filter(idempotency_key="k1").exists()
