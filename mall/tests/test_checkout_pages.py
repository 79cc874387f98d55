"""The checkout page: holds shown with a countdown, address and purchaser chosen, tax line by line, customs
limits refused with what is left and nothing held, one order however often the form is submitted."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import AddressFactory, CustomsIdentityFactory, UserFactory
from mall.models import Order, Payment, Reservation, StockRecord
from mall.tests.factories import buyer, cart_with, shop_product
from mall.views.checkout import TOKEN_KEY
from tests.support.orders import order_move, place_order

pytestmark = pytest.mark.django_db

S = Order.State


@pytest.fixture
def shopper(client):
    user, address, identity = buyer()
    client.force_login(user)
    return user, address, identity


def key_of(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode()).group(1)


def test_opening_checkout_holds_the_selected_lines_and_shows_them_with_tax(client, shopper):
    user, address, identity = shopper
    _a, (cream,) = shop_product(name="Rose cream", prices=("100.00",), stock=5)
    _b, (wafers,) = shop_product(name="Matcha wafers", prices=("30.00",), stock=5)
    _c, (left_out,) = shop_product(name="Left out", prices=("10.00",), stock=5)
    cart_with(user=user, sku=cream, quantity=2)
    cart_with(user=user, sku=wafers, quantity=1)
    cart = cart_with(user=user, sku=left_out, quantity=1)
    cart.lines.filter(sku=left_out).update(selected=False)

    response = client.get(reverse("mall:checkout"))
    assert response.status_code == 200
    token = client.session[TOKEN_KEY]
    held = dict(
        Reservation.objects.filter(checkout_token=token).values_list("stock_record__sku_id", "quantity")
    )
    assert held == {cream.pk: 2, wafers.pk: 1}
    html = response.content.decode()
    assert "Rose cream" in html and "Matcha wafers" in html and "Left out" not in html
    assert 'data-testid="hold-countdown"' in html and ("15:00" in html or "14:59" in html)
    # 9.1% per line, then the totals.
    assert "Import tax ¥18.20 (9.1%)" in html and "Import tax ¥2.73 (9.1%)" in html
    assert "¥230.00" in html and "¥20.93" in html and "¥250.93" in html
    # The default address is chosen, the purchaser shown masked, never in full.
    assert f'name="address" value="{address.pk}" checked' in html
    assert identity.masked_number in html and identity.id_number not in html
    assert 'data-testid="quota-left"' in html and "¥26,000.00 of your ¥26,000.00" in html

    # Opening it again renews the same holds rather than holding twice.
    client.get(reverse("mall:checkout"))
    assert client.session[TOKEN_KEY] == token
    assert Reservation.objects.count() == 2


def test_placing_the_order_goes_to_the_payment_page_and_empties_the_selected_lines(client, shopper):
    user, address, identity = shopper
    _p, (sku,) = shop_product(prices=("100.00",), stock=5)
    cart_with(user=user, sku=sku, quantity=2, referral="note:7")
    page = client.get(reverse("mall:checkout"))

    response = client.post(
        reverse("mall:checkout"),
        {"address": address.pk, "identity": identity.pk, "idempotency_key": key_of(page)},
    )
    order = Order.objects.get()
    payment = Payment.objects.get(order=order)
    assert response.status_code == 302
    assert response.url == reverse("payments:sandbox_pay", args=[payment.reference])
    assert (order.total, order.buyer_id_number, order.ship_to["recipient"]) == (
        Decimal("218.20"),
        identity.id_number,
        address.recipient,
    )
    assert order.lines.get().referral == "note:7"
    assert not Reservation.objects.exists()
    assert not user.cart.lines.exists()
    assert TOKEN_KEY not in client.session
    assert StockRecord.objects.get(sku=sku).allocated == 2


def test_a_double_submitted_checkout_makes_one_order(client, shopper):
    user, address, identity = shopper
    _p, (sku,) = shop_product(stock=5)
    cart_with(user=user, sku=sku, quantity=1)
    form = {
        "address": address.pk,
        "identity": identity.pk,
        "idempotency_key": key_of(client.get(reverse("mall:checkout"))),
    }

    first = client.post(reverse("mall:checkout"), form)
    second = client.post(reverse("mall:checkout"), form)
    order = Order.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url.startswith("/pay/sandbox/")
    assert second.url == reverse("mall:order", args=[order.number])
    assert Payment.objects.filter(order=order).count() == 1
    assert StockRecord.objects.get(sku=sku).allocated == 1
    assert order.events.count() == 1


def test_an_order_over_the_per_order_limit_is_refused_with_the_amounts_and_holds_nothing(client, shopper):
    user, _address, _identity = shopper
    _p, (sku,) = shop_product(prices=("1200.00",), stock=10)
    cart_with(user=user, sku=sku, quantity=5)  # ¥6,000 + tax

    response = client.get(reverse("mall:checkout"))
    html = response.content.decode()
    assert 'data-testid="quota-error"' in html
    assert "at most ¥5,000.00; this one is ¥6,546.00" in html
    assert "Nothing is held for you" in html
    assert 'data-testid="place-order"' not in html and 'data-testid="back-to-cart"' in html
    assert not Reservation.objects.exists()
    assert TOKEN_KEY not in client.session


def test_an_order_over_what_is_left_of_the_annual_quota_says_how_much_is_left(client, shopper):
    user, _address, identity = shopper
    # ¥22,000 already spent this year on the same ID number (pending orders count too).
    _p, (big,) = shop_product(prices=("1000.00",), stock=100)
    for _ in range(5):
        earlier = place_order(shopper=(user, _address, identity), sku=big, quantity=4)
        assert earlier.total == Decimal("4364.00")
    # 5 x 4364 = 21,820 used: 4,180 left.
    _q, (sku,) = shop_product(prices=("4000.00",), stock=5)
    cart_with(user=user, sku=sku, quantity=1)
    response = client.get(reverse("mall:checkout"))
    html = response.content.decode()
    assert "over your annual cross-border quota: ¥4,180.00 of ¥26,000.00 is left this year" in html
    assert not Reservation.objects.exists()

    # A cancelled order gives its share back.
    order_move(Order.objects.first(), S.CANCELLED)
    response = client.get(reverse("mall:checkout"))
    assert 'data-testid="quota-error"' not in response.content.decode()
    assert Reservation.objects.filter(stock_record__sku=sku).count() == 1


def test_a_purchaser_whose_quota_is_used_up_at_submit_holds_nothing_afterwards(client, shopper):
    user, address, identity = shopper
    spent = CustomsIdentityFactory(user=user, real_name="李四")
    _p, (big,) = shop_product(prices=("4000.00",), stock=100)
    for _ in range(5):
        place_order(shopper=(user, address, spent), sku=big, quantity=1)
    _q, (sku,) = shop_product(prices=("4000.00",), stock=5)
    cart_with(user=user, sku=sku, quantity=1)
    page = client.get(reverse("mall:checkout"))  # held for the default purchaser, who has quota left
    assert Reservation.objects.filter(stock_record__sku=sku).count() == 1

    response = client.post(
        reverse("mall:checkout"),
        {"address": address.pk, "identity": spent.pk, "idempotency_key": key_of(page)},
    )
    assert response.status_code == 400
    assert "¥4,180.00 of ¥26,000.00 is left" in response.content.decode()
    assert not Reservation.objects.filter(stock_record__sku=sku).exists()
    assert Order.objects.filter(buyer_id_hash=spent.id_number_hash).count() == 5
    assert StockRecord.objects.get(sku=sku).allocated == 0


def test_choosing_another_purchaser_rechecks_the_quota(client, shopper):
    user, _address, _identity = shopper
    other = CustomsIdentityFactory(user=user, real_name="李四")
    _p, (sku,) = shop_product(prices=("100.00",))
    cart_with(user=user, sku=sku, quantity=1)
    response = client.get(reverse("mall:checkout"), {"identity": other.pk})
    assert response.context["identity"] == other
    assert f'name="identity" value="{other.pk}" checked' in response.content.decode()


def test_lines_out_of_stock_are_shown_as_problems_and_the_order_cannot_be_placed(client, shopper):
    user, _address, _identity = shopper
    _p, (sku,) = shop_product(name="Rare serum", stock=1)
    cart_with(user=user, sku=sku, quantity=3)
    html = client.get(reverse("mall:checkout")).content.decode()
    assert 'data-testid="stock-problems"' in html and "not enough stock for 3" in html
    # Nothing could be held: the cart's line as it is and a way back, not an empty held list to place.
    assert "Items held for you" not in html and "Rare serum" in html
    assert 'data-testid="place-order"' not in html and 'data-testid="back-to-cart"' in html


def test_cross_border_goods_need_a_purchaser(client):
    user = UserFactory()
    address = AddressFactory(user=user, is_default=True)
    client.force_login(user)
    _p, (sku,) = shop_product()
    cart_with(user=user, sku=sku)
    page = client.get(reverse("mall:checkout"))
    assert 'data-testid="no-identity"' in page.content.decode()
    response = client.post(reverse("mall:checkout"), {"address": address.pk, "idempotency_key": key_of(page)})
    assert response.status_code == 400
    assert "customs identity" in response.content.decode()
    assert not Order.objects.exists()


def test_someone_elses_address_or_identity_is_refused_and_makes_no_order(client, shopper):
    user, address, identity = shopper
    _stranger, their_address, their_identity = buyer()
    _p, (sku,) = shop_product()
    cart_with(user=user, sku=sku)
    page = client.get(reverse("mall:checkout"))
    bad_address = {"address": their_address.pk, "identity": identity.pk, "idempotency_key": key_of(page)}
    bad_identity = {"address": address.pk, "identity": their_identity.pk, "idempotency_key": key_of(page)}
    # Not one of the form's choices: refused, nothing placed.
    assert client.post(reverse("mall:checkout"), bad_address).status_code == 400
    assert client.post(reverse("mall:checkout"), bad_identity).status_code == 400
    assert not Order.objects.exists()


def test_checkout_asks_to_sign_in_and_an_empty_cart_goes_back_to_the_cart(client):
    response = client.get(reverse("mall:checkout"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(UserFactory())
    response = client.get(reverse("mall:checkout"))
    assert response.status_code == 302 and response.url == reverse("mall:cart")


def test_goods_gone_off_sale_meanwhile_are_explained_not_an_error_page(client, shopper):
    user, _address, _identity = shopper
    product, (sku,) = shop_product()
    cart_with(user=user, sku=sku)
    product.is_active = False
    product.save(update_fields=["is_active"])
    response = client.get(reverse("mall:checkout"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="checkout-problem"' in html and "Your cart is empty." in html
    assert 'data-testid="place-order"' not in html and 'data-testid="back-to-cart"' in html
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("count", [2, 6])
def test_the_checkout_page_costs_the_same_queries_for_2_or_6_lines(
    client, shopper, count, django_assert_num_queries
):
    user, _address, identity = shopper
    for i in range(count):
        _product, (sku,) = shop_product(prices=(f"{10 + i}.00",), stock=5)
        cart_with(user=user, sku=sku, quantity=1 + i % 2)
    client.get(reverse("mall:checkout"))  # the first visit stores the checkout's token in the session
    # user, cart, addresses, identities, any line selected?, the lines, the quota used; then in one
    # transaction (BEGIN, COMMIT): the earlier holds released, the stock records locked, what others hold on
    # them, the holds inserted; the covers, the unread badge. Was 24 for three lines (a SUM and an INSERT
    # per line, the quota read twice, the session rewritten with the same token).
    with django_assert_num_queries(15):
        response = client.get(reverse("mall:checkout"))
    assert response.status_code == 200
    assert Reservation.objects.filter(user=user).count() == count
    assert "¥26,000.00 of your ¥26,000.00" in response.content.decode()
    assert client.session[TOKEN_KEY]
