"""Property: whatever sequence of receive / adjust / reserve / expire / place / pay / cancel / expire /
ship / deliver / return happens, the ledger reconciles with zero drift, allocations never exceed what is
on hand, and live holds plus allocations never exceed it either."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from core.errors import DomainError
from mall.models import Order, Reservation, StockRecord
from mall.services import checkout, orders, stock
from mall.services.orders import order_transition
from mall.tests.factories import ProductFactory, SkuFactory, WarehouseFactory, buyer, cart_with, stock_give

pytestmark = pytest.mark.django_db


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        product = ProductFactory(is_cross_border=False)
        self.sku = SkuFactory(product=product)
        self.warehouse = WarehouseFactory()
        self.record = stock_give(sku=self.sku, warehouse=self.warehouse, quantity=3)
        self.buyers = [buyer() for _ in range(3)]
        self.tokens: dict[int, str] = {}
        self.keys = 0

    def _order(self, state):
        return Order.objects.filter(state=state, lines__sku=self.sku).order_by("?").first()

    @rule(n=st.integers(1, 5))
    def receive(self, n):
        stock_give(sku=self.sku, warehouse=self.warehouse, quantity=n)

    @rule(delta=st.integers(-4, 4).filter(bool))
    def adjust(self, delta):
        # Going below what is allocated or held is refused and changes nothing.
        with contextlib.suppress(DomainError):
            stock.stock_adjust(record=self.record, delta=delta, reason="cycle count", actor=None)

    @rule(who=st.integers(0, 2), quantity=st.integers(1, 3))
    def reserve(self, who, quantity):
        user = self.buyers[who][0]
        cart = cart_with(user=user, sku=self.sku, quantity=quantity)
        try:
            summary = checkout.checkout_reserve(user=user, cart=cart, token=self.tokens.get(who))
        except DomainError:
            return
        self.tokens[who] = summary.token

    @rule()
    def holds_expire(self):
        Reservation.objects.update(reserved_until=timezone.now() - timedelta(seconds=1))
        checkout.reservations_delete_expired()

    @rule(who=st.integers(0, 2))
    def place(self, who):
        user, address, identity = self.buyers[who]
        if who not in self.tokens:
            return
        cart = cart_with(user=user, sku=self.sku, quantity=1)
        self.keys += 1
        with contextlib.suppress(DomainError):  # sold out meanwhile: refused, nothing reserved
            checkout.order_place(
                user=user, cart=cart, token=self.tokens.pop(who), address=address, identity=identity,
                idempotency_key=f"k{self.keys}",
            )  # fmt: skip

    @rule()
    def pay(self):
        order = self._order(Order.State.PENDING_PAYMENT)
        if order:
            from django.db import transaction

            with transaction.atomic():
                order_transition(order=order, to_state=Order.State.PAID)

    @rule()
    def cancel(self):
        order = self._order(Order.State.PENDING_PAYMENT)
        if order:
            orders.order_cancel(order=order)

    @rule()
    def payment_deadline_passes(self):
        order = self._order(Order.State.PENDING_PAYMENT)
        if order:
            Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))
            assert orders.order_expire(order_id=order.pk)

    @rule()
    def ship(self):
        order = self._order(Order.State.PAID)
        if order:
            orders.order_ship(order=order, tracking_number="SF123456")

    @rule()
    def deliver_and_return(self):
        order = self._order(Order.State.SHIPPED)
        if order:
            orders.order_confirm_delivery(order=order)
            order.refresh_from_db()
            orders.order_request_return(order=order, reason="changed my mind")
            order.refresh_from_db()
            orders.order_receive_return(order=order)

    @invariant()
    def books_balance(self):
        assert stock.stock_reconcile() == []
        record = StockRecord.objects.get(pk=self.record.pk)
        assert 0 <= record.allocated <= record.on_hand
        held = (
            Reservation.objects.filter(stock_record=record, reserved_until__gt=timezone.now()).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )
        assert record.allocated + held <= record.on_hand
        live = (
            Order.objects.filter(
                lines__sku=self.sku,
                state__in=[Order.State.PENDING_PAYMENT, Order.State.PAID],
            ).aggregate(n=Sum("lines__quantity"))["n"]
            or 0
        )
        assert record.allocated == live


def test_the_ledger_reconciles_after_any_sequence_of_operations(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        machine = LedgerMachine.TestCase
        machine.settings = settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        machine().runTest()
