"""The demo's flash sales (``seed_demo`` calls ``flashsale.seed.seed``): one live and one upcoming sale on
stocked products, published through the ledger and warmed; running it again makes nothing new."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from flashsale import keys, seed
from flashsale.models import FlashSale
from mall.models import ProductImage, StockMovement
from mall.tests.factories import SkuFactory, stock_give

pytestmark = pytest.mark.django_db


def stocked_product(units: int = 40):
    sku = SkuFactory()
    ProductImage.objects.create(product=sku.product, image="products/demo.jpg")
    stock_give(sku=sku, quantity=units)
    return sku


def test_seed_makes_a_live_and_an_upcoming_sale_once(redis_conn):
    stocked_product(), stocked_product(), stocked_product(units=5)  # the last has too little stock
    out = io.StringIO()
    seed.seed(stdout=out)
    now = timezone.now()
    live = FlashSale.objects.get(starts_at__lte=now)
    upcoming = FlashSale.objects.get(starts_at__gt=now)
    for sale in (live, upcoming):
        assert sale.state == "published" and sale.quota == seed.QUOTA and sale.price < sale.sku.price
        assert redis_conn.get(keys.stock(sale.pk)) == str(seed.QUOTA)
    assert live.sku.product_id != upcoming.sku.product_id
    assert StockMovement.objects.filter(kind=StockMovement.Kind.FLASH_IN).count() == 2
    assert "live" in out.getvalue() and "upcoming" in out.getvalue()

    seed.seed(stdout=io.StringIO())
    assert FlashSale.objects.count() == 2


def test_seed_without_a_stocked_mall_makes_nothing():
    out = io.StringIO()
    seed.seed(stdout=out)
    assert not FlashSale.objects.exists()
    assert "run the mall's seed first" in out.getvalue()
