"""Polish in real Chromium: the brand reads as the site's name in both languages; a phone's product page
has one bottom bar that covers nothing; money and dates in the reader's language on the shopper's pages;
the creator statistics and the flash-sale console fit their boxes; a note's product card with several
variants asks which in a bottom sheet on a phone (a panel on a desktop) and goes to checkout with it."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from community.tests.support.links import product, tagged_note
from flashsale.tests.helpers import live_sale
from mall.models import CartLine
from mall.tests.factories import BrandFactory, SkuFactory, buyer, shop_product
from tests.browser.helpers import assert_clean, low_contrast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_W, PHONE_H = 390, 844


def speak(page, lang: str) -> None:
    """Read the site in ``lang`` (en or zh-hans), as the language switch leaves it."""
    from django.conf import settings

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": page.base_url}])


def page_overflows(page) -> bool:
    return page.evaluate(
        "() => { const s = document.scrollingElement; return s.scrollWidth > s.clientWidth; }"
    )


# Visible boxes fixed to the bottom edge of the viewport: what a thumb sees as "bottom bars".
_BOTTOM_BARS_JS = """
() => [...document.querySelectorAll('body *')].filter(el => {
  const style = getComputedStyle(el);
  if (style.position !== 'fixed' || style.display === 'none' || style.visibility === 'hidden') return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom >= window.innerHeight - 1 && r.top < window.innerHeight;
}).map(el => el.dataset.testid || el.className)
"""

# Boxes whose content is wider than the box (text spilling out): [what, scrollWidth, clientWidth].
_SPILLS_JS = """
sel => [...document.querySelectorAll(sel)].filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => [el.dataset.testid || el.className || el.tagName, el.scrollWidth, el.clientWidth])
"""


# --- 1. the brand -------------------------------------------------------------------------------------------


def test_the_brand_reads_as_the_site_name_in_english_and_in_chinese(page, phone_page):
    page.goto(page.base_url + "/")
    brand = page.get_by_test_id("brand")
    expect(brand).to_have_text("Hongshu")
    expect(brand).to_be_visible()
    assert brand.locator("img").count() == 0  # a wordmark, not a picture of letters
    assert low_contrast(page, ".brand-mark") == []
    assert_clean(page)

    phone_page.goto(phone_page.base_url + "/")  # zh-CN: the site speaks Chinese
    brand = phone_page.get_by_test_id("brand")
    expect(brand).to_have_text("红薯")
    expect(brand).to_be_visible()
    box, search = brand.bounding_box(), phone_page.locator("header .search").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= search["x"], "the brand runs into the search box"
    assert search["width"] >= 180
    assert not page_overflows(phone_page)

    # the login page shows the same wordmark, large
    phone_page.goto(phone_page.base_url + "/accounts/login/")
    expect(phone_page.locator(".auth-head .brand-mark")).to_have_text("红薯")
    assert_clean(phone_page)


# --- 2. money and dates as the reader reads them ------------------------------------------------------------


def test_big_prices_and_order_dates_read_one_way_in_each_language(page, phone_page, login_as):
    _product, (sku,) = shop_product(name="Gold serum", slug="gold-serum", prices=("1288.00",))
    SkuFactory(product=_product, price=Decimal("2350.50"), name="Gold serum set")
    from tests.support.orders import place_order

    shopper = buyer()
    order = place_order(shopper=shopper, sku=sku, quantity=2)
    login_as(page, shopper[0])
    login_as(phone_page, shopper[0])

    page.goto(f"{page.base_url}/mall/products/gold-serum/")
    expect(page.get_by_test_id("price")).to_have_text("¥1,288.00")
    page.goto(f"{page.base_url}/mall/orders/{order.number}/")
    meta = page.locator(".order-meta").inner_text()
    assert re.search(r"[A-Z][a-z]{2}\.? \d{1,2}, \d{4}", meta), meta  # Dec. 7, 2026
    assert not re.search(r"\d{4}-\d\d-\d\d", page.locator("main").inner_text())

    phone_page.goto(f"{phone_page.base_url}/mall/orders/{order.number}/")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", phone_page.locator(".order-meta").inner_text())
    assert not re.search(r"\d{4}-\d\d-\d\d", phone_page.locator("main").inner_text())
    phone_page.goto(f"{phone_page.base_url}/pay/order/{order.number}/")
    amount = phone_page.get_by_test_id("pay-amount").inner_text()
    assert re.fullmatch(r"¥\d{1,3}(,\d{3})+\.\d\d", amount), amount
    assert_clean(page)
    assert_clean(phone_page)


# --- 3. one bottom bar on a phone's product page ------------------------------------------------------------


def test_a_phone_product_page_has_one_bottom_bar_that_covers_nothing(phone_page):
    page = phone_page
    cream, _skus = shop_product(name="Sakura Night Cream", slug="night-cream", prices=("120.00", "200.00"))
    page.goto(f"{page.base_url}/mall/products/{cream.slug}/")

    bar = page.get_by_test_id("buybar")
    expect(bar).to_be_visible()
    assert page.evaluate(_BOTTOM_BARS_JS) == ["buybar"]
    expect(page.locator("nav.tabbar")).to_be_hidden()
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - PHONE_H) <= 1 and box["x"] == 0 and round(box["width"]) == PHONE_W

    # scrolled to the very end, the page's last content stays above the bar
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.wait_for_function(
        "() => window.scrollY + window.innerHeight >= document.scrollingElement.scrollHeight - 1"
    )
    last = page.evaluate(
        "() => { const kids = [...document.querySelectorAll('.pdp-info > *, .pdp > *')]"
        ".filter(el => el.offsetParent !== null && el.getBoundingClientRect().height > 0);"
        " return Math.max(...kids.map(el => el.getBoundingClientRect().bottom)); }"
    )
    assert last <= bar.bounding_box()["y"] + 0.5, (last, bar.bounding_box())
    assert not page_overflows(page)

    # other pages keep the tab bar
    page.goto(f"{page.base_url}/mall/")
    expect(page.locator("nav.tabbar")).to_be_visible()
    assert_clean(page)


# --- 4. creator statistics on a phone -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_creator_statistics_table_fits_a_phone(phone_page, login_as, lang):
    from django.utils import timezone

    from community.tests.factories import NoteFactory
    from community.tests.support.stats import local_day, ref, views
    from community.tests.support.stats import order as stats_order

    page = phone_page
    writer = UserFactory(nickname="Writer Wen")
    reader = UserFactory()
    # the longest titles a note may have: Chinese, or one unbroken word
    title = "洗面奶和爽肤水一个月真实测评对比" if lang == "zh-hans" else "Supercalifragilistic"
    note = NoteFactory(author=writer, title=title)
    views(note, local_day(timezone.now()), 123456)
    stats_order(reader, paid_at=timezone.now(), lines=[(ref(note), "12345.50")])
    login_as(page, writer)
    speak(page, lang)
    page.goto(page.base_url + "/me/stats/?days=30")

    expect(page.get_by_test_id("stats-note")).to_have_count(1)
    expect(page.locator("td[data-metric=revenue]")).to_have_text("¥12,345.50")
    assert not page_overflows(page)
    wrap = page.locator(".stats-table-wrap").bounding_box()
    assert wrap["x"] >= 0 and wrap["x"] + wrap["width"] <= PHONE_W
    # the table scrolls inside its own box, and its revenue column can be scrolled into view
    page.locator("td[data-metric=revenue]").scroll_into_view_if_needed()
    revenue = page.locator("td[data-metric=revenue]").bounding_box()
    assert revenue["x"] >= 0 and revenue["x"] + revenue["width"] <= PHONE_W
    assert not page_overflows(page)
    if os.environ.get("HONGSHU_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['HONGSHU_SCREENSHOTS']}/stats-{lang}.png", full_page=True)
    assert_clean(page)


# --- 5. the flash-sale console -------------------------------------------------------------------------------


CONSOLE_BOXES = (
    ".fs-console .module, .fs-terms dd, .fs-terms dt, .fs-figure-grid > div, .fs-figure-grid dd, .fs-buttons"
)


@pytest.mark.parametrize(
    ("size", "lang"), [("desktop", "en"), ("desktop", "zh-hans"), ("phone", "en"), ("phone", "zh-hans")]
)
def test_the_flash_sale_console_fits_its_boxes(page, login_as, size, lang):
    if size == "phone":
        page.set_viewport_size({"width": PHONE_W, "height": PHONE_H})
    speak(page, lang)
    sku = SkuFactory(
        code="SAKURASERUMGIFTBOX3X50MLLIMITEDED2026",  # one long word: it must wrap, not spill
        price=Decimal("12880.00"),
        product__name="Limited edition sakura serum with a really rather long name, gift boxed",
        name="Gift box of three bottles, 50 ml each",
    )
    sale = live_sale(quota=1200, sku=sku, price=Decimal("9999.00"), title="Midnight sakura welfare club")
    login_as(page, UserFactory(is_staff=True, is_superuser=True))
    page.goto(f"{page.base_url}/admin/flashsale/flashsale/{sale.pk}/console/")

    expect(page.get_by_test_id("sale-console")).to_be_visible()
    expect(page.locator(".fs-terms")).to_contain_text("¥9,999.00")
    expect(page.locator(".fs-terms")).to_contain_text("¥12,880.00")
    if os.environ.get("HONGSHU_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['HONGSHU_SCREENSHOTS']}/console-{size}-{lang}.png", full_page=True)
    assert page.evaluate(_SPILLS_JS, CONSOLE_BOXES) == []
    assert not page_overflows(page)
    assert_clean(page)


# --- 6. the variant chooser ---------------------------------------------------------------------------------


def _note_with_two_sizes():
    brand = BrandFactory(name="Sakura Lab", slug="sakura-lab")
    serum, skus = product("Sakura Night Serum", slug="night-serum", brand=brand, prices=("120.00", "200.00"))
    return tagged_note(products=[serum]), skus


def test_on_a_phone_buy_opens_a_bottom_sheet_and_the_chosen_variant_goes_to_checkout(phone_page, login_as):
    page = phone_page
    note, (small, large) = _note_with_two_sizes()
    reader, _address, _identity = buyer()
    login_as(page, reader)
    page.goto(f"{page.base_url}/notes/{note.pk}/")

    card = page.get_by_test_id("product-card")
    card.get_by_test_id("card-buy").click()
    sheet = page.get_by_test_id("variant-chooser")
    expect(sheet).to_be_visible()
    choices = sheet.get_by_test_id("variant-choice")
    expect(choices).to_have_count(2)
    expect(choices.nth(0)).to_contain_text("¥120.00")
    expect(choices.nth(1)).to_contain_text("¥200.00")
    # a sheet along the bottom edge, the full width of the screen, on top of the tab bar
    box = sheet.bounding_box()
    assert box["x"] == 0 and round(box["width"]) == PHONE_W
    assert abs(box["y"] + box["height"] - PHONE_H) <= 1
    on_top = "() => document.elementFromPoint(innerWidth / 2, innerHeight - 30).closest('[data-testid=variant-chooser]') !== null"
    assert page.evaluate(on_top), "the note's own bar lies over the sheet"
    assert not page_overflows(page)
    for i in range(2):
        assert choices.nth(i).get_by_test_id("variant-buy").bounding_box()["height"] >= 40

    choices.filter(has_text=large.name).get_by_test_id("variant-buy").click()
    expect(page).to_have_url(re.compile(r"/mall/checkout/$"))
    expect(page.get_by_test_id("checkout-line")).to_have_count(1)
    expect(page.get_by_test_id("checkout-line")).to_contain_text(large.name)
    line = CartLine.objects.get(cart__user=reader)
    assert (line.sku_id, line.referral) == (large.pk, f"note:{note.pk}")
    assert_clean(page)


def test_on_a_desktop_the_chooser_opens_under_the_card_and_cancel_closes_it(page, login_as):
    note, (small, large) = _note_with_two_sizes()
    reader, _address, _identity = buyer()
    login_as(page, reader)
    page.goto(f"{page.base_url}/notes/{note.pk}/")

    card = page.get_by_test_id("product-card")
    card.get_by_test_id("card-buy").click()
    sheet = card.get_by_test_id("variant-chooser")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_test_id("variant-choice")).to_have_count(2)
    sheet_box, card_box = sheet.bounding_box(), card.bounding_box()
    assert sheet_box["x"] >= card_box["x"] - 1
    assert sheet_box["x"] + sheet_box["width"] <= card_box["x"] + card_box["width"] + 1
    assert sheet_box["y"] + sheet_box["height"] < 860  # in the page's flow, not pinned to the bottom edge

    sheet.get_by_test_id("variant-cancel").click()
    expect(sheet).to_be_hidden()
    card.get_by_test_id("card-buy").click()
    expect(card.get_by_test_id("variant-chooser")).to_be_visible()
    card.get_by_test_id("variant-choice").filter(has_text=small.name).get_by_test_id("variant-buy").click()
    expect(page).to_have_url(re.compile(r"/mall/checkout/$"))
    expect(page.get_by_test_id("checkout-line")).to_contain_text(small.name)
    assert CartLine.objects.get(cart__user=reader).sku_id == small.pk
    assert_clean(page)
