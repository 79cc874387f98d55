"""The operator's part of the shopping journey in Chromium: a paid cross-border order that customs cleared
is found in admin and shipped with a tracking number (the "ship" action and its intermediate page); the
shopper then sees the tracking number on the order page and confirms delivery."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from mall.models import Order, Payment, StockMovement, StockRecord
from mall.services.checkout import checkout_reserve, order_place
from mall.services.customs import order_declare
from mall.services.orders import order_transition
from mall.services.stock import stock_reconcile
from mall.tests.factories import SkuFactory, buyer, cart_with, stock_give
from tests.browser.helpers import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Order.State


def cleared_cross_border_order():
    """Checkout, payment by the purchaser, and the sandbox customs' clearance, all through the services."""
    sku = SkuFactory(price=Decimal("168.00"), product__name="Sakura essence", name="150 ml")
    record = stock_give(sku=sku, quantity=5)
    user, address, identity = buyer()
    cart = cart_with(user=user, sku=sku, quantity=2)
    summary = checkout_reserve(user=user, cart=cart)
    order, _replayed = order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity,
        idempotency_key=secrets.token_hex(8),
    )
    Payment.objects.create(
        order=order,
        provider="sandbox",
        reference="pay_" + secrets.token_hex(16),
        amount=order.total,
        state=Payment.State.SUCCEEDED,
        payer_name=identity.real_name,
        payer_id_number=identity.id_number,
        succeeded_at=timezone.now(),
    )
    with transaction.atomic():
        order_transition(order=order, to_state=S.PAID, extra={"paid_at": timezone.now()}, message="Paid.")
    order_declare(order_id=order.pk)  # the sandbox customs clears a purchaser who paid themselves
    order.refresh_from_db()
    assert order.state == S.CLEARED
    return order, user, record


def admin_login(page, user) -> None:
    page.goto(page.base_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(page.base_url + "/admin/")


def test_an_operator_ships_a_cleared_order_in_admin_and_the_shopper_confirms_delivery(page, login_as):
    order, shopper, record = cleared_cross_border_order()
    operator = UserFactory(username="ops-lin", is_staff=True, is_superuser=True)
    assert (record.on_hand, StockRecord.objects.get(pk=record.pk).allocated) == (5, 2)

    # The operator signs in and finds the order among those cleared by customs.
    admin_login(page, operator)
    page.get_by_role("link", name="Orders").click()
    page.get_by_role("link", name=re.compile(r"^Cleared customs")).click()
    page.locator("#searchbar").fill(order.number)
    page.locator("#changelist-search").get_by_role("button", name="Search").click()
    row = page.locator("#result_list tbody tr", has_text=order.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Cleared customs")
    assert order.buyer_id_number not in page.content()

    # Ship: tick the order, choose the action, type the tracking number on the page that follows.
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Ship with a tracking number…")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_test_id("action-page")).to_be_visible()
    expect(page.get_by_role("heading", name="Ship orders")).to_be_visible()
    page.get_by_label(f"Tracking number ({order.number})").fill("SF1234567890")
    page.get_by_test_id("action-apply").click()

    expect(page.locator(".messagelist .success")).to_have_text(
        f"Order {order.number} shipped, tracking number SF1234567890."
    )
    # It left the "cleared" list it was found in, and sits among the shipped orders.
    expect(page.locator("#result_list tbody tr", has_text=order.number)).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"^Shipped")).click()
    row = page.locator("#result_list tbody tr", has_text=order.number)
    expect(row.locator('[data-value="shipped"]')).to_have_text("Shipped")
    expect(row).to_contain_text("SF1234567890")
    assert_clean(page)

    # The order's page shows the timeline with the operator's shipment, the purchaser masked.
    row.get_by_role("link", name=order.number).click()
    expect(page.locator(".field-state_badge")).to_contain_text("Shipped")
    expect(page.locator(".field-purchaser")).to_contain_text(order.masked_id_number)
    assert order.buyer_id_number not in page.content()
    order.refresh_from_db()
    assert (order.state, order.tracking_number) == (S.SHIPPED, "SF1234567890")
    assert order.events.last().actor == operator
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (3, 0)
    assert record.movements.filter(kind=StockMovement.Kind.SHIPPED, actor=operator).count() == 1

    # The shopper sees the tracking number and confirms delivery.
    page.context.clear_cookies()
    login_as(page, shopper)
    page.goto(f"{page.base_url}/mall/orders/{order.number}/")
    expect(page.get_by_test_id("order-state")).to_have_text("Shipped")
    expect(page.get_by_test_id("tracking-number")).to_have_text("SF1234567890")
    page.get_by_test_id("confirm-delivery").click()
    expect(page.get_by_test_id("order-state")).to_have_text("Delivered")
    order.refresh_from_db()
    assert order.state == S.DELIVERED and order.delivered_at is not None
    assert stock_reconcile() == []
    assert_clean(page)
