"""Buyer pages: the sale page, "Remind me", and buying without JavaScript (form post, then a status page
that refreshes itself until the order exists), with every refusal in plain words."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import AddressFactory, UserFactory
from flashsale import keys
from flashsale.models import Reminder
from flashsale.services import materialize
from flashsale.services import sales as sale_services
from flashsale.services.redis import reset
from flashsale.tests.factories import FlashSaleFactory
from flashsale.tests.helpers import buy, live_sale, upcoming_sale
from mall.models import Order
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user = buyer()[0]
    client.force_login(user)
    client.user = user
    return client


def buy_url(sale):
    return reverse("flash:buy", args=[sale.pk])


# --- the sale page -------------------------------------------------------------------------------------------


def test_sale_page_shows_the_sale_and_a_buy_form_that_works_without_script(shopper):
    sale = live_sale(quota=5)
    response = shopper.get(reverse("flash:sale", args=[sale.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert sale.sku.product.name in html and "¥59.00" in html and "5 left" in html and "Ends in" in html
    assert f'action="{buy_url(sale)}"' in html and re.search(r'name="request_id" value="[0-9a-f]{32}"', html)
    assert 'data-testid="flash-buy">Buy now<' in html
    assert "js/flashsale.js" in html


@pytest.mark.clocks
def test_sale_page_of_an_upcoming_sale_counts_down_and_offers_a_reminder(shopper):
    sale = upcoming_sale(in_minutes=20)
    html = shopper.get(reverse("flash:sale", args=[sale.pk])).content.decode()
    assert "Starts in" in html and re.search(r'data-testid="flash-countdown">(19|20):\d\d<', html)
    assert 'data-testid="flash-buy" disabled>' in html and 'data-testid="remind-me"' in html


def test_draft_sales_have_no_page(client):
    sale = FlashSaleFactory()
    assert client.get(reverse("flash:sale", args=[sale.pk])).status_code == 404


@pytest.mark.clocks
def test_ended_sale_page_says_it_ended(client):
    sale = live_sale(quota=2)
    sale_services.sale_end(sale=sale)
    html = client.get(reverse("flash:sale", args=[sale.pk])).content.decode()
    assert 'data-testid="flash-ended"' in html and "data-flash-buy" not in html


def test_sale_page_query_count(client, shopper, django_assert_max_num_queries):
    sale = live_sale(quota=5)
    Reminder.objects.create(sale=sale, user=shopper.user)
    # session, user, site context (unread count), sale, photos, the viewer's reminder
    with django_assert_max_num_queries(6):
        assert shopper.get(reverse("flash:sale", args=[sale.pk])).status_code == 200


# --- remind me -----------------------------------------------------------------------------------------------


def test_remind_me_creates_one_reminder_however_often_it_is_pressed(shopper):
    sale = upcoming_sale()
    url = reverse("flash:remind", args=[sale.pk])
    response = shopper.post(url, {"next": "/mall/"})
    assert response.status_code == 302 and response.url == "/mall/"
    assert any("We'll tell you here" in str(m) for m in get_messages(response.wsgi_request))
    shopper.post(url)
    assert Reminder.objects.filter(sale=sale, user=shopper.user, notified_at=None).count() == 1
    html = shopper.get(reverse("flash:sale", args=[sale.pk])).content.decode()
    assert 'data-testid="reminder-set"' in html and 'data-testid="remind-me"' not in html


def test_remind_me_on_an_open_sale_is_refused(shopper):
    sale = live_sale()
    response = shopper.post(reverse("flash:remind", args=[sale.pk]), follow=True)
    assert any("already open" in str(m) for m in response.context["messages"])
    assert not Reminder.objects.exists()


def test_remind_me_goes_nowhere_else(shopper):
    sale = upcoming_sale()
    response = shopper.post(reverse("flash:remind", args=[sale.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("flash:sale", args=[sale.pk])


def test_signed_out_visitors_log_in_and_come_back_to_the_sale(client):
    sale = upcoming_sale()
    for url in (reverse("flash:remind", args=[sale.pk]), buy_url(sale)):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next=/flash/sales/{sale.pk}/"
    assert not Reminder.objects.exists()


# --- buying without JavaScript -----------------------------------------------------------------------------


def test_buy_form_then_status_page_refreshes_until_the_order_exists_then_payment(shopper, redis_conn):
    sale = live_sale(quota=3)
    rid = "a" * 32
    response = shopper.post(buy_url(sale), {"request_id": rid})
    status_url = reverse("flash:buy_status", args=[sale.pk, rid])
    assert response.status_code == 302 and response.url == status_url

    page = shopper.get(status_url)
    html = unescape(page.content.decode())
    assert '<meta http-equiv="refresh" content="1">' in html and "You're in! Creating your order" in html

    # The same page submitted again (double click, back button) is the same request: one unit taken.
    assert shopper.post(buy_url(sale), {"request_id": rid}).url == status_url
    assert redis_conn.get(keys.stock(sale.pk)) == "2"

    materialize.sale_drain(sale_id=sale.pk)
    order = Order.objects.get(user=shopper.user)
    response = shopper.get(status_url)
    assert response.status_code == 302 and response.url == reverse("payments:order_pay", args=[order.number])


def test_status_of_a_request_that_lost_the_race_says_sold_out(shopper, redis_conn):
    sale = live_sale(quota=1)
    rid = "b" * 32
    shopper.post(buy_url(sale), {"request_id": rid})
    redis_conn.hset(keys.outcomes(sale.pk), rid, "sold_out")  # what the materialiser answers an excess
    redis_conn.delete(keys.stream(sale.pk))
    html = shopper.get(reverse("flash:buy_status", args=[sale.pk, rid])).content.decode()
    assert "Sold out." in html and "http-equiv" not in html


def test_status_of_an_unknown_request(shopper):
    sale = live_sale()
    html = shopper.get(reverse("flash:buy_status", args=[sale.pk, "c" * 32])).content.decode()
    assert "no record of this request" in html


def test_sold_out_is_said_plainly(shopper):
    sale = live_sale(quota=1)
    buy(sale, buyer()[0])
    response = shopper.post(buy_url(sale), {"request_id": "d" * 32})
    assert response.status_code == 409 and "Sold out." in response.content.decode()
    assert not Order.objects.filter(user=shopper.user).exists()


def test_over_the_limit_is_said_plainly(shopper):
    sale = live_sale(quota=5)
    shopper.post(buy_url(sale), {"request_id": "e" * 32})
    response = shopper.post(buy_url(sale), {"request_id": "f" * 32})
    assert response.status_code == 409 and "reached the limit" in response.content.decode()


def test_not_started_is_said_plainly(shopper):
    sale = upcoming_sale()
    response = shopper.post(buy_url(sale), {"request_id": "g" * 32})
    assert response.status_code == 409 and "has not started yet" in response.content.decode()


def test_a_buyer_without_identity_is_told_to_add_one_with_a_link(client):
    sale = live_sale(is_cross_border=True)
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    client.force_login(user)
    response = client.post(buy_url(sale), {"request_id": "h" * 32})
    html = response.content.decode()
    assert response.status_code == 400 and "verified customs identity" in html
    assert re.search(r'href="/accounts/identities/new/"[^>]*data-testid="fix-link"', html)


def test_a_buyer_without_address_is_told_to_add_one_with_a_link(client):
    sale = live_sale(is_cross_border=False)
    client.force_login(UserFactory())
    response = client.post(buy_url(sale), {"request_id": "i" * 32})
    html = response.content.decode()
    assert response.status_code == 400 and "Add a shipping address" in html
    assert 'href="/accounts/addresses/new/"' in html


def test_rate_limited_buyers_are_asked_to_wait(shopper, settings):
    sale = live_sale()
    settings.FLASHSALE_RATE_PER_USER = 0
    response = shopper.post(buy_url(sale), {"request_id": "j" * 32})
    assert response.status_code == 429 and "wait a second" in response.content.decode()


def test_redis_down_is_a_503_try_again_and_nothing_is_sold(shopper, settings):
    sale = live_sale()
    settings.FLASHSALE_REDIS_URL = "redis://127.0.0.1:1/0"
    reset()
    try:
        response = shopper.post(buy_url(sale), {"request_id": "k" * 32})
    finally:
        reset()
    assert response.status_code == 503 and "please try again" in response.content.decode()
    assert not Order.objects.exists()


def test_a_forged_request_id_is_refused(shopper):
    sale = live_sale()
    response = shopper.post(buy_url(sale), {"request_id": "<script>"})
    assert response.status_code == 400 and "out of date" in response.content.decode()


def test_buy_needs_a_post(shopper):
    sale = live_sale()
    assert shopper.get(buy_url(sale)).status_code == 405


# --- the mall's first screen ------------------------------------------------------------------------------


@pytest.mark.clocks
def test_the_mall_home_shows_the_strip(client):
    sale = live_sale(quota=4)
    later = upcoming_sale(in_minutes=45)
    html = client.get("/mall/").content.decode()
    assert 'data-testid="flash-strip"' in html
    assert f'data-flash-sale="{sale.pk}"' in html and f'data-flash-sale="{later.pk}"' in html


@pytest.mark.clocks
def test_the_mall_home_without_sales_has_no_strip(client):
    FlashSaleFactory(starts_at=timezone.now() + timedelta(days=5), ends_at=timezone.now() + timedelta(days=6))
    html = client.get("/mall/").content.decode()
    assert 'data-testid="flash-strip"' not in html


def test_refusals_are_in_the_buyers_language(shopper):
    # Regression: the answers' words were translated once at import (in English), not per request.
    sale = live_sale(quota=1)
    buy(sale, buyer()[0])
    response = shopper.post(buy_url(sale), {"request_id": "l" * 32}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409 and "已抢光。" in response.content.decode()
    api = shopper.post(
        f"/api/flash/sales/{sale.pk}/buy/",
        {"request_id": "m" * 32},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert api.status_code == 409 and api.json()["message"] == "已抢光。"
    translation.activate(settings.LANGUAGE_CODE)  # the requests left Chinese active in this thread
