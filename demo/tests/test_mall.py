"""The demo mall: made once however often seed_demo runs, every unit of stock from put-away inbound
shipments on the ledger, product shots drawn, listing prices following the cheapest SKU."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db.models import Min, Sum
from PIL import Image

from demo import drawing
from demo.seed import mall as demo_mall
from mall.models import (
    Brand,
    Category,
    InboundShipment,
    Product,
    ProductImage,
    Sku,
    StockMovement,
    StockRecord,
    TaxCategory,
    Warehouse,
)
from mall.services.stock import stock_reconcile

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [
        Brand,
        Category,
        TaxCategory,
        Warehouse,
        Product,
        Sku,
        ProductImage,
        InboundShipment,
        StockMovement,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_the_seed_is_idempotent_and_its_stock_comes_from_the_ledger():
    out = io.StringIO()
    demo_mall.seed(stdout=out)
    first = counts()
    demo_mall.seed(stdout=out)
    assert counts() == first
    assert first["Product"] == len(demo_mall.PRODUCTS) >= 30
    assert first["Brand"] == len(demo_mall.BRANDS) and first["InboundShipment"] == len(demo_mall.SHIPMENTS)

    # Stock: only "received" rows from put-away shipments, and the records agree with the ledger.
    assert set(StockMovement.objects.values_list("kind", flat=True)) == {StockMovement.Kind.RECEIVED}
    assert all(m.source.startswith("inbound:IB-DEMO-") for m in StockMovement.objects.all())
    assert set(InboundShipment.objects.values_list("state", flat=True)) == {InboundShipment.State.PUT_AWAY}
    assert stock_reconcile() == []
    received = StockMovement.objects.aggregate(total=Sum("on_hand_delta"))["total"]
    assert StockRecord.objects.aggregate(total=Sum("on_hand"))["total"] == received > 0
    assert StockRecord.objects.filter(sku__code="HB-LT-05").count() == 0  # a variant that is sold out

    for product in Product.objects.annotate(low=Min("skus__price")):
        assert product.min_price == product.low
        assert 1 <= product.skus.count() <= 3 and product.images.exists()

    assert set(Warehouse.objects.values_list("supervision_mode", flat=True)) == {"1210"}
    assert {w.kind for w in Warehouse.objects.all()} == {Warehouse.Kind.BONDED}
    cosmetics = TaxCategory.objects.get(name="Cosmetics")
    assert (cosmetics.vat_rate, cosmetics.consumption_rate) == (Decimal("0.1300"), Decimal("0.1500"))
    assert TaxCategory.objects.get(name="General goods").cross_border_rate == Decimal("0.0910")
    assert (
        Category.objects.filter(parent=None).exclude(icon="").count()
        == Category.objects.filter(parent=None).count()
    )
    assert {b.authorization for b in Brand.objects.all()} == {"official", "distributor"}
    assert len({b.country for b in Brand.objects.all()}) >= 5


def test_product_shots_are_real_images():
    data = drawing.product_shot(shape="bottle", colour=(246, 182, 196), word="SAKURA")
    image = Image.open(io.BytesIO(data))
    assert image.size == (drawing.SHOT_SIZE, drawing.SHOT_SIZE) and image.format == "JPEG"
    # Not a flat colour: a backdrop, a product and a label.
    assert sum(1 for count in image.convert("L").histogram() if count) > 50  # distinct grey levels
    assert {p.shape for p in demo_mall.PRODUCTS} <= set(drawing.SHAPES)
    for shape in drawing.SHAPES[1:]:
        assert Image.open(
            io.BytesIO(drawing.product_shot(shape=shape, colour=(90, 120, 160), word="X", variant=1))
        )
