from __future__ import annotations

import uuid

from flashsale.models import FlashSale
from flashsale.services import admission, sales
from flashsale.tests.factories import FlashSaleFactory
from mall.tests.factories import stock_give


def live_sale(*, quota: int = 10, stock: int | None = None, **kwargs) -> FlashSale:
    """A published, warmed sale whose quota came out of real warehouse stock."""
    sale = FlashSaleFactory(quota=quota, **kwargs)
    stock_give(sku=sale.sku, warehouse=sale.warehouse, quantity=stock if stock is not None else quota + 5)
    sales.sale_publish(sale=sale)
    sales.sale_warm(sale=sale)
    sale.refresh_from_db()
    return sale


def buy(sale: FlashSale, user, request_id: str | None = None, ip: str = "127.0.0.1", quantity: int = 1):
    return admission.flash_buy(
        sale_id=sale.pk,
        user_id=user.pk,
        request_id=request_id or uuid.uuid4().hex,
        ip=ip,
        quantity=quantity,
    )
