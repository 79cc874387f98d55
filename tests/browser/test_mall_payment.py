"""Paying on the Sandbox Pay page in Chromium: the order placed through the real checkout, the gateway's
hosted page, the signed webhook delivered by the real Celery worker, customs after it."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mall.models import CustomsDeclaration, Order, Payment, Refund
from mall.services.checkout import checkout_reserve, order_place
from mall.services.stock import stock_reconcile
from mall.tests.factories import SkuFactory, buyer, cart_with, stock_give
from tests.browser.helpers import assert_clean, scroll_width, state_becomes
from tests.support.tasks import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Order.State


def place_order(*, quantity: int = 1):
    sku = SkuFactory(price=Decimal("128.00"), product__name="Rose hand cream")
    record = stock_give(sku=sku, quantity=5)
    user, address, identity = buyer()
    cart = cart_with(user=user, sku=sku, quantity=quantity)
    summary = checkout_reserve(user=user, cart=cart)
    order, _replayed = order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity,
        idempotency_key=secrets.token_hex(8),
    )
    return order, record


def test_paying_on_the_sandbox_page_makes_the_order_paid_then_cleared(page, login_as, celery_worker):
    order, record = place_order(quantity=2)
    login_as(page, order.user)

    page.goto(f"{page.base_url}/pay/order/{order.number}/")
    expect(page.get_by_role("heading", name="Pay for your order")).to_be_visible()
    expect(page.get_by_test_id("pay-amount")).to_have_text(f"¥{order.total}")
    assert_clean(page)
    page.get_by_test_id("pay-now").click()

    # The gateway's own page: merchant, order, amount, and the payer masked.
    expect(page).to_have_url(re.compile(r"/pay/sandbox/pay_[0-9a-f]{32}/$"))
    expect(page.get_by_text("Sandbox Pay", exact=True)).to_be_visible()
    expect(page.get_by_test_id("merchant")).to_have_text("Hongshu")
    expect(page.get_by_test_id("order-number")).to_have_text(order.number)
    expect(page.get_by_test_id("amount")).to_have_text(f"¥{order.total}")
    expect(page.get_by_test_id("payer")).to_have_text(f"张* · {order.masked_id_number}")
    assert order.buyer_id_number not in page.content()
    expect(page.get_by_role("button", name="Fail")).to_be_visible()
    assert_clean(page)

    page.get_by_role("button", name=f"Pay ¥{order.total}").click()

    expect(page).to_have_url(f"{page.base_url}/mall/orders/{order.number}/")
    assert state_becomes(order, S.CLEARED) == S.CLEARED
    states = list(Order.objects.get(pk=order.pk).events.values_list("to_state", flat=True))
    assert states == [S.PENDING_PAYMENT, S.PAID, S.DECLARED, S.CLEARED]
    payment = Payment.objects.get(order=order)
    assert (payment.state, payment.payer_id_number) == (Payment.State.SUCCEEDED, order.buyer_id_number)
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (5, 2)

    # Back on the gateway page (the back button): it is done and pays nothing twice.
    page.goto(f"{page.base_url}/pay/sandbox/{payment.reference}/")
    expect(page.get_by_test_id("decided")).to_be_visible()
    assert Payment.objects.filter(order=order).count() == 1


def test_someone_else_paying_is_rejected_by_customs_refunded_and_the_stock_returns(
    page, login_as, celery_worker
):
    order, record = place_order()
    login_as(page, order.user)
    page.goto(f"{page.base_url}/pay/order/{order.number}/")
    page.get_by_test_id("pay-now").click()

    # The payer fields appear only when "someone else" is chosen (CSS, no script).
    expect(page.get_by_label("Payer's real name")).to_be_hidden()
    page.get_by_text("Someone else pays").click()
    expect(page.get_by_label("Payer's real name")).to_be_visible()
    page.get_by_label("Payer's real name").fill("李四")
    page.get_by_role("button", name=f"Pay ¥{order.total}").click()
    expect(page).to_have_url(f"{page.base_url}/mall/orders/{order.number}/")

    assert state_becomes(order, S.REFUNDED) == S.REFUNDED
    declaration = CustomsDeclaration.objects.get(order=order)
    assert declaration.state == CustomsDeclaration.State.REJECTED
    assert "payer is not the purchaser" in declaration.rejection_reason
    # The order is marked refunded when the refund is committed to; the provider's answer follows.
    assert wait_until(
        lambda: Refund.objects.filter(payment__order=order, state=Refund.State.SUCCEEDED).exists()
    )
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (5, 0)
    assert stock_reconcile() == []
    assert_clean(page)


def test_the_sandbox_page_fits_a_phone(phone_page, login_as):
    order, _record = place_order()
    login_as(phone_page, order.user)
    phone_page.goto(f"{phone_page.base_url}/pay/order/{order.number}/")
    phone_page.get_by_test_id("pay-now").click()
    expect(phone_page.get_by_test_id("sandbox-pay")).to_be_visible()
    assert scroll_width(phone_page) <= 390
    phone_page.get_by_test_id("payer-other").check()
    expect(phone_page.locator("input[name=other_id_number]")).to_be_visible()
    assert scroll_width(phone_page) <= 390
    assert_clean(phone_page)
