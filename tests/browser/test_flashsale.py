"""The flash sale in Chromium: an operator creates, publishes and warms a sale in admin; two shoppers wait
on the mall's first screen for the countdown; the first buys when it opens and pays on the sandbox page,
the second is told "sold out" (quota 1). The admission is materialised by the real service, called from
this thread in a polling loop (the product runs it in ``manage.py flashsale_consumer``), and the payment
webhook is delivered by the real Celery worker."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, AddressFactory, UserFactory
from flashsale.models import FlashSale
from flashsale.selectors.figures import sale_figures
from flashsale.services import materialize
from flashsale.tests.helpers import live_sale
from mall.models import Order, ProductImage
from mall.tests.factories import SkuFactory, WarehouseFactory, buyer, stock_give
from tests.browser.helpers import assert_clean, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEAD_SECONDS = 18  # the sale opens this long after the operator starts typing (the steps before take ~4 s)


def product_with_photo():
    sku = SkuFactory(price=Decimal("128.00"), product__name="Rose hand cream", name="75 ml")
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), (255, 200, 210)).save(buffer, format="JPEG")
    image = ProductImage(product=sku.product, width=600, height=600)
    image.image.save("rose.jpg", ContentFile(buffer.getvalue()), save=True)
    return sku


def admin_login(page, user) -> None:
    page.goto(page.base_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(page.base_url + "/admin/")


def choose_sku(page, sku) -> None:
    """The SKU's code, or a search box when the mall's SKU admin offers autocomplete."""
    if page.locator("select#id_sku").count():
        page.locator(".field-sku .select2-selection").click()
        page.locator(".select2-search__field").fill(sku.code)
        page.locator(".select2-results__option", has_text=sku.code).click()
    else:
        page.get_by_label("SKU code").fill(sku.code)


def fill_moment(page, name: str, moment) -> None:
    local = timezone.localtime(moment)
    page.locator(f"#id_{name}_0").fill(local.strftime("%Y-%m-%d"))
    page.locator(f"#id_{name}_1").fill(local.strftime("%H:%M:%S"))


def materialise_until(page, sale: FlashSale, url_pattern, *, timeout: float = 20.0) -> None:
    """Drain the sale's stream from this thread until the buyer's page has moved on."""
    deadline = time.monotonic() + timeout
    while True:
        materialize.sale_drain(sale_id=sale.pk)
        try:
            page.wait_for_url(url_pattern, timeout=300)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise


def state_reaches(order: Order, states: set[str], *, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    current = ""
    while time.monotonic() < deadline:
        current = Order.objects.values_list("state", flat=True).get(pk=order.pk)
        if current in states:
            break
        time.sleep(0.1)
    return current


def test_operator_runs_a_sale_first_shopper_buys_and_pays_second_sees_sold_out(
    browser, page, login_as, celery_worker
):
    sku = product_with_photo()
    warehouse = WarehouseFactory()
    record = stock_give(sku=sku, warehouse=warehouse, quantity=3)
    operator = UserFactory(is_staff=True, is_superuser=True)
    first, *_ = buyer()
    second, *_ = buyer()

    # --- the operator creates the sale in admin ------------------------------------------------------------
    admin = page
    admin_login(admin, operator)
    admin.goto(admin.base_url + "/admin/flashsale/flashsale/add/")
    starts_at = timezone.now() + timedelta(seconds=LEAD_SECONDS)
    admin.get_by_label("Title").fill("Rose cream welfare club")
    choose_sku(admin, sku)
    admin.locator("#id_warehouse").select_option(str(warehouse.pk))
    admin.get_by_label("Sale price").fill("59.00")
    admin.get_by_label("Quota").fill("1")
    admin.get_by_label("Limit per buyer").fill("1")
    fill_moment(admin, "starts_at", starts_at)
    fill_moment(admin, "ends_at", starts_at + timedelta(hours=1))
    expect(admin.get_by_label("Cross-border")).to_be_checked()
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    sale = FlashSale.objects.get()
    assert (sale.state, sale.quota, sale.price, sale.sku_id) == ("draft", 1, Decimal("59.00"), sku.pk)

    # ...publishes it with the list action: one unit leaves warehouse stock...
    row = admin.locator("#result_list tbody tr", has_text="Rose cream welfare club")
    row.locator("input[name=_selected_action]").check()
    admin.select_option("select[name=action]", "sale_publish")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 units moved out of")
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (3, 1)

    # ...and warms it from its console, where the figures show Redis loaded.
    row = admin.locator("#result_list tbody tr", has_text="Rose cream welfare club")
    expect(row).to_contain_text("Upcoming")
    row.get_by_role("link", name="Open console").click()
    expect(admin.get_by_test_id("fig-redis-stock")).to_contain_text("not loaded")
    admin.get_by_test_id("console-warm").click()
    expect(admin.locator(".messagelist")).to_contain_text("Loaded")
    expect(admin.get_by_test_id("fig-redis-stock")).to_have_text("1")
    expect(admin.get_by_test_id("fig-drift")).to_have_text("0")
    assert_clean(admin)

    # --- two shoppers wait on the mall's first screen -------------------------------------------------------
    shoppers = []
    for user in (first, second):
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
        context.set_default_timeout(10_000)
        shopper = context.new_page()
        shopper.base_url = page.base_url
        shopper.js_errors = []
        shopper.on("pageerror", lambda exc, errors=shopper.js_errors: errors.append(str(exc)))
        login_as(shopper, user)
        shopper.goto(shopper.base_url + "/mall/")
        shoppers.append(shopper)
    one, two = shoppers
    try:
        for shopper in shoppers:
            card = shopper.locator(f"[data-flash-sale='{sale.pk}']")
            expect(card.get_by_test_id("flash-price")).to_have_text("¥59.00")
            expect(card.get_by_test_id("flash-regular")).to_contain_text("¥128.00")
            expect(card.get_by_test_id("flash-remaining")).to_have_text("1 left")
            expect(card).to_contain_text("Starts in")
            expect(card.get_by_test_id("flash-buy")).to_be_disabled()
            # The countdown runs on the server's clock: it shows the seconds left to the start.
            shown = card.get_by_test_id("flash-countdown").inner_text()
            minutes, seconds = (int(x) for x in shown.split(":"))
            assert 0 < minutes * 60 + seconds <= LEAD_SECONDS

        # --- the sale opens: the countdown reaches zero and the buttons come alive ----------------------------
        buy_one = one.locator(f"[data-flash-sale='{sale.pk}']").get_by_test_id("flash-buy")
        expect(buy_one).to_be_enabled(timeout=(LEAD_SECONDS + 10) * 1000)
        assert timezone.now() >= sale.starts_at - timedelta(seconds=1)
        expect(buy_one).to_have_text("Buy now")
        expect(one.locator(f"[data-flash-sale='{sale.pk}']")).to_contain_text("Ends in")
        # The page fetched a signed buy pass while it loaded: the click authenticates without a session lookup.
        with one.expect_request(lambda r: r.url.endswith("/buy/") and r.method == "POST") as sent:
            buy_one.click()
        assert sent.value.headers.get("x-flash-pass")
        expect(one.get_by_test_id("flash-status")).to_have_text("You're in! Creating your order…")

        # The second shopper is a moment late: sold out, in words, and the button gives up.
        buy_two = two.locator(f"[data-flash-sale='{sale.pk}']").get_by_test_id("flash-buy")
        expect(buy_two).to_be_enabled(timeout=10_000)
        buy_two.click()
        expect(two.get_by_test_id("flash-status")).to_have_text("Sold out.")
        expect(buy_two).to_be_disabled()
        expect(buy_two).to_have_text("Sold out")

        # --- the admission becomes an order; the first shopper is sent to pay -------------------------------
        materialise_until(one, sale, re.compile(r"/pay/order/HS\w+/$"))
        order = Order.objects.get(user=first)
        assert (order.state, order.total > 0, order.lines.get().referral) == (
            "pending_payment",
            True,
            f"flashsale:{sale.pk}",
        )
        assert order.lines.get().unit_price == Decimal("59.00")
        one.get_by_test_id("pay-now").click()
        expect(one).to_have_url(re.compile(r"/pay/sandbox/pay_[0-9a-f]{32}/$"))
        one.get_by_role("button", name=f"Pay ¥{order.total}").click()
        expect(one).to_have_url(f"{one.base_url}/mall/orders/{order.number}/")
        assert state_reaches(order, {"paid", "declared", "cleared"}) in {"paid", "declared", "cleared"}
        assert Order.objects.filter(user=second).count() == 0

        # Coming back later, the second shopper sees the sale sold out on the first screen.
        two.goto(two.base_url + "/mall/")
        card = two.locator(f"[data-flash-sale='{sale.pk}']")
        expect(card.get_by_test_id("flash-sold-out")).to_have_text("Sold out")
        expect(card.get_by_test_id("flash-remaining")).to_have_text("0 left")
        assert one.js_errors == [] and two.js_errors == []
    finally:
        for shopper in shoppers:
            shopper.context.close()

    # --- the operator's console caught up by itself (htmx every 2 s, no reload) -----------------------------
    expect(admin.get_by_test_id("fig-sold")).to_have_text("1", timeout=10_000)
    expect(admin.get_by_test_id("fig-paid")).to_have_text("1", timeout=10_000)
    expect(admin.get_by_test_id("fig-redis-stock")).to_have_text("0")
    expect(admin.get_by_test_id("fig-drift")).to_have_text("0")
    figures = sale_figures(sale=FlashSale.objects.get(pk=sale.pk))
    assert (figures.sold, figures.redis_stock, figures.waiting, figures.drift) == (1, 0, 0, 0)
    assert_clean(admin)


def test_without_javascript_the_buy_form_and_status_page_lead_to_payment(browser, live_server, login_as):
    sale = live_sale(quota=1, sku=product_with_photo())
    user, *_ = buyer()
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        login_as(page, user)
        page.goto(f"{page.base_url}/flash/sales/{sale.pk}/")
        expect(page.get_by_test_id("flash-countdown")).to_be_visible()
        page.get_by_test_id("flash-buy").click()
        expect(page.get_by_test_id("flash-buy-status")).to_contain_text("You're in! Creating your order")
        materialize.sale_drain(sale_id=sale.pk)
        # The status page refreshes itself (meta refresh) and lands on the payment page.
        page.wait_for_url(re.compile(r"/pay/order/HS\w+/$"), timeout=10_000)
        expect(page.get_by_test_id("pay-now")).to_be_visible()
    finally:
        context.close()


def test_the_sale_page_and_strip_fit_a_phone(phone_page, login_as):
    sale = live_sale(quota=3, sku=product_with_photo())
    login_as(phone_page, buyer()[0])
    phone_page.goto(f"{phone_page.base_url}/flash/sales/{sale.pk}/")
    buy_button = phone_page.get_by_test_id("flash-buy")
    expect(buy_button).to_be_enabled()
    expect(buy_button).to_be_in_viewport()  # sticky above the tab bar
    assert scroll_width(phone_page) <= 390
    phone_page.goto(f"{phone_page.base_url}/mall/")
    expect(phone_page.get_by_test_id("flash-strip")).to_be_visible()
    assert scroll_width(phone_page) <= 390
    assert_clean(phone_page)


def test_a_shopper_without_identity_is_told_in_words_with_a_link_to_fix_it(page, login_as):
    sale = live_sale(quota=3, sku=product_with_photo(), is_cross_border=True)
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    login_as(page, user)
    page.goto(f"{page.base_url}/flash/sales/{sale.pk}/")
    page.get_by_test_id("flash-buy").click()
    status = page.get_by_test_id("flash-status")
    expect(status).to_contain_text("Cross-border sales need a verified customs identity")
    status.get_by_role("link", name="Add your identity").click()
    expect(page).to_have_url(f"{page.base_url}/accounts/identities/new/")
    assert not Order.objects.filter(user=user).exists()
    assert_clean(page)


def test_an_admission_redis_lost_is_said_at_once_and_buy_again_works(page, login_as):
    from flashsale import keys
    from flashsale.services.redis import client

    sale = live_sale(quota=3, sku=product_with_photo())
    shopper, *_ = buyer()
    login_as(page, shopper)
    page.goto(f"{page.base_url}/flash/sales/{sale.pk}/")
    page.get_by_test_id("flash-buy").click()
    status = page.get_by_test_id("flash-status")
    expect(status).to_contain_text("You're in")  # admitted; no materialiser runs yet

    # Redis crashes and comes back without the script's last effects (the AOF trailed its reply).
    redis = client()
    request_id, stream_id = None, None
    for entry_id, fields in redis.xrange(keys.stream(sale.pk)):
        if fields.get("uid") == str(shopper.pk):
            request_id, stream_id = fields["rid"], entry_id
    assert request_id is not None
    redis.xdel(keys.stream(sale.pk), stream_id)
    redis.hdel(keys.requests(sale.pk), request_id)
    redis.delete(keys.users(sale.pk))  # the only buyer's units (counted per identity in a cross-border sale)
    redis.incrby(keys.stock(sale.pk), 1)

    # The page's poll hears "unknown": it says so at once instead of waiting a minute.
    expect(status).to_contain_text("lost that request", timeout=5_000)
    button = page.get_by_test_id("flash-buy")
    expect(button).to_be_enabled()
    assert not Order.objects.filter(user=shopper).exists()

    # Buy again: the same request id goes out as a retry, is admitted, and becomes the order to pay.
    button.click()
    materialise_until(page, sale, re.compile(r"/pay/"))
    order = Order.objects.get(user=shopper)
    assert order.idempotency_key == request_id
    assert_clean(page)
