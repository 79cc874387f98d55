"""Stock in admin: the low-stock list, adjustments through ``stock_adjust`` with a required reason, the
read-only ledger, inbound shipments advanced, received and put away through the inbound services; the
numbers can't be posted around, and the stock list's query count is fixed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from mall.models import InboundLine, InboundShipment, Reservation, StockMovement, StockRecord
from mall.services.stock import stock_reconcile
from mall.tests.factories import SkuFactory, WarehouseFactory, stock_give
from tests.support.admin import apply_action, form_data, run_action, said

pytestmark = pytest.mark.django_db

STOCK = "/admin/mall/stockrecord/"
LEDGER = "/admin/mall/stockmovement/"
INBOUND = "/admin/mall/inboundshipment/"
Kind = StockMovement.Kind
State = InboundShipment.State


def numbers(record: StockRecord):
    record.refresh_from_db()
    return record.on_hand, record.allocated, record.movements.count()


# --- the stock list ------------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_the_low_stock_filter_lists_records_whose_available_units_fall_below_their_threshold(admin_client):
    plenty = stock_give(sku=SkuFactory(code="PLENTY"), quantity=50)
    few = stock_give(sku=SkuFactory(code="FEW"), quantity=3)
    held = stock_give(sku=SkuFactory(code="HELD"), quantity=12)
    # 12 on hand but 5 held by a live checkout: 7 available, under the threshold of 10.
    Reservation.objects.create(
        stock_record=held,
        user=UserFactory(),
        checkout_token="t",
        quantity=5,
        reserved_until=timezone.now() + timedelta(minutes=10),
    )
    # An expired hold no longer counts.
    Reservation.objects.create(
        stock_record=plenty,
        user=UserFactory(),
        checkout_token="old",
        quantity=45,
        reserved_until=timezone.now() - timedelta(minutes=1),
    )
    low = admin_client.get(STOCK, {"level": "low"}).content.decode()
    assert "FEW" in low and "HELD" in low and "PLENTY" not in low
    everything = admin_client.get(STOCK).content.decode()
    assert all(code in everything for code in ("PLENTY", "FEW", "HELD"))
    assert few.pk and held.pk


def test_adjust_stock_asks_for_a_change_and_a_reason_then_writes_the_ledger(admin_client, admin_user):
    record = stock_give(sku=SkuFactory(code="JAR"), quantity=10)
    other = stock_give(sku=SkuFactory(code="TUBE"), quantity=4)

    page = run_action(admin_client, STOCK, "adjust_stock", [record, other])
    assert page.templates[0].name == "admin/admintools/action_form.html"
    html = page.content.decode()
    assert f'name="delta_{record.pk}"' in html and 'name="reason"' in html
    assert numbers(record) == (10, 0, 1)

    response = apply_action(
        admin_client,
        STOCK,
        "adjust_stock",
        [record, other],
        **{f"delta_{record.pk}": "-2", f"delta_{other.pk}": "", "reason": "Stocktake: 2 jars broken"},
    )
    assert "JAR @ NB-BONDED: on hand 10 → 8 (-2)." in said(response)
    assert numbers(record) == (8, 0, 2)
    assert numbers(other) == (4, 0, 1)  # left blank: untouched
    movement = record.movements.latest("id")
    assert (movement.kind, movement.on_hand_delta, movement.reason, movement.actor, movement.source) == (
        Kind.ADJUSTED,
        -2,
        "Stocktake: 2 jars broken",
        admin_user,
        "admin",
    )
    assert stock_reconcile() == []


def test_an_adjustment_without_a_reason_or_a_change_stays_on_the_form(admin_client):
    record = stock_give(sku=SkuFactory(), quantity=10)
    no_reason = apply_action(
        admin_client, STOCK, "adjust_stock", [record], **{f"delta_{record.pk}": "5", "reason": ""}
    )
    assert no_reason.templates[0].name == "admin/admintools/action_form.html"
    assert "This field is required." in no_reason.content.decode()
    no_change = apply_action(
        admin_client, STOCK, "adjust_stock", [record], **{f"delta_{record.pk}": "0", "reason": "x"}
    )
    assert "Enter a change" in no_change.content.decode()
    assert numbers(record) == (10, 0, 1)


def test_an_adjustment_that_would_take_allocated_units_is_refused_and_changes_nothing(admin_client):
    from tests.support.orders import place_order

    order = place_order()  # 10 received, 1 allocated to the order
    line = order.lines.get()
    record = StockRecord.objects.get(sku_id=line.sku_id, warehouse_id=line.warehouse_id)
    before = numbers(record)
    response = apply_action(
        admin_client,
        STOCK,
        "adjust_stock",
        [record],
        **{f"delta_{record.pk}": "-10", "reason": "Lost at sea"},
    )
    assert f"{line.sku_code} @ NB-BONDED: Not enough stock for this change." in said(response)
    assert numbers(record) == before
    assert stock_reconcile() == []


def test_the_stock_record_page_edits_only_the_threshold(admin_client):
    record = stock_give(sku=SkuFactory(), quantity=10)
    url = reverse("admin:mall_stockrecord_change", args=[record.pk])
    data = form_data(admin_client.get(url), "stockrecord_form")
    stock_give(sku=record.sku, quantity=2)  # meanwhile, more units arrive
    data.update({"on_hand": "999", "allocated": "5", "low_stock_threshold": "3"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.on_hand, record.allocated, record.low_stock_threshold) == (12, 0, 3)
    assert stock_reconcile() == []
    assert admin_client.get(reverse("admin:mall_stockrecord_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:mall_stockrecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_thresholds_can_be_set_from_the_list(admin_client):
    record = stock_give(sku=SkuFactory(), quantity=10)
    data = form_data(admin_client.get(STOCK), "changelist-form")
    data.update({"form-0-low_stock_threshold": "25", "_save": "Save"})
    data.pop("action", None)
    response = admin_client.post(STOCK, data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.on_hand, record.low_stock_threshold) == (10, 25)


# --- the ledger ----------------------------------------------------------------------------------------------


def test_the_ledger_is_read_only_and_filterable(admin_client):
    ningbo = WarehouseFactory(code="NB-BONDED")
    nansha = WarehouseFactory(code="GZ-NANSHA", name="Nansha bonded")
    first = stock_give(sku=SkuFactory(code="AAA"), warehouse=ningbo, quantity=10)
    stock_give(sku=SkuFactory(code="BBB"), warehouse=nansha, quantity=5)
    run = apply_action(
        admin_client, STOCK, "adjust_stock", [first], **{f"delta_{first.pk}": "1", "reason": "Found one"}
    )
    assert run.status_code == 200

    adjusted = admin_client.get(LEDGER, {"kind__exact": "adjusted"}).content.decode()
    assert "Found one" in adjusted and "BBB" not in adjusted
    in_nansha = admin_client.get(LEDGER, {"stock_record__warehouse__id__exact": nansha.pk}).content.decode()
    assert "BBB" in in_nansha and "AAA" not in in_nansha
    from_admin = admin_client.get(LEDGER, {"source": "admin"}).content.decode()
    assert "Found one" in from_admin and "BBB" not in from_admin
    one_record = admin_client.get(LEDGER, {"stock_record__id__exact": first.pk}).content.decode()
    assert "AAA" in one_record and "BBB" not in one_record

    movement = StockMovement.objects.filter(kind=Kind.ADJUSTED).get()
    url = reverse("admin:mall_stockmovement_change", args=[movement.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"on_hand_delta": "100", "reason": "x"}).status_code == 403
    assert admin_client.get(reverse("admin:mall_stockmovement_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:mall_stockmovement_delete", args=[movement.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    movement.refresh_from_db()
    assert (movement.on_hand_delta, movement.reason) == (1, "Found one")
    assert "delete_selected" not in admin_client.get(LEDGER).content.decode()


# --- inbound shipments ---------------------------------------------------------------------------------------


def test_a_shipment_from_creation_to_put_away(admin_client, admin_user):
    warehouse = WarehouseFactory()
    cream, serum = SkuFactory(code="CREAM-50"), SkuFactory(code="SERUM-30")
    add = reverse("admin:mall_inboundshipment_add")
    data = form_data(admin_client.get(add), "inboundshipment_form")
    data.update(
        {
            "reference": "IN-2026-0001",
            "supplier": "Kobe Cosmetics Co.",
            "origin_country": "Japan",
            "warehouse": warehouse.pk,
            "lines-TOTAL_FORMS": "2",
            "lines-0-sku": "CREAM-50",
            "lines-0-quantity_expected": "100",
            "lines-1-sku": " SERUM-30 ",
            "lines-1-quantity_expected": "40",
        }
    )
    response = admin_client.post(add, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    shipment = InboundShipment.objects.get(reference="IN-2026-0001")
    assert shipment.state == State.CREATED
    assert sorted(shipment.lines.values_list("sku__code", "quantity_expected")) == [
        ("CREAM-50", 100),
        ("SERUM-30", 40),
    ]

    # Counting before the goods arrived is refused; so is putting away.
    early = run_action(admin_client, INBOUND, "put_away", [shipment])
    assert "IN-2026-0001: Only an inspected shipment can be put away." in said(early)
    assert not StockMovement.objects.exists()

    for expected in (State.IN_TRANSIT, State.ARRIVED):
        run_action(admin_client, INBOUND, "advance_state", [shipment])
        shipment.refresh_from_db()
        assert shipment.state == expected

    # Receive: the intermediate page asks a count per line.
    page = run_action(admin_client, INBOUND, "receive", [shipment])
    lines = {line.sku.code: line for line in shipment.lines.select_related("sku")}
    html = page.content.decode()
    assert f'name="count_{lines["CREAM-50"].pk}"' in html and 'value="100"' in html
    response = apply_action(
        admin_client,
        INBOUND,
        "receive",
        [shipment],
        **{f"count_{lines['CREAM-50'].pk}": "98", f"count_{lines['SERUM-30'].pk}": "40"},
    )
    assert "IN-2026-0001: counted 138 of 140 expected units." in said(response)
    assert dict(InboundLine.objects.values_list("sku__code", "quantity_received")) == {
        "CREAM-50": 98,
        "SERUM-30": 40,
    }
    assert not StockMovement.objects.exists()  # counting moves no stock

    for expected in (State.DECLARED, State.INSPECTED):
        run_action(admin_client, INBOUND, "advance_state", [shipment])
        shipment.refresh_from_db()
        assert shipment.state == expected

    response = run_action(admin_client, INBOUND, "put_away", [shipment])
    assert "IN-2026-0001 put away: 138 units entered stock at NB-BONDED." in said(response)
    shipment.refresh_from_db()
    assert shipment.state == State.PUT_AWAY
    assert StockRecord.objects.get(sku=cream).on_hand == 98
    assert StockRecord.objects.get(sku=serum).on_hand == 40
    assert set(StockMovement.objects.values_list("kind", "source", "actor")) == {
        (Kind.RECEIVED, "inbound:IN-2026-0001", admin_user.pk)
    }
    assert stock_reconcile() == []

    # Done: no further step, nothing moves twice.
    again = run_action(admin_client, INBOUND, "put_away", [shipment])
    assert "IN-2026-0001: Only an inspected shipment can be put away." in said(again)
    beyond = run_action(admin_client, INBOUND, "advance_state", [shipment])
    assert any("can't move on" in m for m in said(beyond))
    assert StockMovement.objects.count() == 2


def test_a_negative_count_stays_on_the_form(admin_client):
    shipment = InboundShipment.objects.create(
        reference="IN-NEG", supplier="S", warehouse=WarehouseFactory(), state=State.ARRIVED
    )
    line = InboundLine.objects.create(shipment=shipment, sku=SkuFactory(), quantity_expected=5)
    response = apply_action(admin_client, INBOUND, "receive", [shipment], **{f"count_{line.pk}": "-1"})
    assert response.templates[0].name == "admin/admintools/action_form.html"
    line.refresh_from_db()
    assert line.quantity_received is None


def test_a_travelling_shipments_lines_and_state_cant_be_posted_around(admin_client):
    shipment = InboundShipment.objects.create(
        reference="IN-LOCK", supplier="S", warehouse=WarehouseFactory(), state=State.IN_TRANSIT
    )
    line = InboundLine.objects.create(shipment=shipment, sku=SkuFactory(code="LOCKED"), quantity_expected=5)
    url = reverse("admin:mall_inboundshipment_change", args=[shipment.pk])
    data = form_data(admin_client.get(url), "inboundshipment_form")
    assert "lines-0-quantity_expected" not in data
    data.update(
        {
            "supplier": "New supplier name",
            "state": State.INSPECTED,
            "warehouse": WarehouseFactory(code="OTHER").pk,
            "lines-0-id": line.pk,
            "lines-0-quantity_expected": "500",
            "lines-0-quantity_received": "500",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    shipment.refresh_from_db()
    line.refresh_from_db()
    assert (shipment.supplier, shipment.state, shipment.warehouse.code) == (
        "New supplier name",
        State.IN_TRANSIT,
        "NB-BONDED",
    )
    assert (line.quantity_expected, line.quantity_received) == (5, None)
    assert (
        admin_client.post(
            reverse("admin:mall_inboundshipment_delete", args=[shipment.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


# --- query counts --------------------------------------------------------------------------------------------

# The signed-in user, the filtered count, the full count, the page (SKU, product and warehouse joined;
# reserved units as a subquery), the unread-notices badge of the site's context processor, the warehouses
# of the warehouse filter.
STOCK_LIST_QUERIES = 6


@pytest.mark.parametrize("query", ["", "?level=low", "?q=SKU"])
def test_the_stock_list_costs_the_same_queries_for_3_and_9_records(
    admin_client, django_assert_num_queries, query
):
    url = STOCK + query
    for _ in range(3):
        stock_give(sku=SkuFactory(), quantity=2)
    admin_client.get(url)
    with django_assert_num_queries(STOCK_LIST_QUERIES):
        small = admin_client.get(url)
    assert small.content.decode().count('class="action-select"') == 3
    for _ in range(6):
        stock_give(sku=SkuFactory(), quantity=2)
    with django_assert_num_queries(STOCK_LIST_QUERIES):
        large = admin_client.get(url)
    assert large.content.decode().count('class="action-select"') == 9
