"""The strip on the mall's first screen: what it shows, from where (Redis for units left), and a fixed
number of queries whatever the number of sales."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string, select_template
from django.test import RequestFactory
from django.utils import timezone

from flashsale.models import Reminder
from flashsale.services import materialize
from flashsale.services import sales as sale_services
from flashsale.tests.factories import FlashSaleFactory
from flashsale.tests.helpers import buy, live_sale, render_strip, upcoming_sale
from mall.models import ProductImage
from mall.tests.factories import SkuFactory, buyer

pytestmark = pytest.mark.django_db


def with_photo(sale):
    ProductImage.objects.create(
        product=sale.sku.product, image="products/2026/01/cream.jpg", width=800, height=600
    )
    return sale


def card_html(html: str, sale) -> str:
    match = re.search(rf'<article[^>]*data-flash-sale="{sale.pk}".*?</article>', html, re.S)
    assert match, f"no card for sale {sale.pk}"
    return match.group(0)


def test_live_sale_card_shows_prices_progress_units_left_from_redis_and_a_buy_button():
    sale = with_photo(
        live_sale(quota=10, sku=SkuFactory(price=Decimal("129.00"), product__name="Rose cream"))
    )
    buy(sale, buyer()[0])
    buy(sale, buyer()[0])
    materialize.sale_drain(sale_id=sale.pk)
    buy(sale, buyer()[0])  # admitted, not yet an order: Redis already counts it

    user = buyer()[0]
    card = card_html(render_strip(user), sale)
    assert "Rose cream" in card
    assert re.search(r'class="fs-price"[^>]*>¥59.00<', card)
    assert re.search(r"<s class=\"fs-regular\".*?¥129.00</s>", card, re.S)
    assert "7 left" in card and "30% sold" in card
    assert 'aria-valuenow="3"' in card and 'aria-valuemax="10"' in card and "width: 30%" in card
    assert "is-live" in card and "Ends in" in card
    assert 'src="/media/products/2026/01/cream.jpg"' in card and 'alt="Rose cream"' in card
    assert (
        'data-testid="flash-buy"' in card and "disabled" not in card.split('data-testid="flash-buy"')[1][:5]
    )
    assert f'data-api="/api/flash/sales/{sale.pk}/buy/"' in card
    assert 'name="request_id"' in card and "csrfmiddlewaretoken" in card


def test_upcoming_sale_counts_down_to_its_start_with_a_disabled_button_and_remind_me():
    sale = upcoming_sale(in_minutes=90)
    html = render_strip(buyer()[0])
    card = card_html(html, sale)
    assert "is-upcoming" in card and "Starts in" in card
    assert re.search(r'data-testid="flash-countdown">1:(29|30):\d\d<', card)
    assert re.search(r'data-testid="flash-buy" disabled>', card)
    assert 'data-testid="remind-me"' in card
    assert f'data-starts="{int(sale.starts_at.timestamp() * 1000)}"' in card
    # The server's clock goes with the page, so the countdown does not trust the phone's.
    server_now = int(re.search(r'data-server-now="(\d+)"', html).group(1))
    assert abs(server_now - timezone.now().timestamp() * 1000) < 5000


def test_sold_out_sale_says_so():
    sale = live_sale(quota=1)
    buy(sale, buyer()[0])
    card = card_html(render_strip(buyer()[0]), sale)
    assert "0 left" in card and 'data-testid="flash-sold-out"' in card and "is-sold-out" in card


def test_anonymous_visitors_are_asked_to_log_in():
    sale = live_sale()
    card = card_html(render_strip(), sale)
    assert 'data-testid="flash-login"' in card and "/accounts/login/?next=" in card
    assert "data-flash-buy" not in card


def test_drafts_ended_and_far_away_sales_are_not_shown():
    FlashSaleFactory()  # draft
    ended = live_sale()
    sale_services.sale_end(sale=ended)
    upcoming_sale(in_minutes=60 * 48)
    assert render_strip().strip() == ""


@pytest.mark.parametrize("count", [1, 5])
def test_strip_query_count_is_fixed(django_assert_num_queries, count):
    sales = [with_photo(live_sale(quota=3)) for _ in range(count)]
    user = buyer()[0]
    Reminder.objects.create(sale=sales[0], user=user)
    with django_assert_num_queries(2):  # sales with their SKU, product, brand; their photos
        html = render_strip()
    assert html.count('data-testid="flash-card"') == count
    with django_assert_num_queries(3):  # + the viewer's reminders
        html = render_strip(user)
    assert html.count('data-testid="flash-card"') == count


def test_the_reminded_sale_being_open_shows_a_notice_to_that_buyer_only():
    sale = live_sale()
    user, other = buyer()[0], buyer()[0]
    Reminder.objects.create(sale=sale, user=user, notified_at=timezone.now())
    Reminder.objects.create(sale=sale, user=other)  # not notified yet
    html = render_strip(user)
    assert 'data-testid="reminder-open"' in html and f"/flash/sales/{sale.pk}/" in html
    assert 'data-testid="reminder-open"' not in render_strip(other)
    assert 'data-testid="reminder-open"' not in render_strip()


def test_strip_template_is_found_by_name_and_renders_the_tag():
    # The mall's home looks the template up by this name and includes it: no import of this app.
    assert select_template(["flashsale/slots/strip.html"])
    sale = live_sale()
    request = RequestFactory().get("/mall/")
    request.user = AnonymousUser()
    html = render_to_string("flashsale/slots/strip.html", request=request)
    assert (
        f'data-flash-sale="{sale.pk}"' in html and "css/flashsale.css" in html and "js/flashsale.js" in html
    )
