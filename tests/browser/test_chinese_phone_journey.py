"""Issue 12's acceptance journey, in Chinese on a phone, in real Chromium on a real Celery worker.

A shopper searches 防晒 in the top search box and in the mall, opens the products tab, buys the second
size of a sunscreen from a note's product card, pays on Sandbox Pay, and hears "paid", "cleared",
"shipped" (with the tracking number) and "delivered" in Messages, the badge lighting up each time ("paid"
and "cleared" together: the sandbox customs clears within milliseconds of the payment); then finds the
order and the note they started about it under "Me". On the way, no English word on the order page.

The shopper's part is the browser's. What others do is the real code they run: the gateway's webhook and
the sandbox customs run on the worker; the warehouse ships through ``order_ship`` (operators do it in
admin, tested there); the carrier poll (the beat task) runs under a clock moved past the trip. Every
word asserted is the Chinese msgstr of locale/zh_Hans/LC_MESSAGES/django.po.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.models import Note, NoteProduct, Notification
from community.tests.factories import indexed_note
from mall.models import CartLine, Order, OrderLine
from mall.services.orders import order_ship
from mall.tasks import parcels_poll_task
from mall.templatetags.mall import yuan_digits
from mall.tests.factories import BrandFactory, CategoryFactory, WarehouseFactory, buyer, shop_product
from tests.browser.helpers import assert_clean, scroll_width, state_becomes
from tests.support.tasks import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Order.State
K = Notification.Kind
TRACKING = "SF1234567890"


@pytest.fixture
def sunscreen():
    """A cross-border sunscreen in two sizes, named in both languages, and a writer's note tagging it."""
    # The bonded warehouse the parcel leaves from, as an operator in China names it (the carrier reports it
    # as the parcel's first location).
    WarehouseFactory(name="宁波保税仓")
    brand = BrandFactory(name_en="Anessa", name_zh_hans="安热沙", slug="anessa")
    category = CategoryFactory(name_en="Sun care", name_zh_hans="防晒", slug="sun")
    product, skus = shop_product(
        name_en="Anessa Perfect UV Sunscreen Milk",
        name_zh_hans="安热沙金瓶防晒乳",
        slug="anessa-gold",
        brand=brand,
        category=category,
        is_cross_border=True,
        prices=("168.00", "298.00"),
    )
    for sku, (en, zh) in zip(skus, [("60 ml", "60毫升"), ("90 ml, twin pack", "90毫升两支装")], strict=True):
        sku.name_en, sku.name_zh_hans = en, zh
        sku.save()
    writer = UserFactory(nickname="小美")
    note = indexed_note(
        author=writer, title="夏天防晒怎么选", body="油皮也不闷，海边一整天都没晒黑。", images=1
    )
    NoteProduct.objects.create(note=note, product=product, position=0)
    return product, skus, note


def _notices(user, kind) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind).exists()


def _badge(page):
    return page.get_by_test_id("tab-messages").get_by_test_id("unread-badge")


def test_search_buy_the_second_size_pay_follow_the_parcel_in_messages_and_find_it_under_me(
    phone_page, login_as, jpeg_file, celery_worker, sunscreen
):
    page = phone_page
    product, (small, large), note = sunscreen
    shopper, _address, _identity = buyer()
    login_as(page, shopper)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": page.base_url}]
    )

    # 1. The top search box: the product strip above the notes, then the products tab.
    page.goto(page.base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    box = page.get_by_role("combobox", name="搜索")
    box.fill("防晒")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    strip = page.get_by_test_id("search-product-strip")
    expect(strip).to_contain_text("商城有售")
    expect(strip.get_by_test_id("strip-product")).to_have_count(1)
    expect(strip.get_by_test_id("strip-product")).to_contain_text("安热沙金瓶防晒乳")
    expect(page.get_by_test_id("note-card")).to_have_count(1)
    expect(page.get_by_test_id("search-tab-products")).to_have_text("商品")
    page.get_by_test_id("search-tab-products").click()
    page.wait_for_url(re.compile(r"type=products"))
    expect(page.get_by_test_id("search-tab-products")).to_have_attribute("aria-current", "page")
    found = page.get_by_test_id("search-results").get_by_test_id("product-card")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("安热沙金瓶防晒乳")
    assert scroll_width(page) <= 390
    assert_clean(page)

    # 2. The mall's own search box finds it too.
    page.goto(page.base_url + "/mall/")
    mall_box = page.get_by_label("搜索商城")
    mall_box.fill("防晒")
    mall_box.press("Enter")
    page.wait_for_url(re.compile(r"/mall/search/\?q="))
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("安热沙金瓶防晒乳")
    assert_clean(page)

    # 3. Back to the notes about it: the note's product card, "Buy", the second size, checkout, Sandbox Pay.
    page.go_back()
    page.go_back()
    page.get_by_test_id("search-tab-notes").click()
    page.get_by_test_id("note-card").filter(has_text="夏天防晒怎么选").locator("a").first.click()
    page.wait_for_url(re.compile(rf"/notes/{note.pk}/"))
    card = page.get_by_test_id("product-card")
    expect(card.get_by_test_id("card-name")).to_have_text("安热沙金瓶防晒乳")
    expect(card.get_by_test_id("card-buy")).to_have_text("购买")
    card.get_by_test_id("card-buy").click()
    sheet = page.get_by_test_id("variant-chooser")
    expect(sheet).to_be_visible()
    choices = sheet.get_by_test_id("variant-choice")
    expect(choices).to_have_count(2)
    expect(choices.nth(0)).to_contain_text("60毫升")
    expect(choices.nth(1)).to_contain_text("90毫升两支装")
    expect(choices.nth(1)).to_contain_text("¥298.00")
    choices.nth(1).get_by_test_id("variant-buy").click()

    expect(page).to_have_url(re.compile(r"/mall/checkout/$"))
    line = page.get_by_test_id("checkout-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("安热沙金瓶防晒乳")
    expect(line).to_contain_text("90毫升两支装")
    assert CartLine.objects.get(cart__user=shopper).sku_id == large.pk
    expect(page.get_by_test_id("place-order")).to_have_text("提交订单")
    assert_clean(page)
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(re.compile(r"/pay/sandbox/pay_[0-9a-f]{32}/$"))
    order = Order.objects.get(user=shopper)
    assert list(OrderLine.objects.filter(order=order).values_list("sku_id", "referral")) == [
        (large.pk, f"note:{note.pk}")
    ]
    page.get_by_test_id("sandbox-pay").click()

    # 4. The order page: paid, then cleared by the sandbox customs (the worker runs both).
    expect(page).to_have_url(f"{page.base_url}/mall/orders/{order.number}/")
    assert state_becomes(order, S.CLEARED) == S.CLEARED
    page.reload()
    expect(page.get_by_test_id("order-state")).to_have_text("已清关")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("[data-state=paid] strong")).to_have_text("已付款")
    expect(timeline.locator("[data-state=cleared] strong")).to_have_text("已清关")
    # The worker wrote these; they read in the reader's language.
    order.refresh_from_db()
    expect(timeline.locator("[data-state=paid]").get_by_test_id("timeline-message")).to_have_text(
        f"已支付 ¥{yuan_digits(order.total)}。"
    )
    expect(timeline.locator("[data-state=cleared]").get_by_test_id("timeline-message")).to_have_text(
        "已清关。"
    )
    assert_clean(page)

    # 5a. "Paid" and "cleared" arrive in Messages; the badge counts them, and clears once they are read.
    assert wait_until(lambda: _notices(shopper, K.ORDER_PAID) and _notices(shopper, K.ORDER_CLEARED))
    page.reload()
    expect(_badge(page)).to_have_text("2")
    page.get_by_test_id("tab-messages").click()
    page.wait_for_url(re.compile(r"/notifications/"))
    expect(page.get_by_test_id("inbox-notices")).to_have_attribute("aria-current", "page")
    said = page.get_by_test_id("notification-what")
    expect(said).to_have_count(2)
    # (Two worker threads make the two notices, a few milliseconds apart: either may be the newer.)
    assert sorted(said.all_inner_texts()) == sorted(
        [
            f"订单 {order.number}：已付款。感谢付款，我们已收到你的款项。",
            f"订单 {order.number}：已清关。接下来将从保税仓发出。",
        ]
    )
    expect(page.locator("[data-testid=notification].is-unread")).to_have_count(2)
    expect(_badge(page)).to_have_count(0)
    assert scroll_width(page) <= 390
    assert_clean(page)

    # 5b. The warehouse ships with SF Express: "shipped" with the carrier and the tracking number.
    order_ship(order=Order.objects.get(pk=order.pk), carrier="sf_express", tracking_number=TRACKING)
    assert wait_until(lambda: _notices(shopper, K.ORDER_SHIPPED))
    page.goto(page.base_url + "/")
    expect(_badge(page)).to_have_text("1")
    page.get_by_test_id("tab-messages").click()
    shipped = page.get_by_test_id("notification").first
    expect(shipped.get_by_test_id("notification-what")).to_have_text(
        f"订单 {order.number}：已发货，承运商 顺丰速运，运单号 {TRACKING}。"
    )
    expect(_badge(page)).to_have_count(0)
    shipped.get_by_test_id("notification-link").click()
    page.wait_for_url(f"**/mall/orders/{order.number}/")
    expect(page.get_by_test_id("order-state")).to_have_text("已发货")
    expect(page.get_by_test_id("carrier")).to_have_text("顺丰速运")
    expect(page.get_by_test_id("tracking-number")).to_have_text(TRACKING)

    # While it travels, "Me" counts it under "To receive", and that tab lists it.
    page.get_by_test_id("tab-me").click()
    page.wait_for_url(re.compile(r"/accounts/me/"))
    to_receive = page.get_by_test_id("me-orders-shipped")
    expect(to_receive).to_contain_text("待收货")
    expect(to_receive.get_by_test_id("me-orders-count")).to_have_text("1")
    to_receive.click()
    expect(page.get_by_test_id("tab-shipped")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("order-card")).to_have_count(1)
    expect(page.get_by_test_id("order-card").get_by_test_id("order-state")).to_have_text("已发货")
    assert_clean(page)

    # 5c. The carrier's poll, run once the trip is over (two days by default), says delivered.
    with time_machine.travel(
        timezone.now() + timedelta(minutes=settings.CARRIER_SANDBOX_MINUTES + 5), tick=True
    ):
        parcels_poll_task()
    assert state_becomes(order, S.DELIVERED) == S.DELIVERED
    assert wait_until(lambda: _notices(shopper, K.ORDER_DELIVERED))
    page.reload()
    expect(_badge(page)).to_have_text("1")
    page.get_by_test_id("tab-messages").click()
    delivered = page.get_by_test_id("notification").first
    expect(delivered.get_by_test_id("notification-what")).to_have_text(
        f"订单 {order.number}：已签收。好好享用，也来分享你的感受吧。"
    )
    expect(page.get_by_test_id("notification-what")).to_have_count(4)
    expect(_badge(page)).to_have_count(0)
    assert_clean(page)

    # 6. From "Me": all orders, the "delivered" tab, the order with the carrier's whole trip.
    page.get_by_test_id("tab-me").click()
    page.wait_for_url(re.compile(r"/accounts/me/"))
    page.get_by_test_id("me-orders-all").click()
    page.get_by_test_id("tab-done").click()
    page.wait_for_url(re.compile(r"tab=done"))
    expect(page.get_by_test_id("tab-done")).to_have_text("已签收")
    order_card = page.get_by_test_id("order-card")
    expect(order_card).to_have_count(1)
    expect(order_card).to_contain_text("安热沙金瓶防晒乳")
    order_card.locator("a").first.click()
    page.wait_for_url(f"**/mall/orders/{order.number}/")
    expect(page.get_by_test_id("order-state")).to_have_text("已签收")
    expect(page.get_by_test_id("parcel-event")).to_have_count(6)
    expect(page.get_by_test_id("parcel-event").first).to_contain_text("已签收")
    expect(timeline.locator("[data-state=shipped]").get_by_test_id("timeline-message")).to_have_text(
        f"已由 顺丰速运 发货，运单号 {TRACKING}。"
    )
    expect(timeline.locator("[data-state=delivered]").get_by_test_id("timeline-message")).to_have_text(
        "快递公司显示已签收。"
    )
    # Not one English word on the page (order numbers, waybills and the tracking number aside).
    main_text = page.locator("main").inner_text()
    words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[A-Z]{2}[0-9A-F]{8,}\b", "", main_text))
    assert words == [], words
    assert_clean(page)

    # The order invites a note about it; the shopper starts one and keeps it as a draft for later.
    page.get_by_test_id("order-invite-write").click()
    expect(page.get_by_test_id("picked-product")).to_contain_text("安热沙金瓶防晒乳")
    page.locator("input[name=images]").set_input_files([jpeg_file])
    page.locator("input[name=title]").fill("金瓶防晒乳用了一个夏天")
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(re.compile(r"/accounts/me/"))
    draft = page.get_by_test_id("me-draft")
    expect(draft).to_have_count(1)
    expect(draft).to_contain_text("金瓶防晒乳用了一个夏天")
    expect(page.locator("#drafts-head")).to_contain_text("草稿")
    review = Note.objects.get(author=shopper)
    assert review.status == Note.Status.DRAFT

    # Opening it from "Me" brings back the title and the product.
    draft.click()
    page.wait_for_url(re.compile(rf"/notes/{review.pk}/edit/$"))
    expect(page.locator("input[name=title]")).to_have_value("金瓶防晒乳用了一个夏天")
    expect(page.get_by_test_id("picked-product")).to_contain_text("安热沙金瓶防晒乳")
    assert scroll_width(page) <= 390
    assert_clean(page)
