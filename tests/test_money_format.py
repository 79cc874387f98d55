"""Money and dates read one way on every page: money always as ¥5,000.00 (the mall's ``yuan`` filter, in
both languages), dates in the reader's language and never as a bare 2026-12-07 on a shopper's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from community.tests.support.links import tagged_note
from community.tests.support.stats import order as stats_order
from community.tests.support.stats import ref, views
from mall.errors import QuotaExceeded
from mall.models import Order
from mall.services.pricing import order_limit_check
from mall.templatetags.mall import yuan, yuan_digits
from mall.tests.factories import buyer, cart_with, shop_product
from tests.support.orders import place_order

LANGS = ("en", "zh-hans")
# The one format: ¥, digits grouped by three with commas, two decimals; a minus sign goes before the ¥.
MONEY = re.compile(r"-?¥\d{1,3}(?:,\d{3})*\.\d{2}")
# Anything that looks like money: a ¥ with a figure after it.
YUAN_SIGN = re.compile(r"¥\s*-?[\d,.]+")
BARE_AMOUNT = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?![\d])")  # 5000.00: a figure without its separators
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


# --- the filter ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "¥0.00"),
        (Decimal("0.00"), "¥0.00"),
        (5000, "¥5,000.00"),
        (Decimal("1234567.5"), "¥1,234,567.50"),
        (Decimal("-120.5"), "-¥120.50"),  # a refund shown as money going back
        (Decimal("-0.004"), "¥0.00"),  # rounds to nothing: no "-¥0.00"
        ("88", "¥88.00"),
        (None, ""),
        ("", ""),
        ("NaN", ""),
    ],
)
def test_yuan_is_the_same_in_both_languages(lang, value, shown):
    with translation.override(lang):
        rendered = Template("{% load mall %}{{ value|yuan }}").render(Context({"value": value}))
    assert rendered == shown
    if shown:
        assert MONEY.fullmatch(shown)


def test_yuan_digits_is_the_figure_of_yuan_for_sentences_that_carry_the_sign():
    assert yuan_digits(Decimal("26000")) == "26,000.00"
    assert yuan_digits("1234567.5") == "1,234,567.50"
    assert yuan_digits("x") == ""
    assert yuan(Decimal("26000")) == "¥" + yuan_digits(Decimal("26000"))


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_order_states_its_amounts_in_the_one_format(lang):
    with translation.override(lang), pytest.raises(QuotaExceeded) as refused:
        order_limit_check(order_total=Decimal("6546.00"))
    text = str(refused.value.message)
    assert "¥5,000.00" in text and "¥6,546.00" in text


# --- pages --------------------------------------------------------------------------------------------------


class _Visible(HTMLParser):
    SKIP = {"script", "style", "template", "svg", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def problems(html: str) -> list[str]:
    """Money not in the one format, figures without separators, ISO dates: what a reader would trip on."""
    text = visible_text(html)
    found = [m.group(0) for m in YUAN_SIGN.finditer(text) if not MONEY.match(m.group(0).replace(" ", ""))]
    found += [f"bare {m.group(0)}" for m in BARE_AMOUNT.finditer(text)]
    found += [f"date {m.group(0)}" for m in ISO_DATE.finditer(text)]
    return found


@pytest.fixture
def shop():
    """A shopper with a cart, a placed order, a note tagging a big-ticket product, a writer's revenue."""
    product, (sku,) = shop_product(
        name="Gold serum", slug="gold-serum", prices=("1288.00",), is_cross_border=True
    )
    shopper = buyer()
    user = shopper[0]
    order = place_order(shopper=shopper, sku=sku, quantity=2)
    cart_with(user=user, sku=sku, quantity=1)
    note = tagged_note(products=[product])
    views(note, timezone.localdate(), 12)
    stats_order(user, paid_at=timezone.now() - dt.timedelta(hours=1), lines=[(ref(note), "12345.50")])
    return {"user": user, "order": order, "note": note, "product": product}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_shopper_pages_show_money_in_one_format_and_no_iso_dates(client, shop, lang):
    user, order, note = shop["user"], shop["order"], shop["note"]
    client.force_login(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    pages = {
        "mall": "/mall/",
        "product": "/mall/products/gold-serum/",
        "cart": "/mall/cart/",
        "orders": "/mall/orders/",
        "order": f"/mall/orders/{order.number}/",
        "pay": f"/pay/order/{order.number}/",
        "note": f"/notes/{note.pk}/",
    }
    seen = {}
    for name, url in pages.items():
        response = client.get(url, **headers)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert problems(html) == [], name
        seen[name] = visible_text(html)
    assert "¥1,288.00" in seen["product"] and "¥1,288.00" in seen["note"]
    assert yuan(order.total) in seen["order"] and yuan(order.total) in seen["pay"]
    assert order.total >= 1000  # the separator had something to separate

    response = client.get("/mall/checkout/", **headers)
    assert response.status_code == 200
    assert problems(response.content.decode()) == []
    assert "¥1,288.00" in visible_text(response.content.decode())

    # the order's date in the reader's language
    local = timezone.localtime(order.created_at)
    if lang == "zh-hans":
        assert f"{local.year}年{local.month}月{local.day}日" in seen["order"]
    else:
        assert f"{local.day}, {local.year}" in seen["order"]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_the_writer_statistics_show_revenue_in_the_one_format(client, shop, lang):
    client.force_login(shop["note"].author)
    response = client.get("/me/stats/?days=7", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert problems(html) == []
    assert "¥12,345.50" in visible_text(html)


@pytest.mark.django_db
def test_checkout_reserves_then_the_sandbox_page_asks_for_the_amount_in_the_one_format(client, shop):
    """The gateway's own page too: its big figure and its Pay button."""
    order: Order = shop["order"]
    client.force_login(shop["user"])
    response = client.post(f"/pay/order/{order.number}/")
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert problems(page.content.decode()) == []
    assert f"Pay {yuan(order.total)}" in text
