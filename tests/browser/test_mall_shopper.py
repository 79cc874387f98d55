"""Shopper journeys in Chromium: browse, filter, two SKUs into the cart, checkout with an address and a
purchaser, pay on Sandbox Pay and watch the order go paid -> declared -> cleared on a real Celery worker;
a second shopper leaves an order unpaid, it expires and the stock comes back; the phone layout."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from mall.models import CartLine, Order, StockRecord
from mall.services.orders import order_expire, order_ship
from mall.services.stock import stock_reconcile
from mall.tests.factories import BrandFactory, buyer, category_pair, shop_product
from tests.browser.helpers import assert_clean, low_contrast, scroll_width, state_becomes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Order.State


def shop():
    """A small mall: a category with a subcategory, Japanese and Korean brands."""
    beauty, skincare = category_pair()
    sakura = BrandFactory(name="Sakura Lab", slug="sakura-lab", country="Japan")
    dew = BrandFactory(name="Seoul Dew", slug="seoul-dew", country="South Korea")
    cream, cream_skus = shop_product(
        name="Sakura Night Cream", slug="night-cream", brand=sakura, category=skincare,
        prices=("120.00", "200.00"), stock=[10, 10], images=2,
    )  # fmt: skip
    lotion, lotion_skus = shop_product(
        name="Sakura Essence Lotion", slug="essence-lotion", brand=sakura, category=beauty, prices=("88.00",)
    )
    masks, _ = shop_product(
        name="Seoul Dew Masks", slug="masks", brand=dew, category=beauty, prices=("99.00",)
    )
    return {"cream": (cream, cream_skus), "lotion": (lotion, lotion_skus), "masks": masks}


def test_a_shopper_browses_filters_buys_two_skus_pays_and_sees_the_order_clear(page, login_as, celery_worker):
    catalog = shop()
    cream, (small, large) = catalog["cream"]
    lotion, (lotion_sku,) = catalog["lotion"]
    user, address, identity = buyer()
    login_as(page, user)

    # The mall's first screen: round categories, then product cards.
    page.goto(f"{page.base_url}/mall/")
    expect(page.get_by_test_id("mall-categories")).to_be_visible()
    expect(page.get_by_test_id("product-card")).to_have_count(3)
    page.get_by_test_id("category-beauty").click()
    expect(page.get_by_role("heading", name="Beauty")).to_be_visible()
    expect(page.get_by_test_id("product-card")).to_have_count(3)

    # Filter by brand, then sort by price: only Sakura Lab, cheapest first.
    page.get_by_test_id("filters").get_by_text("Sakura Lab").click()
    page.get_by_test_id("apply-filters").click()
    expect(page.get_by_test_id("product-card")).to_have_count(2)
    page.get_by_test_id("sort-price_asc").click()
    expect(page.get_by_test_id("card-price")).to_have_text(["¥88.00", "¥120.00"])
    assert "brand=sakura-lab" in page.url and "sort=price_asc" in page.url

    # The product page: pick the larger size; price, tax and stock follow the chip.
    page.get_by_role("link", name=re.compile("Sakura Night Cream")).first.click()
    expect(page.get_by_test_id("price")).to_have_text("¥120.00")
    expect(page.get_by_test_id("bonded-badge")).to_be_visible()
    expect(page.get_by_test_id("provenance")).to_contain_text("Japan")
    page.get_by_test_id("sku-chip").filter(has_text="Size 2").click()
    expect(page.get_by_test_id("price")).to_have_text("¥200.00")
    expect(page.get_by_test_id("tax-estimate")).to_contain_text("¥18.20")
    expect(page.get_by_test_id("stock-state")).to_have_text("In stock")
    assert f"sku={large.pk}" in page.url
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-added")).to_contain_text("Added to your cart.")

    # A second SKU, from another product page.
    page.goto(f"{page.base_url}/mall/products/{lotion.slug}/")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-added")).to_contain_text("Added to your cart.")

    # The cart: two lines; a stepper press updates the line and the total in place.
    page.get_by_test_id("mall-cart-link").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    lotion_line = page.get_by_test_id("cart-line").filter(has_text="Sakura Essence Lotion")
    lotion_line.get_by_test_id("qty-inc").click()
    expect(lotion_line.get_by_test_id("qty")).to_have_text("2")
    # ¥200 + 2 x ¥88 = ¥376, plus 9.1% tax.
    expect(page.get_by_test_id("cart-total")).to_have_text("¥410.22")
    assert_clean(page)

    # Checkout: held with a countdown, the default address and purchaser chosen, tax per line.
    page.get_by_test_id("checkout-link").click()
    expect(page.get_by_test_id("hold-countdown")).to_have_text(re.compile(r"1[45]:\d\d"))
    expect(page.get_by_test_id("checkout-line")).to_have_count(2)
    expect(page.get_by_test_id("address-choice").locator("input")).to_be_checked()
    expect(page.get_by_test_id("identity-choice")).to_contain_text(identity.masked_number)
    expect(page.get_by_test_id("total")).to_have_text("¥410.22")
    assert identity.id_number not in page.content()
    page.get_by_test_id("place-order").click()

    # Sandbox Pay, then back on the order page, which follows the order as the worker moves it.
    order = Order.objects.get(user=user)
    expect(page).to_have_url(re.compile(r"/pay/sandbox/pay_[0-9a-f]{32}/$"))
    page.get_by_test_id("sandbox-pay").click()
    expect(page).to_have_url(f"{page.base_url}/mall/orders/{order.number}/")
    assert state_becomes(order, S.CLEARED) == S.CLEARED
    expect(page.get_by_test_id("order-state")).to_have_text("Cleared customs", timeout=15_000)
    expect(page.get_by_test_id("timeline-item")).to_have_count(4)
    states = list(order.events.values_list("to_state", flat=True))
    assert states == [S.PENDING_PAYMENT, S.PAID, S.DECLARED, S.CLEARED]
    order.refresh_from_db()
    assert order.total == Decimal("410.22")
    assert {line.sku_id: line.quantity for line in order.lines.all()} == {large.pk: 1, lotion_sku.pk: 2}
    assert not CartLine.objects.filter(cart__user=user).exists()

    # The list shows it under "To ship".
    page.goto(f"{page.base_url}/mall/orders/?tab=processing")
    expect(page.get_by_test_id("order-card")).to_have_count(1)
    expect(page.get_by_test_id("order-state")).to_have_text("Cleared customs")

    # The warehouse ships it (an operator does this in admin); the shopper confirms delivery.
    order_ship(order=order, tracking_number="SF1234567890")
    page.get_by_test_id("tab-shipped").click()
    page.get_by_test_id("order-card").click()
    expect(page.get_by_test_id("tracking-number")).to_have_text("SF1234567890")
    page.get_by_test_id("confirm-delivery").click()
    expect(page.get_by_test_id("order-state")).to_have_text("Delivered")
    expect(page.get_by_test_id("return-box")).to_be_visible()
    order.refresh_from_db()
    assert order.state == S.DELIVERED and order.delivered_at is not None
    record = StockRecord.objects.get(sku=large)
    assert (record.on_hand, record.allocated) == (9, 0)
    assert stock_reconcile() == []
    assert_clean(page)


def test_an_unpaid_order_expires_and_its_stock_returns(phone_page, login_as):
    page = phone_page
    product, (sku,) = shop_product(name="Last jar of honey", slug="honey", prices=("268.00",), stock=1)
    user, _address, _identity = buyer()
    login_as(page, user)

    # Buy now from the sticky bar, place the order, leave the payment page without paying.
    page.goto(f"{page.base_url}/mall/products/honey/")
    expect(page.get_by_test_id("stock-state")).to_have_attribute("data-state", "low")
    page.get_by_test_id("buybar-buy").click()
    expect(page.get_by_test_id("checkout-line")).to_have_count(1)
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(re.compile(r"/pay/sandbox/"))
    order = Order.objects.get(user=user)

    page.goto(f"{page.base_url}/mall/orders/{order.number}/")
    expect(page.get_by_test_id("pay-countdown")).to_have_text(re.compile(r"(30:00|29:\d\d)"))
    expect(page.get_by_test_id("pay-now")).to_be_visible()
    # Held for this order: nobody else can buy it.
    page.goto(f"{page.base_url}/mall/products/honey/")
    expect(page.get_by_test_id("stock-state")).to_have_attribute("data-state", "sold_out")
    expect(page.get_by_test_id("buybar-buy")).to_be_disabled()

    # The deadline passes: the page says so, then the expiry service cancels the order.
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))
    page.goto(f"{page.base_url}/mall/orders/{order.number}/")
    expect(page.get_by_test_id("pay-expired")).to_be_visible()
    expect(page.get_by_test_id("pay-now")).to_have_count(0)
    assert order_expire(order_id=order.pk) is True
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-state", "cancelled")
    expect(page.get_by_test_id("timeline-item").first).to_have_attribute("data-state", "cancelled")

    # The unit is back on sale.
    page.goto(f"{page.base_url}/mall/products/honey/")
    expect(page.get_by_test_id("stock-state")).to_have_attribute("data-state", "low")
    expect(page.get_by_test_id("stock-state")).to_contain_text("1")
    expect(page.get_by_test_id("buybar-buy")).to_be_enabled()
    record = StockRecord.objects.get(sku=sku)
    assert (record.on_hand, record.allocated) == (1, 0)
    assert stock_reconcile() == []
    assert_clean(page)


def test_the_mall_fits_a_phone_and_an_anonymous_cart_follows_the_shopper_in(phone_page):
    page = phone_page
    catalog = shop()
    cream, (small, _large) = catalog["cream"]
    user, _address, _identity = buyer()

    page.goto(f"{page.base_url}/mall/")
    expect(page.get_by_test_id("product-card").first).to_be_visible()
    assert scroll_width(page) <= 390

    # Filters open as a sheet over the listing on phones.
    page.goto(f"{page.base_url}/mall/categories/beauty/")
    expect(page.get_by_test_id("filters")).to_be_hidden()
    page.get_by_test_id("open-filters").click()
    expect(page.get_by_test_id("filters")).to_be_visible()
    assert scroll_width(page) <= 390

    # The product page: the buy bar takes the tab bar's place at the bottom and stays there while scrolling.
    page.goto(f"{page.base_url}/mall/products/{cream.slug}/?ref=note:42")
    bar = page.get_by_test_id("buybar")
    expect(bar).to_be_visible()
    expect(page.locator("nav.tabbar")).to_be_hidden()
    page.mouse.wheel(0, 800)
    bar_box = bar.bounding_box()
    assert abs(bar_box["y"] + bar_box["height"] - 844) <= 1
    assert not page.get_by_test_id("add-to-cart").is_visible()  # the form's own buttons are for desktops
    assert scroll_width(page) <= 390
    assert low_contrast(page, ".pdp p, .pdp span, .pdp dt, .pdp dd, .pdp a, .pdp legend") == []

    # Not signed in: the cart lives in the session...
    page.get_by_test_id("buybar-add").click()
    expect(page.get_by_test_id("cart-added")).to_be_visible()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    assert CartLine.objects.get(cart__user=None).referral == "note:42"

    # ...and joins the shopper's own cart when they sign in.
    page.goto(f"{page.base_url}/accounts/login/?next=/mall/cart/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{page.base_url}/mall/cart/")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    assert CartLine.objects.get().cart.user == user
    assert scroll_width(page) <= 390
    assert low_contrast(page, ".cart-page span, .cart-page p, .cart-page a:not(.btn)") == []
    assert_clean(page)
