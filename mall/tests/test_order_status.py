"""After paying, the order page shows the paid state as soon as the webhook has landed: the page polls a
small status endpoint every second while unpaid and draws itself again only when the state moved on.
Written as the buyer's open page (its poll) and as someone else's page asking about the order."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from mall.models import Order
from tests.support.orders import payment_for, placed_order
from tests.support.webhooks import event_for, post_webhook, signed

pytestmark = pytest.mark.django_db
S = Order.State


def poll_of(html: str) -> str:
    """The address the page's status poll asks (the state it shows is in it)."""
    marker = 'data-testid="order-status-poll"'
    assert marker in html
    tag = html[html.rfind("<span", 0, html.index(marker)) : html.index(marker)]
    return tag.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_the_status_endpoint_says_paid_the_moment_the_webhook_is_processed(client, published):
    order, _record = placed_order()
    client.force_login(order.user)
    page = client.get(reverse("mall:order", args=[order.number])).content.decode()
    poll = poll_of(page)
    assert 'hx-trigger="every 1s"' in page and f"state={S.PENDING_PAYMENT}" in poll

    before = client.get(poll)
    assert before.json() == {"state": S.PENDING_PAYMENT, "changed": False}
    assert "HX-Trigger" not in before.headers and "no-cache" in before.headers["Cache-Control"]

    gateway = Client()
    assert post_webhook(gateway, *signed(event_for(payment_for(order)))).status_code == 200

    after = client.get(poll)  # the page's very next poll, no waiting
    assert after.json() == {"state": S.PAID, "changed": True}
    assert after.headers["HX-Trigger"] == "order-changed"  # the page draws itself again now
    redrawn = client.get(reverse("mall:order", args=[order.number]), HTTP_HX_REQUEST="true")
    assert 'data-state="paid"' in redrawn.content.decode()


def test_the_page_draws_itself_only_when_the_order_moved_on(client):
    order, _record = placed_order()
    client.force_login(order.user)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    # The whole page is fetched on the "order-changed" event only, not on a timer.
    assert 'hx-trigger="order-changed from:body"' in html
    assert html.count('hx-trigger="every') == 1


def test_another_buyers_order_status_is_a_404_and_says_nothing(client):
    order, _record = placed_order()
    client.force_login(UserFactory())
    response = client.get(reverse("mall:order_status", args=[order.number]))
    assert response.status_code == 404
    assert S.PENDING_PAYMENT not in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_log_in(client):
    order, _record = placed_order()
    response = client.get(reverse("mall:order_status", args=[order.number]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
