"""The whole path, through the real services: a reader taps a product card in a note, checks out, pays;
the writer's statistics show the click, the order and its line's revenue; a return takes the sale away
again, the click stays. An unpaid or cancelled order never counts."""

from __future__ import annotations

import secrets

import pytest

from accounts.tests.factories import UserFactory
from community.models import NoteProduct
from community.selectors.creator_stats import creator_stats
from community.services.links import card_cart_add
from community.tests.factories import NoteFactory
from mall.models import Cart, Order
from mall.services import checkout
from mall.tests.factories import buyer, shop_product
from tests.support.orders import order_move

S = Order.State


def _checkout_from_card(*, link: NoteProduct, shopper) -> Order:
    """Tap "add to cart" on the note's card, then reserve and place the order as checkout does."""
    user, address, identity = shopper
    cart, _created = Cart.objects.get_or_create(user=user, defaults={"token": f"user-{user.pk}"})
    card_cart_add(link=link, cart=cart, user=user)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    return checkout.order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity,
        idempotency_key=secrets.token_hex(8),
    ).order


@pytest.mark.django_db
def test_a_card_tap_and_the_order_it_led_to_reach_the_writers_statistics():
    writer = UserFactory()
    note = NoteFactory(author=writer, images=0)
    product, (sku,) = shop_product(prices=("199.00",), stock=5)
    link = NoteProduct.objects.create(note=note, product=product, sku=sku)

    order = _checkout_from_card(link=link, shopper=buyer(1))
    line = order.lines.get()
    assert line.referral == f"note:{note.pk}"

    unpaid = creator_stats(user=writer, days=7)
    assert (unpaid.totals["card_clicks"], unpaid.totals["orders"]) == (1, 0)  # not paid yet: no sale

    order_move(order, S.PAID)
    paid = creator_stats(user=writer, days=7)
    assert paid.totals["orders"] == 1
    assert paid.totals["revenue"] == line.line_total
    assert (paid.notes[0].orders, paid.notes[0].revenue) == (1, line.line_total)
    assert paid.series["orders"][-1][1] == 1  # today, the day it was paid

    order_move(order, S.SHIPPED, S.DELIVERED, S.RETURN_REQUESTED)
    assert creator_stats(user=writer, days=7).totals["orders"] == 1  # asked to return: still a sale
    order_move(order, S.RETURNED)
    returned = creator_stats(user=writer, days=7)
    assert (returned.totals["orders"], returned.totals["revenue"]) == (0, 0)
    assert returned.totals["card_clicks"] == 1  # the tap happened all the same


@pytest.mark.django_db
def test_an_order_cancelled_before_payment_never_counts():
    writer = UserFactory()
    note = NoteFactory(author=writer, images=0)
    product, (sku,) = shop_product(prices=("80.00",), stock=5)
    link = NoteProduct.objects.create(note=note, product=product, sku=sku)

    order = _checkout_from_card(link=link, shopper=buyer(2))
    order_move(order, S.CANCELLED)

    stats = creator_stats(user=writer, days=30)
    assert (stats.totals["card_clicks"], stats.totals["orders"], stats.totals["revenue"]) == (1, 0, 0)
