"""The world the schema tests call the API in: a row of each kind for a generated case to name, and an API
token for a shopper, a writer and an operator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from accounts.tests.factories import UserFactory
from community.tests.factories import BoardFactory, CommentFactory, NoteFactory, TopicFactory
from flashsale.tests.factories import FlashSaleFactory
from mall.tests.factories import buyer, cart_with, shop_product
from tests.support.orders import payment_for, place_order


@pytest.fixture
def world(db):
    """Rows for the generated cases to name, and a token per role."""
    shopper, address, identity = buyer()
    product, (sku,) = shop_product(stock=50, prices=("88.00",))
    order = place_order(shopper=(shopper, address, identity), sku=sku)
    payment = payment_for(order)
    cart = cart_with(user=shopper, sku=sku, quantity=2)
    writer = UserFactory()
    topic = TopicFactory()
    note = NoteFactory(author=writer)
    note.topics.add(topic)
    comment = CommentFactory(note=note, author=shopper)
    board = BoardFactory(owner=writer)
    operator = UserFactory(is_staff=True, is_superuser=True)
    sale = FlashSaleFactory(sku=sku, price=Decimal("59.00"))
    tokens = {
        role: Token.objects.create(user=user).key
        for role, user in (("shopper", shopper), ("writer", writer), ("operator", operator))
    }
    known = {
        "address_id": address.pk,
        "identity_id": identity.pk,
        "board_id": board.pk,
        "comment_id": comment.pk,
        "note_id": note.pk,
        "user_id": writer.pk,
        "product_id": product.pk,
        "slug": product.slug,
        "line_id": cart.lines.get().pk,
        "number": order.number,
        "reference": payment.reference,
        "sale_id": sale.pk,
        "name": topic.name,
    }
    return {"tokens": tokens, "known": known}
