from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from flashsale.models import FlashSale
from mall.tests.factories import SkuFactory, WarehouseFactory


class FlashSaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlashSale

    title = factory.Sequence(lambda n: f"Welfare club #{n}")
    sku = factory.SubFactory(SkuFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    price = Decimal("59.00")
    quota = 10
    per_user_limit = 1
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    is_cross_border = True
