"""What flash-sale tests share: sales in a given moment of their life, a buy, the strip as rendered."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

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


def upcoming_sale(*, quota: int = 5, in_minutes: int = 30, **kwargs) -> FlashSale:
    """A published, warmed sale that opens in ``in_minutes`` and runs for an hour."""
    starts = timezone.now() + timedelta(minutes=in_minutes)
    return live_sale(
        quota=quota, stock=quota, starts_at=starts, ends_at=starts + timedelta(hours=1), **kwargs
    )


def render_strip(user=None) -> str:
    """The flash strip as ``user`` (anonymous by default) sees it, in English."""
    request = RequestFactory().get("/mall/")
    request.user = user or AnonymousUser()
    # The tag alone (the page's own context processors are the page's business).
    context = Context({"request": request, "csrf_token": get_token(request)})
    with translation.override("en"):  # whatever language an earlier request left active
        return Template("{% load flashsale %}{% flash_strip %}").render(context)


def buy(sale: FlashSale, user, request_id: str | None = None, ip: str = "127.0.0.1", quantity: int = 1):
    return admission.flash_buy(
        sale_id=sale.pk,
        user_id=user.pk,
        request_id=request_id or uuid.uuid4().hex,
        ip=ip,
        quantity=quantity,
    )
