"""The buyer's orders: tabs and keyset pages in fixed queries, the detail page (countdown, pay, timeline,
masked purchaser, tracking), the buyer's actions, expiry giving the stock back, and 404 for anybody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from mall.models import Order, ReturnRequest, StockRecord
from mall.services import checkout
from mall.services.orders import order_expire, order_ship
from mall.services.stock import stock_reconcile
from mall.tests.factories import buyer, cart_with, shop_product
from tests.support.orders import order_move, place_order

pytestmark = pytest.mark.django_db

S = Order.State


@pytest.fixture
def shopper(client):
    who = buyer()
    client.force_login(who[0])
    return who


def delivered_order(shopper, *, days_ago: int = 0) -> Order:
    _p, (sku,) = shop_product(is_cross_border=False)
    order = place_order(shopper=shopper, sku=sku)
    order_move(order, S.PAID)
    order_ship(order=order, tracking_number="SF1234567890")
    order_move(
        order, S.DELIVERED, **{S.DELIVERED: {"delivered_at": timezone.now() - timedelta(days=days_ago)}}
    )
    return order


# --- list ------------------------------------------------------------------------------------------------------


def test_tabs_show_the_orders_in_their_states(client, shopper):
    unpaid = place_order(shopper=shopper)
    paid = order_move(place_order(shopper=shopper), S.PAID)
    cancelled = order_move(place_order(shopper=shopper), S.CANCELLED)

    def numbers(tab):
        response = client.get(reverse("mall:orders"), {"tab": tab} if tab else {})
        return [o.number for o in response.context["page"].items]

    assert numbers(None) == [cancelled.number, paid.number, unpaid.number]
    assert numbers("unpaid") == [unpaid.number]
    assert numbers("processing") == [paid.number]
    assert numbers("closed") == [cancelled.number]
    assert numbers("shipped") == []
    assert numbers("nonsense") == numbers(None)


def test_the_list_pages_with_a_cursor_and_htmx_gets_the_next_cards_only(client, shopper):
    _p, (sku,) = shop_product(stock=50)
    placed = [place_order(shopper=shopper, sku=sku) for _ in range(5)]
    first = client.get(reverse("mall:orders"), {"size": 2})
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("mall:orders"), {"size": 2, "cursor": cursor}, headers={"HX-Request": "true"})
    assert [o.number for o in second.context["page"].items] == [placed[2].number, placed[1].number]
    assert "<html" not in second.content.decode()


@pytest.mark.parametrize("count", [2, 8])
def test_the_order_list_costs_the_same_queries_for_2_or_8_orders(
    client, shopper, count, django_assert_num_queries
):
    _p, (sku,) = shop_product(stock=50, images=2)
    for _ in range(count):
        place_order(shopper=shopper, sku=sku, quantity=1)
    with django_assert_num_queries(4):  # session, user, orders, their lines with covers
        response = client.get(reverse("mall:orders"))
    assert response.content.decode().count('data-testid="order-card"') == count


@pytest.mark.parametrize("lines", [1, 4])
def test_the_order_page_costs_the_same_queries_for_1_or_4_lines(
    client, shopper, lines, django_assert_num_queries
):
    user, address, identity = shopper
    for i in range(lines):
        _p, (sku,) = shop_product(prices=(f"{10 + i}.00",))
        cart = cart_with(user=user, sku=sku)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    order, _replayed = checkout.order_place(
        user=user, cart=cart, token=summary.token, address=address, identity=identity, idempotency_key="x"
    )
    # session, user, order with declaration and return, lines with warehouses, events, parcel events
    with django_assert_num_queries(6):
        response = client.get(reverse("mall:order", args=[order.number]))
    assert response.content.decode().count('data-testid="order-line"') == lines


# --- detail -----------------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_an_unpaid_order_shows_a_countdown_from_server_time_pay_and_cancel(client, shopper):
    order = place_order(shopper=shopper, referral="note:42")
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'data-testid="pay-countdown"' in html
    assert 'data-deadline="' in html
    assert "data-now=" in html and ("30:00" in html or "29:59" in html)
    assert f'action="{reverse("payments:order_pay", args=[order.number])}"' in html
    assert 'data-testid="cancel-order"' in html
    assert 'data-testid="timeline-item"' in html and "Awaiting payment" in html
    # What the buyer must not see: the referral and the full ID number.
    assert "note:42" not in html
    assert order.buyer_id_number not in html and order.masked_id_number in html


def test_the_pay_button_leads_to_the_payment_provider(client, shopper):
    order = place_order(shopper=shopper)
    response = client.post(reverse("payments:order_pay", args=[order.number]))
    assert response.status_code == 302 and response.url.startswith("/pay/sandbox/")


def test_cancelling_an_unpaid_order_returns_the_stock(client, shopper):
    _p, (sku,) = shop_product(stock=3)
    order = place_order(shopper=shopper, sku=sku, quantity=2)
    assert StockRecord.objects.get(sku=sku).allocated == 2
    response = client.post(reverse("mall:order_cancel", args=[order.number]), follow=True)
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    assert "Order cancelled" in response.content.decode()
    assert StockRecord.objects.get(sku=sku).allocated == 0
    assert stock_reconcile() == []
    # Twice: a clear message, nothing changes.
    response = client.post(reverse("mall:order_cancel", args=[order.number]), follow=True)
    assert "can&#x27;t become Cancelled" in response.content.decode()
    assert order.events.count() == 2


def test_a_shipped_order_shows_its_tracking_number_and_can_be_confirmed(client, shopper):
    _p, (sku,) = shop_product(is_cross_border=False)
    order = order_move(place_order(shopper=shopper, sku=sku), S.PAID)
    order_ship(order=order, tracking_number="SF1234567890")
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert "SF1234567890" in html and 'data-testid="confirm-delivery"' in html
    assert 'data-testid="cancel-order"' not in html and 'data-testid="pay-now"' not in html

    client.post(reverse("mall:order_confirm_delivery", args=[order.number]))
    order.refresh_from_db()
    assert order.state == S.DELIVERED and order.delivered_at is not None
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'data-testid="return-box"' in html


@pytest.mark.clocks
def test_a_return_can_be_asked_for_within_30_days_with_a_reason(client, shopper):
    order = delivered_order(shopper, days_ago=29)
    response = client.post(
        reverse("mall:order_return", args=[order.number]), {"reason": "damaged", "detail": "cracked lid"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == S.RETURN_REQUESTED
    assert ReturnRequest.objects.get(order=order).reason == "Arrived damaged: cracked lid"


@pytest.mark.clocks
def test_a_return_after_30_days_is_refused_and_changes_nothing(client, shopper):
    order = delivered_order(shopper, days_ago=31)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'data-testid="return-box"' not in html
    response = client.post(
        reverse("mall:order_return", args=[order.number]), {"reason": "wrong"}, follow=True
    )
    assert "within 30 days" in response.content.decode()
    order.refresh_from_db()
    assert order.state == S.DELIVERED and not ReturnRequest.objects.exists()


def test_a_return_without_a_reason_is_refused(client, shopper):
    order = delivered_order(shopper)
    client.post(reverse("mall:order_return", args=[order.number]), {"reason": ""})
    order.refresh_from_db()
    assert order.state == S.DELIVERED


def test_settling_orders_keep_their_status_fresh(client, shopper):
    order = place_order(shopper=shopper)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'hx-trigger="every 1s"' in html  # a payment confirmed by webhook shows up at once
    order_move(order, S.PAID)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    order_move(order, S.DECLARED, S.CLEARED)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'hx-trigger="every' not in html and "Cleared customs" in html


# --- expiry ---------------------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_an_unpaid_order_expires_after_its_deadline_and_the_stock_returns(client, shopper):
    product, (sku,) = shop_product(stock=1)
    order = place_order(shopper=shopper, sku=sku)
    product_url = reverse("mall:product", args=[product.slug])
    assert client.get(product_url).context["data"].chosen.state == "sold_out"

    assert order_expire(order_id=order.pk) is False  # not yet due
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert "The time to pay has run out" in html and 'data-testid="pay-now"' not in html

    assert order_expire(order_id=order.pk) is True
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    assert client.get(product_url).context["data"].chosen.available == 1
    assert stock_reconcile() == []
    assert (
        "Payment deadline passed." in client.get(reverse("mall:order", args=[order.number])).content.decode()
    )


# --- other people's orders --------------------------------------------------------------------------------


def test_someone_elses_order_is_a_404_on_every_page_and_action(client):
    owner = buyer()
    order = place_order(shopper=owner)
    client.force_login(UserFactory())
    for name in ("mall:order", "mall:order_cancel", "mall:order_confirm_delivery", "mall:order_return"):
        url = reverse(name, args=[order.number])
        response = client.get(url) if name == "mall:order" else client.post(url, {"reason": "damaged"})
        assert response.status_code == 404, name
    assert client.post(reverse("payments:order_pay", args=[order.number])).status_code == 404
    assert order.number not in client.get(reverse("mall:orders")).content.decode()
    order.refresh_from_db()
    assert order.state == S.PENDING_PAYMENT and order.events.count() == 1


def test_orders_ask_to_sign_in(client):
    response = client.get(reverse("mall:orders"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
