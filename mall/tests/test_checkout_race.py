"""Real threads against real PostgreSQL: checkout never sells more than there is."""

import pytest

from core.errors import DomainError
from mall.models import Order, Reservation, StockRecord
from mall.services import checkout, stock
from mall.tests.factories import SkuFactory, buyer, cart_with, stock_give
from tests.support.concurrency import call_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_sixty_buyers_racing_for_twenty_units_make_twenty_orders():
    sku = SkuFactory()
    record = stock_give(sku=sku, quantity=20)
    buyers = [buyer(i) for i in range(60)]
    carts = [cart_with(user=u, sku=sku, quantity=1) for u, _a, _i in buyers]

    def purchase(index):
        user, address, identity = buyers[index]
        summary = checkout.checkout_reserve(user=user, cart=carts[index])
        return checkout.order_place(
            user=user, cart=carts[index], token=summary.token, address=address, identity=identity,
            idempotency_key=f"key-{index}",
        )  # fmt: skip

    results = call_concurrently([lambda i=i: purchase(i) for i in range(60)], expected=DomainError)
    orders = [r.order for r in results if isinstance(r, checkout.PlacedOrder)]
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(orders) == 20
    assert len(refusals) == 40, [r for r in results if not isinstance(r, (checkout.PlacedOrder, DomainError))]
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (20, 20)
    assert Order.objects.count() == 20
    assert stock.stock_reconcile() == []


def test_reservations_and_allocations_never_exceed_on_hand():
    sku = SkuFactory()
    record = stock_give(sku=sku, quantity=10)
    buyers = [buyer(i) for i in range(25)]
    carts = [cart_with(user=u, sku=sku, quantity=1) for u, _a, _i in buyers]
    results = call_concurrently(
        [lambda i=i: checkout.checkout_reserve(user=buyers[i][0], cart=carts[i]) for i in range(25)]
    )
    held = sum(1 for r in results if isinstance(r, checkout.CheckoutSummary) and r.lines)
    assert held == 10
    assert sum(Reservation.objects.values_list("quantity", flat=True)) == 10
    record.refresh_from_db()
    assert record.allocated == 0 and record.on_hand == 10


def test_the_same_checkout_submitted_twenty_times_makes_one_order():
    sku = SkuFactory()
    stock_give(sku=sku, quantity=5)
    user, address, identity = buyer()
    cart = cart_with(user=user, sku=sku, quantity=2)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    results = call_concurrently(
        [
            lambda: checkout.order_place(
                user=user,
                cart=cart,
                token=summary.token,
                address=address,
                identity=identity,
                idempotency_key="same",
            )
            for _ in range(20)
        ]
    )
    placed = [r for r in results if isinstance(r, checkout.PlacedOrder)]
    assert len(placed) == 20, results
    assert len({p.order.pk for p in placed}) == 1
    # exactly one call placed it; every other one says it replayed the key (no second payment starts)
    assert sum(not p.replayed for p in placed) == 1
    assert StockRecord.objects.get(sku=sku).allocated == 2
