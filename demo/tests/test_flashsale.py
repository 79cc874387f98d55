"""The demo's flash sales: one live and one upcoming sale on the demo's stocked products, published through
the ledger and warmed; running it again makes nothing new; an operator's products and sales are left alone."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from demo.seed import flashsale as demo_flashsale
from demo.seed.mall import PRODUCTS
from flashsale import keys
from flashsale.models import FlashSale
from flashsale.services.redis import client as flash_redis
from mall.models import ProductImage, StockMovement, StockRecord
from mall.tests.factories import SkuFactory, stock_give

pytestmark = pytest.mark.django_db


def stocked_product(*, slug: str | None = None, units: int = 40):
    sku = SkuFactory(product__slug=slug) if slug else SkuFactory()
    ProductImage.objects.create(product=sku.product, image="products/demo.jpg")
    stock_give(sku=sku, quantity=units)
    return sku


def demo_products(count: int = 3):
    """Stocked products under the demo's slugs (the mall step is tested on its own); the last has too
    little stock for a sale."""
    return [
        stocked_product(slug=demo.slug, units=5 if i == count - 1 else 40)
        for i, demo in enumerate(PRODUCTS[:count])
    ]


def test_seed_makes_a_live_and_an_upcoming_sale_once():
    demo_products()
    out = io.StringIO()
    demo_flashsale.seed(stdout=out)
    now = timezone.now()
    live = FlashSale.objects.get(starts_at__lte=now)
    upcoming = FlashSale.objects.get(starts_at__gt=now)
    for sale in (live, upcoming):
        assert (
            sale.state == "published" and sale.quota == demo_flashsale.QUOTA and sale.price < sale.sku.price
        )
        assert flash_redis().get(keys.stock(sale.pk)) == str(demo_flashsale.QUOTA)
    assert live.sku.product_id != upcoming.sku.product_id
    assert StockMovement.objects.filter(kind=StockMovement.Kind.FLASH_IN).count() == 2
    assert "live" in out.getvalue() and "upcoming" in out.getvalue()

    demo_flashsale.seed(stdout=io.StringIO())
    assert FlashSale.objects.count() == 2


def test_seed_leaves_an_operators_products_and_sales_alone():
    # Given an operator's well-stocked product and the operator's own live sale on another of theirs
    theirs = stocked_product(units=500)
    their_sale_sku = stocked_product(units=500)
    now = timezone.now()
    their_sale = FlashSale.objects.create(
        title="Operator's sale",
        sku=their_sale_sku,
        warehouse=their_sale_sku.stock_records.get().warehouse,
        price=their_sale_sku.price / 2,
        quota=5,
        per_user_limit=1,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )
    their_stock = list(StockRecord.objects.filter(sku__in=[theirs, their_sale_sku]).order_by("pk").values())
    demo_products()

    # When the demo makes its sales
    demo_flashsale.seed(stdout=io.StringIO())

    # Then both demo sales are on demo products, the operator's sale did not stand in for the live one,
    # and the operator's product and sale are as they were
    demo_sales = FlashSale.objects.exclude(pk=their_sale.pk)
    assert demo_sales.count() == 2
    assert {s.sku.product.slug for s in demo_sales} <= {p.slug for p in PRODUCTS}
    assert not FlashSale.objects.filter(sku=theirs).exists()
    their_sale.refresh_from_db()
    assert their_sale.state == FlashSale.State.DRAFT and their_sale.quota == 5
    assert (
        list(StockRecord.objects.filter(sku__in=[theirs, their_sale_sku]).order_by("pk").values())
        == their_stock
    )


def test_seed_without_a_stocked_mall_makes_nothing():
    stocked_product()  # somebody else's product: not the demo's to put on sale
    out = io.StringIO()
    demo_flashsale.seed(stdout=out)
    assert not FlashSale.objects.exists()
    assert "run the mall's step first" in out.getvalue()
