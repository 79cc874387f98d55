"""The operators' demand view: buzz rows, sales, card clicks and notes asking for what the mall lacks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Note, ProductBuzz, ProductCardClick
from community.tests.factories import CommentFactory, NoteFactory, TopicFactory
from mall.models import Order, OrderLine
from mall.tests.factories import BrandFactory, SkuFactory, stock_give
from tests.support.orders import order_row

S = Order.State


def buzz(product, *, score: float, mentions: int = 1, engagement: int = 0, card_clicks: int = 0):
    return ProductBuzz.objects.create(
        product=product, score=score, mentions=mentions, engagement=engagement, card_clicks=card_clicks
    )


def sell(sku, *, quantity: int, state=S.PAID, days_ago: float = 1, paid: bool = True) -> OrderLine:
    """An order line as the checkout leaves it, in ``state``, paid ``days_ago``."""
    paid_at = timezone.now() - timedelta(days=days_ago)
    order = order_row(
        user=UserFactory(),
        state=state,
        paid_at=paid_at if paid else None,
        lines=[{"sku": sku, "quantity": quantity}],
        tax_rate=Decimal("0.0910"),
    )
    return order.lines.get()


def click(product, *, count: int, days_ago: float = 0) -> None:
    note = NoteFactory(images=0)
    for _ in range(count):
        row = ProductCardClick.objects.create(note=note, product=product, action="buy")
        ProductCardClick.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )


def asking_note(topic_names, *, asks: int = 1, likes: int = 0, body: str = "Where to buy this?", **note):
    n = NoteFactory(images=0, like_count=likes, **note)
    for name in topic_names:
        n.topics.add(TopicFactory(name=name))
    for _ in range(asks):
        CommentFactory(note=n, body=body)
    Note.objects.filter(pk=n.pk).update(comment_count=asks)
    return n


def demand_rows(count: int) -> None:
    """``count`` products, brands and wished-for topics, each with buzz, a sale, a click and questions."""
    for i in range(count):
        sku = SkuFactory(product__brand=BrandFactory(name=f"B{i}"))
        stock_give(sku=sku, quantity=20 + i)
        buzz(sku.product, score=100 - i)
        sell(sku, quantity=1)
        click(sku.product, count=1)
        asking_note([f"wish{i}"], asks=1 + i % 3)
