"""Issue 6's journey in one go, in real Chromium on a real Celery worker: a writer tags two products in a new
note; a reader opens it, taps "Buy" on a card and pays on Sandbox Pay; the order line carries the note's
referral; the writer's statistics show the tap and the order; after delivery the buyer writes a note from
the order page, which shows "bought here"; after the return the badge is gone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Note, ProductCardClick
from community.tests.support.links import product
from mall.models import Order, OrderLine
from mall.services.orders import order_receive_return, order_ship
from mall.tests.factories import BrandFactory, buyer
from tests.browser.helpers import assert_clean, state_becomes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Order.State


def test_tag_buy_attribute_deliver_write_badge_return(page, phone_page, login_as, jpeg_file, celery_worker):
    sakura = BrandFactory(name="Sakura Lab", slug="sakura-lab")
    serum, (serum_sku,) = product("Sakura Night Serum", slug="night-serum", brand=sakura, prices=("120.00",))
    cream, _ = product("Sakura Day Cream", slug="day-cream", brand=sakura, prices=("88.00",))

    # A writer tags two products in a new note.
    writer = login_as(page, UserFactory(nickname="小美"))
    page.goto(page.base_url + "/notes/new/")
    page.locator("input[name=images]").set_input_files([jpeg_file])
    page.get_by_label("Title").fill("Night routine")
    page.get_by_test_id("link-search").fill("sakura")
    results = page.get_by_test_id("link-result")
    expect(results).to_have_count(2)
    results.filter(has_text="Sakura Night Serum").get_by_test_id("link-add").click()
    results.filter(has_text="Sakura Day Cream").get_by_test_id("link-add").click()
    expect(page.get_by_test_id("picked-product")).to_have_count(2)
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(r"/notes/\d+/$"))
    note = Note.objects.get(author=writer)
    assert set(note.product_links.values_list("product_id", flat=True)) == {serum.pk, cream.pk}

    # A reader opens it on a phone, taps "Buy" on the serum's card and pays on Sandbox Pay.
    reader, _address, _identity = buyer()
    login_as(phone_page, reader)
    phone_page.goto(f"{phone_page.base_url}/notes/{note.pk}/")
    cards = phone_page.get_by_test_id("product-card")
    expect(cards).to_have_count(2)
    cards.filter(has_text="Sakura Night Serum").get_by_test_id("card-buy").click()
    expect(phone_page).to_have_url(re.compile(r"/mall/checkout/$"))
    phone_page.get_by_test_id("place-order").click()
    expect(phone_page).to_have_url(re.compile(r"/pay/sandbox/pay_[0-9a-f]{32}/$"))
    phone_page.get_by_test_id("sandbox-pay").click()
    order = Order.objects.get(user=reader)
    expect(phone_page).to_have_url(f"{phone_page.base_url}/mall/orders/{order.number}/")
    assert state_becomes(order, S.PAID) == S.PAID

    # The order line carries the note.
    line = OrderLine.objects.get(order=order)
    assert (line.sku_id, line.referral) == (serum_sku.pk, f"note:{note.pk}")
    assert list(ProductCardClick.objects.values_list("note_id", "action")) == [(note.pk, "buy")]

    # The writer's statistics show the tap and the order.
    page.goto(page.base_url + "/me/stats/")
    expect(page.get_by_test_id("total-card_clicks-value")).to_have_text("1")
    expect(page.get_by_test_id("total-orders-value")).to_have_text("1")
    expect(page.get_by_test_id("total-revenue-value")).to_contain_text("120")
    assert_clean(page)

    # The warehouse ships (operators do it in admin, tested there); the buyer confirms delivery.
    order_ship(order=order, tracking_number="SF1234567890")
    phone_page.reload()
    phone_page.get_by_test_id("confirm-delivery").click()
    # (The phone speaks Chinese: states are read from the page's data, not its words.)
    expect(phone_page.get_by_test_id("order-status")).to_have_attribute("data-state", S.DELIVERED)

    # The order page invites the buyer to write about it, with the product already tagged.
    invite = phone_page.get_by_test_id("order-invite")
    expect(invite).to_be_visible()
    expect(invite.get_by_test_id("order-invite-item")).to_contain_text("Sakura Night Serum")
    invite.get_by_test_id("order-invite-write").click()
    expect(phone_page.get_by_test_id("picked-product")).to_have_count(1)
    expect(phone_page.get_by_test_id("picked-product")).to_contain_text("Sakura Night Serum")
    phone_page.locator("input[name=images]").set_input_files([jpeg_file])
    phone_page.locator("input[name=title]").fill("Worth it")
    phone_page.get_by_test_id("publish").click()
    phone_page.wait_for_url(re.compile(r"/notes/\d+/$"))
    review = Note.objects.get(author=reader)
    assert list(review.product_links.values_list("product_id", flat=True)) == [serum.pk]

    # Their note shows "bought here" (on the page and on its feed card).
    expect(phone_page.get_by_test_id("note-bought-here")).to_be_visible()
    expect(phone_page.get_by_test_id("note-bought-product")).to_contain_text("Sakura Night Serum")
    assert_clean(phone_page)
    # The writer of the first note bought nothing: no badge there.
    page.goto(f"{page.base_url}/notes/{note.pk}/")
    expect(page.get_by_test_id("product-card")).to_have_count(2)
    expect(page.get_by_test_id("note-bought-here")).to_have_count(0)

    # The buyer sends it back; once the warehouse has it, the badge is gone.
    phone_page.goto(f"{phone_page.base_url}/mall/orders/{order.number}/")
    phone_page.get_by_test_id("return-box").locator("summary").click()
    phone_page.get_by_test_id("submit-return").click()
    expect(phone_page.get_by_test_id("order-status")).to_have_attribute("data-state", S.RETURN_REQUESTED)
    order_receive_return(order=Order.objects.get(pk=order.pk))
    assert state_becomes(order, S.RETURNED) == S.RETURNED
    phone_page.goto(f"{phone_page.base_url}/notes/{review.pk}/")
    expect(phone_page.get_by_test_id("note-title")).to_have_text("Worth it")
    expect(phone_page.get_by_test_id("note-bought-here")).to_have_count(0)

    # And the writer's statistics no longer count the returned order, but keep the tap.
    page.goto(page.base_url + "/me/stats/")
    expect(page.get_by_test_id("total-card_clicks-value")).to_have_text("1")
    expect(page.get_by_test_id("total-orders-value")).to_have_text("0")
