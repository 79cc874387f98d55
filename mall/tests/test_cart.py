"""The cart pages: adding (also before signing in), steppers, selection, removal, totals with tax, the
anonymous cart folded into the shopper's own on login, referrals kept as data, other people's lines 404,
a line's variant changed (merging into a line of that variant; another product's refused)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from mall.cart_session import SESSION_KEY
from mall.models import Cart, CartLine
from mall.services.cart import cart_line_variant_change
from mall.tests.factories import cart_with, shop_product

pytestmark = pytest.mark.django_db


def add(client, sku, quantity=1, htmx=False, **fields):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("mall:cart_add"), {"sku": sku.pk, "quantity": quantity, **fields}, headers=headers
    )


def test_a_visitor_adds_to_a_session_cart_that_joins_their_own_on_login(client):
    _product, (sku,) = shop_product(prices=("50.00",))
    _other, (kept,) = shop_product(prices=("20.00",))
    user = UserFactory()
    cart_with(user=user, sku=kept, quantity=1)
    cart_with(user=user, sku=sku, quantity=2)

    response = add(client, sku, 3, next="/mall/")
    assert response.status_code == 302 and response.url == "/mall/"
    anonymous = Cart.objects.get(token=client.session[SESSION_KEY])
    assert anonymous.user is None and anonymous.lines.get().quantity == 3

    client.force_login(user)
    page = client.get(reverse("mall:cart"))
    quantities = {row.line.sku_id: row.line.quantity for row in page.context["data"].rows}
    assert quantities == {sku.pk: 5, kept.pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert SESSION_KEY not in client.session


def test_a_referral_on_add_to_cart_is_kept_only_when_well_formed(client):
    _product, (sku,) = shop_product()
    _other, (second,) = shop_product()
    add(client, sku, ref="note:42")
    add(client, second, ref="javascript:alert(1)")
    lines = {line.sku_id: line.referral for line in CartLine.objects.all()}
    assert lines == {sku.pk: "note:42", second.pk: ""}


def test_totals_count_selected_lines_with_their_tax(client):
    client.force_login(UserFactory())
    _a, (cheap,) = shop_product(prices=("100.00",))
    _b, (dear,) = shop_product(prices=("200.00",))
    add(client, cheap, 2)
    add(client, dear, 1)
    data = client.get(reverse("mall:cart")).context["data"]
    # General goods: 13% VAT x 70% = 9.1%.
    assert (data.subtotal, data.tax_total, data.total) == (
        Decimal("400.00"),
        Decimal("36.40"),
        Decimal("436.40"),
    )

    line = CartLine.objects.get(sku=dear)
    client.post(reverse("mall:cart_line", args=[line.pk]), {"action": "select", "selected": ""})
    data = client.get(reverse("mall:cart")).context["data"]
    assert (data.subtotal, data.total, data.count) == (Decimal("200.00"), Decimal("218.20"), 2)
    assert "¥218.20" in client.get(reverse("mall:cart")).content.decode()

    client.post(reverse("mall:cart_select_all"), {"selected": "1"})
    assert CartLine.objects.filter(selected=True).count() == 2
    client.post(reverse("mall:cart_select_all"), {"selected": "0"})
    assert not client.get(reverse("mall:cart")).context["data"].can_check_out


def test_steppers_stay_between_1_and_99_and_remove_deletes(client):
    client.force_login(UserFactory())
    _product, (sku,) = shop_product()
    add(client, sku, 98)
    line = CartLine.objects.get()
    url = reverse("mall:cart_line", args=[line.pk])
    client.post(url, {"action": "inc"})
    client.post(url, {"action": "inc"})
    line.refresh_from_db()
    assert line.quantity == 99
    client.post(url, {"action": "set", "quantity": 1})
    client.post(url, {"action": "dec"})
    line.refresh_from_db()
    assert line.quantity == 1
    response = client.post(url, {"action": "set", "quantity": 500})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 1
    client.post(reverse("mall:cart_line_remove", args=[line.pk]))
    assert not CartLine.objects.exists()


def test_the_steppers_answer_htmx_with_the_cart_body_only(client):
    client.force_login(UserFactory())
    _product, (sku,) = shop_product()
    add(client, sku)
    response = client.get(reverse("mall:cart"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="cart-body"' in html and "<html" not in html


def test_someone_elses_cart_line_is_a_404_and_stays_as_it_was(client):
    _product, (sku,) = shop_product()
    owner = UserFactory()
    cart = cart_with(user=owner, sku=sku, quantity=2)
    line = cart.lines.get()

    client.force_login(UserFactory())
    assert client.post(reverse("mall:cart_line", args=[line.pk]), {"action": "inc"}).status_code == 404
    assert client.post(reverse("mall:cart_line", args=[line.pk]), {"action": "select"}).status_code == 404
    assert client.post(reverse("mall:cart_line_remove", args=[line.pk])).status_code == 404
    client.logout()
    assert client.post(reverse("mall:cart_line_remove", args=[line.pk])).status_code == 404
    line.refresh_from_db()
    assert (line.quantity, line.selected) == (2, True)


def test_add_to_cart_with_htmx_answers_a_fragment_with_the_new_count(client):
    _product, (sku,) = shop_product()
    response = add(client, sku, 2, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Added to your cart." in html
    assert 'id="cart-count"' in html and ">2<" in html


def test_buy_now_adds_then_goes_to_checkout(client):
    client.force_login(UserFactory())
    _product, (sku,) = shop_product()
    response = add(client, sku, buy_now="1")
    assert response.status_code == 302 and response.url == reverse("mall:checkout")
    assert CartLine.objects.get().sku == sku
    response = add(client, sku, buy_now="1", htmx=True)
    assert response.headers["HX-Redirect"] == reverse("mall:checkout")


def test_a_product_off_sale_cannot_be_added(client):
    _product, (sku,) = shop_product(is_active=False)
    response = add(client, sku, next="/mall/")
    assert response.status_code == 302
    assert not CartLine.objects.exists()
    response = add(client, sku, htmx=True)
    assert response.status_code == 404 and not CartLine.objects.exists()


def test_a_foreign_next_address_is_not_followed(client):
    _product, (sku,) = shop_product()
    response = add(client, sku, next="https://evil.example/")
    assert response.url == reverse("mall:cart")


def test_the_cart_shows_short_stock_on_a_line(client):
    client.force_login(UserFactory())
    _product, (sku,) = shop_product(stock=2)
    add(client, sku, 5)
    html = client.get(reverse("mall:cart")).content.decode()
    assert "Only 2 left" in html


@pytest.mark.parametrize("count", [2, 6])
def test_the_cart_page_costs_the_same_queries_for_2_or_6_lines(client, count, django_assert_num_queries):
    user = UserFactory()
    for i in range(count):
        _product, (sku,) = shop_product(prices=(f"{10 + i}.00",))
        cart_with(user=user, sku=sku, quantity=1 + i)
    client.force_login(user)
    # session, user, the user's cart, lines with products and covers, stock, the products' variants
    with django_assert_num_queries(6):
        response = client.get(reverse("mall:cart"))
    assert len(response.context["data"].rows) == count


def test_an_empty_cart_says_what_to_do(client):
    html = client.get(reverse("mall:cart")).content.decode()
    assert "Your cart is empty" in html and 'data-testid="empty"' in html
    assert not Cart.objects.exists()


# --- changing a line's variant --------------------------------------------------------------------------


def _variant(client, line, sku, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("mall:cart_line_variant", args=[line.pk]), {"sku": sku}, headers=headers)


def test_a_line_changes_to_another_variant_keeping_quantity_and_referral(client):
    user = UserFactory()
    _product, (small, large) = shop_product(prices=("80.00", "120.00"))
    _single, (lonely,) = shop_product(prices=("30.00",))
    cart_with(user=user, sku=lonely)
    cart = cart_with(user=user, sku=small, quantity=3, referral="note:7")
    line = cart.lines.get(sku=small)
    client.force_login(user)

    html = client.get(reverse("mall:cart")).content.decode()
    # only a product with several variants offers the change
    assert html.count('data-testid="line-variant"') == 1 and f'<option value="{large.pk}">' in html

    response = _variant(client, line, large.pk)

    assert response.status_code == 302 and response.url == reverse("mall:cart")
    line.refresh_from_db()
    assert (line.sku_id, line.quantity, line.referral) == (large.pk, 3, "note:7")


def test_changing_to_a_variant_already_in_the_cart_merges_the_lines(client):
    user = UserFactory()
    _product, (small, large) = shop_product(prices=("80.00", "120.00"))
    cart_with(user=user, sku=large, quantity=98)
    cart = cart_with(user=user, sku=small, quantity=3, referral="note:7")
    moved = cart.lines.get(sku=small)
    client.force_login(user)

    response = _variant(client, moved, large.pk, htmx=True)

    # like the steppers: htmx follows the redirect and swaps in the cart body
    assert response.status_code == 302 and response.url == reverse("mall:cart")
    assert list(cart.lines.values_list("sku_id", "quantity", "referral")) == [(large.pk, 99, "note:7")]


@pytest.mark.parametrize("case", ["another product's", "retired", "unreadable"])
def test_a_variant_that_is_not_the_products_is_refused_and_nothing_changes(client, case):
    user = UserFactory()
    _product, (small, large) = shop_product(prices=("80.00", "120.00"))
    _other, (foreign,) = shop_product(prices=("30.00",))
    if case == "retired":
        large.is_active = False
        large.save(update_fields=["is_active"])
    cart = cart_with(user=user, sku=small, quantity=2, referral="note:7")
    line = cart.lines.get()
    client.force_login(user)

    sku = {"another product's": foreign.pk, "retired": large.pk, "unreadable": "x"}[case]
    response = _variant(client, line, sku)

    assert response.status_code == 302
    assert "Choose one of this product" in client.get(reverse("mall:cart")).content.decode()
    assert list(cart.lines.values_list("sku_id", "quantity", "referral")) == [(small.pk, 2, "note:7")]


def test_someone_elses_line_cannot_change_variant(client):
    _product, (small, large) = shop_product(prices=("80.00", "120.00"))
    cart = cart_with(user=UserFactory(), sku=small)
    client.force_login(UserFactory())

    assert _variant(client, cart.lines.get(), large.pk).status_code == 404
    assert cart.lines.get().sku_id == small.pk


def test_a_merged_line_keeps_the_referral_it_had_when_the_moved_one_has_none():
    user = UserFactory()
    _product, (small, large) = shop_product(prices=("80.00", "120.00"))
    cart_with(user=user, sku=large, quantity=1, referral="note:9")
    cart = cart_with(user=user, sku=small, quantity=2)
    CartLine.objects.filter(cart=cart, sku=large).update(selected=False)

    kept = cart_line_variant_change(cart=cart, line_id=cart.lines.get(sku=small).pk, sku_id=large.pk)

    assert (kept.sku_id, kept.quantity, kept.referral, kept.selected) == (large.pk, 3, "note:9", True)
    assert list(cart.lines.values_list("pk", flat=True)) == [kept.pk]
