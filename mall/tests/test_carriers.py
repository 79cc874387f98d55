"""The carrier gateway: the sandbox books parcels with a deterministic tracking number and moves them along
a timeline that starts at the ship time (read under fixed clocks), and shipping checks the carrier and the
tracking number before anything changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from core.errors import DomainError
from mall.carriers import carrier_label, get_carrier, tracking_number_clean
from mall.carriers.sandbox import SandboxCarrier
from mall.models import Order, StockMovement
from mall.services.orders import order_ship
from tests.support.orders import paid_order

pytestmark = pytest.mark.django_db

S = Order.State
PARCEL = {"origin": "Qianhai Bonded Warehouse", "destination": "上海市", "lines": 1}


@pytest.fixture
def fast_trip(settings):
    settings.CARRIER_SANDBOX_MINUTES = 600  # ten hours from shipping to the door
    return settings


@pytest.mark.clocks
def test_the_sandbox_timeline_advances_from_the_ship_time(fast_trip, fixed_clock):
    carrier = get_carrier()
    shipped_at = fixed_clock

    def codes_at(minutes: float) -> list[str]:
        with time_machine.travel(shipped_at + timedelta(minutes=minutes), tick=False):
            return [
                u.code
                for u in carrier.parcel_events(
                    carrier="sf_express", tracking_number="SF123456", shipped_at=shipped_at, parcel=PARCEL
                )
            ]

    assert codes_at(0) == []
    assert codes_at(11.9) == []
    assert codes_at(12) == ["picked_up"]
    assert codes_at(61) == ["picked_up", "departed_warehouse"]
    assert codes_at(300) == ["picked_up", "departed_warehouse", "in_transit"]
    assert codes_at(599) == [
        "picked_up",
        "departed_warehouse",
        "in_transit",
        "arrived_city",
        "out_for_delivery",
    ]
    everything = [
        "picked_up",
        "departed_warehouse",
        "in_transit",
        "arrived_city",
        "out_for_delivery",
        "delivered",
    ]
    assert codes_at(600) == everything
    assert codes_at(60 * 24 * 30) == everything  # nothing after delivery
    with time_machine.travel(shipped_at + timedelta(minutes=600), tick=False):
        first = carrier.parcel_events(
            carrier="sf_express", tracking_number="SF123456", shipped_at=shipped_at, parcel=PARCEL
        )
        again = carrier.parcel_events(
            carrier="sf_express", tracking_number="SF123456", shipped_at=shipped_at, parcel=PARCEL
        )
    assert first == again  # the same question at the same time: the same answer
    assert [u.occurred_at - shipped_at for u in first][-1] == timedelta(minutes=600)
    assert first[0].location == "Qianhai Bonded Warehouse" and first[-1].location == "上海市"
    assert first[2].location == ""  # in transit: between places


def test_booking_the_same_parcel_twice_gives_the_same_number_and_each_carrier_its_own():
    carrier = SandboxCarrier()
    sf = carrier.register_parcel(carrier="sf_express", reference="HS1", parcel=PARCEL)
    assert sf == carrier.register_parcel(carrier="sf_express", reference="HS1", parcel=PARCEL)
    assert sf != carrier.register_parcel(carrier="sf_express", reference="HS2", parcel=PARCEL)
    assert sf.startswith("SF") and tracking_number_clean(sf) == sf
    assert carrier.register_parcel(carrier="ems", reference="HS1", parcel=PARCEL).startswith("EM")
    with pytest.raises(DomainError):
        carrier.register_parcel(carrier="pigeon", reference="HS1", parcel=PARCEL)


def test_the_carrier_list_reads_in_the_readers_language():
    from django.utils import translation

    choices = dict(get_carrier().carrier_choices())
    assert {"sf_express", "jd_logistics", "ems"} <= set(choices)
    assert choices["jd_logistics"] == "JD Logistics"
    with translation.override("zh-hans"):
        assert carrier_label("sf_express")  # whatever the translation, a name and never the code's absence
    assert carrier_label("Old Carrier Co") == "Old Carrier Co"  # typed before the list: shown as typed
    assert carrier_label("") == ""


@pytest.mark.parametrize(
    "typed, kept", [(" sf1234567890 ", "SF1234567890"), ("JD000111", "JD000111"), ("A" * 30, "A" * 30)]
)
def test_a_well_formed_tracking_number_is_kept_upper_cased(typed, kept):
    assert tracking_number_clean(typed) == kept


@pytest.mark.parametrize(
    "typed", ["", "SF123", "A" * 31, "SF-12345678", "SF 1234 5678", "顺丰12345678", "SF1234\x00"]
)
def test_a_malformed_tracking_number_is_a_clear_error(typed):
    with pytest.raises(DomainError) as refused:
        tracking_number_clean(typed)
    assert refused.value.status_code == 400 and refused.value.field == "tracking_number"
    assert "6 to 30 letters and digits" in refused.value.message


def test_shipping_without_a_number_books_the_parcel_and_records_carrier_and_ship_time(fixed_clock):
    order = paid_order(cross_border=False)
    order_ship(order=order, carrier="ems")
    order.refresh_from_db()
    expected = SandboxCarrier().register_parcel(carrier="ems", reference=order.number, parcel=PARCEL)
    assert (order.state, order.carrier, order.tracking_number) == (S.SHIPPED, "ems", expected)
    assert order.shipped_at is not None and abs(order.shipped_at - fixed_clock) < timedelta(minutes=1)
    assert order.events.last().message == f"Shipped with EMS, tracking number {expected}."


def test_shipping_without_a_carrier_uses_the_gateways_first():
    order = paid_order(cross_border=False)
    order_ship(order=order, tracking_number="sf900100200")
    order.refresh_from_db()
    assert (order.carrier, order.tracking_number) == (get_carrier().carriers[0], "SF900100200")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"tracking_number": "SF-1", "carrier": "sf_express"}, "tracking_number"),
        ({"tracking_number": "SF123456", "carrier": "Bob's Vans"}, "carrier"),
    ],
)
def test_shipping_with_a_bad_number_or_carrier_changes_nothing(fields, field):
    order = paid_order(cross_border=False)
    movements = StockMovement.objects.count()
    with pytest.raises(DomainError) as refused:
        order_ship(order=order, **fields)
    assert refused.value.field == field and refused.value.status_code == 400
    order.refresh_from_db()
    assert (order.state, order.tracking_number, order.carrier, order.shipped_at) == (S.PAID, "", "", None)
    assert order.events.count() == 2 and StockMovement.objects.count() == movements
