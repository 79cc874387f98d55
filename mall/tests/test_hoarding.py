"""Nobody holds stock they will not buy. The attacker opens checkout after checkout, and places order after
order without paying, to keep a product (or a stranger's customs quota) from everyone else."""

from __future__ import annotations

import secrets

import pytest
from django.db.models import Sum

from accounts.idnumbers import id_number_hash
from accounts.services import identity_add, identity_delete
from accounts.tests.factories import AddressFactory, CustomsIdentityFactory, UserFactory
from core.errors import Conflict, DomainError
from mall.models import Order, Reservation
from mall.services import checkout
from mall.services.orders import order_cancel
from mall.tests.factories import SkuFactory, buyer, cart_with, stock_give
from tests.support.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


def place(user, sku, *, address, identity, quantity=1):
    cart = cart_with(user=user, sku=sku, quantity=quantity)
    summary = checkout.checkout_reserve(user=user, cart=cart, identity=identity)
    return checkout.order_place(
        user=user, cart=cart, token=summary.token, address=address, identity=identity,
        idempotency_key=secrets.token_hex(8),
    ).order  # fmt: skip


def test_reserving_again_and_again_holds_one_cart_not_the_whole_stock():
    sku = SkuFactory(product__is_cross_border=False)
    stock_give(sku=sku, quantity=10)
    attacker, victim = buyer()[0], buyer()[0]
    attacker_cart = cart_with(user=attacker, sku=sku, quantity=5)

    for _ in range(4):  # four tabs, four devices, or a script
        checkout.checkout_reserve(user=attacker, cart=attacker_cart)

    held = Reservation.objects.filter(user=attacker).aggregate(n=Sum("quantity"))["n"]
    assert held == 5
    victim_summary = checkout.checkout_reserve(user=victim, cart=cart_with(user=victim, sku=sku, quantity=5))
    assert victim_summary.problems == [] and len(victim_summary.lines) == 1


def test_unpaid_orders_per_account_are_capped_and_the_stock_stays_for_others(settings):
    settings.UNPAID_ORDERS_PER_ACCOUNT = 3
    sku = SkuFactory(product__is_cross_border=False)
    record = stock_give(sku=sku, quantity=5)
    attacker, address, _identity = buyer()
    orders = [place(attacker, sku, address=address, identity=None) for _ in range(3)]

    with pytest.raises(Conflict, match="waiting for payment") as refused:
        place(attacker, sku, address=address, identity=None)

    assert refused.value.code == "too_many_unpaid"
    record.refresh_from_db()
    assert record.allocated == 3  # the refused order took nothing
    assert Order.objects.filter(user=attacker).count() == 3
    victim, victim_address, _ = buyer()
    assert place(victim, sku, address=victim_address, identity=None).state == Order.State.PENDING_PAYMENT
    # Paying or cancelling one frees a place.
    order_cancel(order=orders[0], actor=attacker)
    assert place(attacker, sku, address=address, identity=None).state == Order.State.PENDING_PAYMENT


def test_unpaid_cross_border_orders_per_identity_are_capped_whichever_account_places_them(settings):
    # A number is verified on one account at a time, but it can move: removed from one account, verified on
    # another. The orders it left unpaid still count against it there.
    settings.UNPAID_ORDERS_PER_ACCOUNT = 10
    settings.UNPAID_ORDERS_PER_IDENTITY = 2
    sku = SkuFactory(product__is_cross_border=True)
    stock_give(sku=sku, quantity=10)
    first, second = UserFactory(), UserFactory()
    addresses = [AddressFactory(user=u, is_default=True) for u in (first, second)]
    identity = CustomsIdentityFactory(user=first)
    number = identity.id_number

    for _ in range(2):
        place(first, sku, address=addresses[0], identity=identity)
    identity_delete(identity=identity)
    moved = identity_add(user=second, real_name="张三", id_number=number)
    with pytest.raises(Conflict, match="customs identity"):
        place(second, sku, address=addresses[1], identity=moved)

    assert Order.objects.filter(buyer_id_hash=id_number_hash(number)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_placements_at_once_cannot_both_pass_the_cap(settings):
    settings.UNPAID_ORDERS_PER_ACCOUNT = 1
    sku = SkuFactory(product__is_cross_border=False)
    stock_give(sku=sku, quantity=5)
    user, address, _ = buyer()
    cart = cart_with(user=user, sku=sku, quantity=1)
    tokens = [checkout.checkout_reserve(user=user, cart=cart).token for _ in range(4)]

    def attempt(token):
        return checkout.order_place(
            user=user, cart=cart, token=token, address=address, identity=None,
            idempotency_key=secrets.token_hex(8),
        )  # fmt: skip

    results = run_concurrently(attempt, tokens, expected=DomainError)

    placed = [r for r in results if not isinstance(r, DomainError)]
    assert len(placed) == 1
    assert all(r.code in ("too_many_unpaid", "invalid") for r in results if isinstance(r, DomainError))
    assert Order.objects.filter(user=user, state=Order.State.PENDING_PAYMENT).count() == 1
