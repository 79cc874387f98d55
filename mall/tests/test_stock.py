from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.errors import DomainError
from mall.errors import InsufficientStock
from mall.models import InboundLine, InboundShipment, Reservation, StockMovement, StockRecord
from mall.services import inbound, stock
from mall.tests.factories import SkuFactory, WarehouseFactory, stock_give

pytestmark = pytest.mark.django_db


def test_put_away_writes_the_ledger_and_reconciles():
    sku = SkuFactory()
    warehouse = WarehouseFactory()
    shipment = InboundShipment.objects.create(reference="IB-1", supplier="Osaka Trading", warehouse=warehouse)
    InboundLine.objects.create(shipment=shipment, sku=sku, quantity_expected=30)
    for _ in range(4):
        inbound.inbound_advance(shipment=shipment)
    inbound.inbound_receive(shipment=shipment, received={shipment.lines.get().pk: 28})
    inbound.inbound_put_away(shipment=shipment)
    record = StockRecord.objects.get(sku=sku, warehouse=warehouse)
    assert record.on_hand == 28
    movement = record.movements.get()
    assert (movement.kind, movement.on_hand_delta, movement.source) == ("received", 28, "inbound:IB-1")
    assert stock.stock_reconcile() == []


def test_a_line_nobody_counted_puts_away_the_units_expected():
    sku = SkuFactory()
    warehouse = WarehouseFactory()
    shipment = InboundShipment.objects.create(reference="IB-3", supplier="Seoul Beauty", warehouse=warehouse)
    line = InboundLine.objects.create(shipment=shipment, sku=sku, quantity_expected=12)
    assert line.units_to_put_away == 12
    for _ in range(4):
        inbound.inbound_advance(shipment=shipment)

    inbound.inbound_put_away(shipment=shipment)

    assert StockRecord.objects.get(sku=sku, warehouse=warehouse).on_hand == 12


@pytest.mark.clocks
def test_a_reservation_holds_stock_until_its_deadline_and_not_a_moment_longer():
    record = stock_give(sku=SkuFactory(), quantity=5)
    deadline = timezone.now() + timedelta(minutes=15)
    hold = Reservation.objects.create(
        stock_record=record, user=UserFactory(), checkout_token="t", quantity=2, reserved_until=deadline
    )
    just_before, at_deadline = deadline - timedelta(microseconds=1), deadline

    assert list(Reservation.objects.live(just_before)) == [hold]
    assert not Reservation.objects.expired(just_before).exists()
    assert not Reservation.objects.live(at_deadline).exists()
    assert list(Reservation.objects.expired(at_deadline)) == [hold]
    assert stock.reserved_quantity(record_id=record.pk, now=just_before) == 2
    assert stock.reserved_quantity(record_id=record.pk, now=at_deadline) == 0


def test_put_away_before_inspection_is_refused():
    shipment = InboundShipment.objects.create(reference="IB-2", supplier="x", warehouse=WarehouseFactory())
    with pytest.raises(DomainError):
        inbound.inbound_put_away(shipment=shipment)
    assert not StockMovement.objects.exists()


def test_taking_more_than_on_hand_is_refused_and_writes_nothing():
    record = stock_give(sku=SkuFactory(), quantity=5)
    with pytest.raises(InsufficientStock), transaction.atomic():
        stock.stock_move(record_id=record.pk, kind="shipped", on_hand_delta=-6)
    record.refresh_from_db()
    assert record.on_hand == 5 and record.movements.count() == 1


def test_adjustment_needs_a_reason():
    record = stock_give(sku=SkuFactory(), quantity=5)
    with pytest.raises(DomainError):
        stock.stock_adjust(record=record, delta=-1, reason=" ", actor=None)
    stock.stock_adjust(record=record, delta=-2, reason="damaged in storage", actor=None)
    record.refresh_from_db()
    assert record.on_hand == 3


def test_database_constraints_stand_behind_the_services():
    record = stock_give(sku=SkuFactory(), quantity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(pk=record.pk).update(allocated=3)


def test_ledger_rows_are_append_only():
    record = stock_give(sku=SkuFactory(), quantity=2)
    movement = record.movements.get()
    movement.reason = "edited"
    with pytest.raises(ValueError):
        movement.save()


def test_reconcile_reports_drift(caplog):
    record = stock_give(sku=SkuFactory(), quantity=4)
    StockRecord.objects.filter(pk=record.pk).update(on_hand=9)  # someone edited the number directly
    drifts = stock.stock_reconcile()
    assert [(d.record_id, d.on_hand, d.on_hand_ledger) for d in drifts] == [(record.pk, 9, 4)]
    assert "stock drift" in caplog.text


def test_taking_stock_away_keeps_live_checkout_holds_covered():
    from mall.services.checkout import checkout_reserve
    from mall.tests.factories import buyer, cart_with

    sku = SkuFactory()
    record = stock_give(sku=sku, quantity=3)
    user, *_ = buyer()
    checkout_reserve(user=user, cart=cart_with(user=user, sku=sku, quantity=3))
    with pytest.raises(InsufficientStock):
        stock.stock_adjust(record=record, delta=-1, reason="broken bottle", actor=None)
    record.refresh_from_db()
    assert record.on_hand == 3 and record.movements.count() == 1
