"""Following parcels: the beat task records what the carrier reports once per event however often it runs,
the carrier's "delivered" moves the order once (and enqueues the buyer's notice once), and the buyer's order
page shows the carrier, the tracking number and the parcel's timeline newest first in fixed queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from mall.models import Order, OrderEvent, ParcelEvent
from mall.services.orders import order_confirm_delivery, order_request_return, order_ship
from mall.services.parcels import parcel_poll
from mall.tasks import parcels_poll_task
from tests.support.orders import cleared_order, paid_order
from tests.support.tasks import enqueued

pytestmark = pytest.mark.django_db

S = Order.State
C = ParcelEvent.Code
TRIP = 600  # minutes from shipping to the door


@pytest.fixture(autouse=True)
def fast_trip(settings):
    settings.CARRIER_SANDBOX_MINUTES = TRIP


def shipped(**ship) -> Order:
    order = paid_order(cross_border=False)
    order_ship(order=order, **({"tracking_number": "SF900100200", "carrier": "sf_express"} | ship))
    order.refresh_from_db()
    return order


def test_the_beat_task_is_scheduled_and_registered():
    from celery import current_app

    scheduled = [entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()]
    assert "mall.tasks.parcels_poll_task" in scheduled
    assert "mall.tasks.parcels_poll_task" in current_app.tasks


@pytest.mark.clocks
def test_polling_twice_records_each_event_once_and_delivers_once(
    fixed_clock, django_capture_on_commit_callbacks
):
    order = shipped()
    other = shipped()
    with time_machine.travel(order.shipped_at + timedelta(minutes=100), tick=False):
        parcels_poll_task()
    assert list(order.parcel_events.order_by("occurred_at").values_list("code", flat=True)) == [
        C.PICKED_UP,
        C.DEPARTED_WAREHOUSE,
    ]
    assert other.parcel_events.count() == 2
    order.refresh_from_db()
    assert order.state == S.SHIPPED

    names = []
    for _run in range(2):  # beat runs again, and again: nothing new the second time
        with (
            time_machine.travel(order.shipped_at + timedelta(minutes=TRIP + 5), tick=False),
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            parcels_poll_task()
        names += enqueued(callbacks)

    assert order.parcel_events.count() == 6 and other.parcel_events.count() == 6
    assert sorted(order.parcel_events.values_list("code", flat=True)) == sorted(C.values)
    order.refresh_from_db()
    delivered_event = order.parcel_events.get(code=C.DELIVERED)
    assert order.state == S.DELIVERED and order.delivered_at == delivered_event.occurred_at
    assert order.delivered_at == order.shipped_at + timedelta(minutes=TRIP)
    transitions = OrderEvent.objects.filter(order=order, to_state=S.DELIVERED)
    assert transitions.count() == 1 and transitions.get().message == "Delivered, says the carrier."
    # The buyer's "delivered" notice is enqueued the way every transition's is: once per order.
    delivered_ids = set(OrderEvent.objects.filter(to_state=S.DELIVERED).values_list("pk", flat=True))
    notices = [args for name, args in names if name == "community.tasks.notify_order_event_task"]
    assert sorted(notices) == sorted((pk,) for pk in delivered_ids) and len(delivered_ids) == 2


def test_a_parcel_the_buyer_already_confirmed_is_not_delivered_twice():
    order = shipped()
    order_confirm_delivery(order=order, actor=order.user)
    with time_machine.travel(order.shipped_at + timedelta(minutes=TRIP + 1), tick=False):
        assert parcel_poll(order_id=order.pk) == 0  # no longer shipped: not polled
    assert OrderEvent.objects.filter(order=order, to_state=S.DELIVERED).count() == 1


def test_a_poll_that_stopped_before_delivering_finishes_next_time():
    order = shipped()
    with time_machine.travel(order.shipped_at + timedelta(minutes=TRIP + 1), tick=False):
        parcel_poll(order_id=order.pk)
        Order.objects.filter(pk=order.pk).update(state=S.SHIPPED)  # as if the worker died between the two
        OrderEvent.objects.filter(order=order, to_state=S.DELIVERED).delete()
        assert parcel_poll(order_id=order.pk) == 0  # no new event...
    order.refresh_from_db()
    assert order.state == S.DELIVERED  # ...but the delivery happened
    assert order.parcel_events.count() == 6


def test_orders_not_shipped_are_not_polled():
    order = paid_order(cross_border=False)
    parcels_poll_task()
    assert ParcelEvent.objects.filter(order=order).count() == 0


# --- the buyer's order page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [15, TRIP - 1])
def test_the_order_page_shows_carrier_tracking_and_the_parcel_newest_first_in_fixed_queries(
    client, minutes, django_assert_num_queries
):
    order = shipped(carrier="jd_logistics", tracking_number="JD0001112223")
    with time_machine.travel(order.shipped_at + timedelta(minutes=minutes), tick=False):
        parcel_poll(order_id=order.pk)
    client.force_login(order.user)
    url = reverse("mall:order", args=[order.number])
    # session, user, order with declaration and return, lines with warehouses, events, parcel events
    with django_assert_num_queries(6):
        html = client.get(url).content.decode()
    assert 'data-testid="carrier">JD Logistics<' in html
    assert 'data-testid="tracking-number">JD0001112223<' in html
    codes = [c for c in C.values if f'data-code="{c}"' in html]
    assert len(codes) == order.parcel_events.count() == (1 if minutes == 15 else 5)
    newest_first = list(order.parcel_events.order_by("-occurred_at").values_list("code", flat=True))
    positions = [html.index(f'data-code="{c}"') for c in newest_first]
    assert positions == sorted(positions)
    assert "Picked up by the carrier" in html


def test_the_parcel_reads_in_the_readers_language(client):
    order = shipped()
    with time_machine.travel(order.shipped_at + timedelta(minutes=TRIP), tick=False):
        parcel_poll(order_id=order.pk)
    client.force_login(order.user)
    url = reverse("mall:order", args=[order.number])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Out for delivery" in english
    # Stored as codes, worded when read: the page asks gettext in the reader's language each time.
    assert ParcelEvent.objects.filter(order=order, code=C.OUT_FOR_DELIVERY).exists()
    assert chinese.count('data-testid="parcel-event"') == english.count('data-testid="parcel-event"') == 6


def _timeline(response) -> list[str]:
    """The timeline's messages on an order page, newest first."""
    return re.findall(r'data-testid="timeline-message">([^<]*)<', response.content.decode())


def test_the_order_timeline_reads_in_the_readers_language_whoever_wrote_it(client):
    # Cleared by the customs task (English), shipped by an operator using the admin in Chinese, delivered by
    # the carrier's poll, and a return asked for in the buyer's own words. (The payment's "Paid ¥…" reads
    # in Chinese in tests/browser/test_chinese_phone_journey.py.)
    order = cleared_order()
    with translation.override("zh-hans"):
        order_ship(order=order, carrier="sf_express", tracking_number="SF900100200")
    order.refresh_from_db()
    with time_machine.travel(order.shipped_at + timedelta(minutes=TRIP), tick=False):
        parcel_poll(order_id=order.pk)
    order_request_return(order=Order.objects.get(pk=order.pk), reason="颜色不对 wrong shade")
    waybill = order.declaration.waybill
    client.force_login(order.user)
    url = reverse("mall:order", args=[order.number])

    assert _timeline(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")) == [
        "颜色不对 wrong shade",
        "快递公司显示已签收。",
        "已由 顺丰速运 发货，运单号 SF900100200。",
        "已清关。",
        f"已向海关申报，运单号 {waybill}。",
        "test: paid",  # the test helper's own words (tests/support/orders.py), kept as written
    ]
    assert _timeline(client.get(url, HTTP_ACCEPT_LANGUAGE="en")) == [
        "颜色不对 wrong shade",
        "Delivered, says the carrier.",
        "Shipped with SF Express, tracking number SF900100200.",
        "Cleared customs.",
        f"Declared to customs, waybill {waybill}.",
        "test: paid",
    ]
    api = client.get(f"/api/mall/orders/{order.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert "已由 顺丰速运 发货，运单号 SF900100200。" in [e["message"] for e in api["events"]]
    # The sentence as written stays beside it, for the admin's history.
    shipped_event = OrderEvent.objects.get(order=order, to_state=S.SHIPPED)
    assert shipped_event.message == "已由 顺丰速运 发货，运单号 SF900100200。"
    assert shipped_event.message_params == {"carrier": "sf_express", "n": "SF900100200"}


def test_the_api_order_shows_the_parcel(client):
    order = shipped()
    with time_machine.travel(order.shipped_at + timedelta(minutes=70), tick=False):
        parcel_poll(order_id=order.pk)
    client.force_login(order.user)
    body = client.get(f"/api/mall/orders/{order.number}/").json()
    assert (body["carrier"], body["carrier_name"], body["tracking_number"]) == (
        "sf_express",
        "SF Express",
        "SF900100200",
    )
    assert [e["code"] for e in body["parcel_events"]] == ["departed_warehouse", "picked_up"]
    assert body["parcel_events"][0]["description"] == "Left the bonded warehouse"


def test_someone_elses_order_page_is_a_404(client):
    from accounts.tests.factories import UserFactory

    order = shipped()
    client.force_login(UserFactory())
    assert client.get(reverse("mall:order", args=[order.number])).status_code == 404
