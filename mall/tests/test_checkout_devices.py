"""A shopper's own hold never blocks them: a checkout opened on a second device takes over the holds of the
first, and whichever device then places the order gets the units. Another shopper's holds still count, and a
checkout that could hold nothing shows the cart's items with a way back, never an empty "Items held for you"
with a Place order button. Written as the shopper's two devices, then a second shopper."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from mall.models import Order, Reservation, StockRecord
from mall.tests.factories import buyer, cart_with, shop_product
from mall.views.checkout import TOKEN_KEY

pytestmark = pytest.mark.django_db


def device(user) -> Client:
    client = Client()
    client.force_login(user)  # a session of its own: another phone, another browser
    return client


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


def place(client, address, identity, key):
    return client.post(
        reverse("mall:checkout"), {"address": address.pk, "identity": identity.pk, "idempotency_key": key}
    )


def can_place(html: str) -> bool:
    return re.search(r'data-testid="place-order"(?! disabled)', html) is not None


@pytest.fixture
def last_units():
    """A shopper whose cart takes the last two units of a product."""
    user, address, identity = buyer()
    _p, (sku,) = shop_product(name="Last serum", stock=2)
    cart_with(user=user, sku=sku, quantity=2)
    return user, address, identity, sku


def test_a_second_device_takes_over_the_first_devices_holds_of_the_last_units(last_units):
    user, _address, _identity, sku = last_units
    phone, laptop = device(user), device(user)
    first = phone.get(reverse("mall:checkout")).content.decode()
    assert can_place(first)

    second = laptop.get(reverse("mall:checkout"))
    html = second.content.decode()
    assert second.status_code == 200
    assert 'data-testid="stock-problems"' not in html and "Items held for you" in html and can_place(html)
    held = Reservation.objects.get()  # one cart's worth, held for the laptop's checkout
    assert (held.checkout_token, held.quantity) == (laptop.session[TOKEN_KEY], 2)


def test_the_first_device_placing_afterwards_uses_the_new_holds_and_the_second_then_has_nothing_to_place(
    last_units,
):
    user, address, identity, sku = last_units
    phone, laptop = device(user), device(user)
    phone_key = key_of(phone.get(reverse("mall:checkout")).content.decode())
    laptop_key = key_of(laptop.get(reverse("mall:checkout")).content.decode())

    response = place(phone, address, identity, phone_key)
    assert response.status_code == 302  # to payment: the shopper's own holds did not count against them
    order = Order.objects.get()
    assert order.lines.get().quantity == 2
    assert StockRecord.objects.get(sku=sku).allocated == 2
    assert not Reservation.objects.exists()

    again = place(laptop, address, identity, laptop_key)
    assert again.status_code == 302 and again.url == reverse("mall:cart")  # the cart was bought: nothing else
    assert Order.objects.count() == 1


def test_another_shoppers_holds_still_count_and_their_checkout_offers_no_place_order(last_units):
    owner, _address, _identity, sku = last_units
    device(owner).get(reverse("mall:checkout"))
    rival, rival_address, rival_identity = buyer()
    cart_with(user=rival, sku=sku, quantity=1)
    rival_device = device(rival)

    html = rival_device.get(reverse("mall:checkout")).content.decode()
    assert "not enough stock for 1" in html
    assert "Items held for you" not in html and 'data-testid="hold-banner"' not in html
    assert 'data-testid="place-order"' not in html and 'data-testid="back-to-cart"' in html
    assert "Last serum" in html  # the items are still shown, as they are in the cart

    response = place(rival_device, rival_address, rival_identity, key_of(html))
    assert response.status_code == 400
    assert not Order.objects.exists()
    assert list(Reservation.objects.values_list("user_id", "quantity")) == [(owner.pk, 2)]
