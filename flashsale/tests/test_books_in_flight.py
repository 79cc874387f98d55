"""A unit caught moving is counted once: the books (sale_figures) and the rebuild (sale_warm) read Redis and
PostgreSQL at two moments, and the soak's worker kill showed a drift of -1 for minutes when orders expired
in bursts while beat's reconcile read them. Real Redis and PostgreSQL, other work committed on other
connections between the two reads (docs/architecture.md, "The invariant: never oversold, never
double-counted")."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from flashsale import keys
from flashsale.models import ReturnedUnit
from flashsale.selectors import figures as figures_selectors
from flashsale.selectors.figures import sale_figures
from flashsale.services import admission, materialize, sales
from flashsale.tests.helpers import buy, live_sale
from mall.models import Order
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db(transaction=True)


def _orders(sale, count: int) -> list[Order]:
    for _ in range(count):
        user, *_ = buyer()
        assert buy(sale, user).status == admission.ADMITTED
    materialize.sale_drain(sale_id=sale.pk)
    return list(Order.objects.filter(lines__referral=sale.referral).order_by("pk"))


def _release(order: Order) -> None:
    """What an expiry commits (the order gives its unit up); the unit return is a task that runs later."""
    Order.objects.filter(pk=order.pk).update(state=Order.State.CANCELLED, updated_at=timezone.now())


def _elsewhere(work) -> None:
    """Run ``work`` on another database connection (another process would) and wait for its commit."""

    def run():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def _between_the_reads(monkeypatch, work) -> None:
    """Do ``work`` once, after the books read Redis and before they read the database."""
    real = figures_selectors.redis_side
    done = []

    def read_then_work(*, sale_id):
        side = real(sale_id=sale_id)
        if not done:
            done.append(True)
            work()
        return side

    monkeypatch.setattr(figures_selectors, "redis_side", read_then_work)


def test_a_unit_returned_between_the_two_reads_is_counted_once(monkeypatch):
    sale = live_sale(quota=5)
    (order,) = _orders(sale, 1)
    _release(order)

    # Redis read: the unit is not back. Then the return commits and reaches Redis. Then the database read:
    # the order is released and marked. Before, it counted in neither side's "returning" (drift +1) or,
    # read in the other order, in both (drift -1).
    _between_the_reads(monkeypatch, lambda: sales.unit_return(sale_id=sale.pk, order_id=order.pk))
    figures = sale_figures(sale=sale)
    assert (figures.redis_stock, figures.live_orders, figures.returning, figures.drift) == (4, 0, 1, 0)
    assert sale_figures(sale=sale).redis_stock == 5  # and once it is back, it is Redis's


def test_an_order_expiring_between_the_two_reads_is_counted_once(monkeypatch):
    sale = live_sale(quota=5)
    (order,) = _orders(sale, 1)

    def expire_and_return():
        _release(order)
        sales.unit_return(sale_id=sale.pk, order_id=order.pk)

    _between_the_reads(monkeypatch, expire_and_return)
    figures = sale_figures(sale=sale)
    assert (figures.redis_stock, figures.live_orders, figures.returning, figures.drift) == (4, 0, 1, 0)


@pytest.mark.parametrize("acknowledged", [False, True])
def test_an_admission_materialised_between_the_two_reads_is_counted_once(monkeypatch, acknowledged, settings):
    sale = live_sale(quota=5)
    user, *_ = buyer()
    assert buy(sale, user).status == admission.ADMITTED
    if not acknowledged:
        # The materialiser committed and died before its XACK: the entry stays pending.
        monkeypatch.setattr(materialize, "_acknowledge", lambda *a, **k: None)
    _between_the_reads(monkeypatch, lambda: materialize.sale_drain(sale_id=sale.pk))
    figures = sale_figures(sale=sale)
    assert (figures.redis_stock, figures.waiting, figures.live_orders, figures.drift) == (4, 0, 1, 0)


def test_reconcile_during_a_burst_of_expiries_finds_no_drift(caplog):
    """The soak's finding, as it happened: the killed worker's per-order expiry tasks come back late, so
    the every-minute sweeper expires dozens of orders at once, each followed by its unit return, while
    beat's reconcile reads the books. Every reading balances, and nothing is frozen or rebuilt."""
    sale = live_sale(quota=60)
    orders = _orders(sale, 40)
    stop = threading.Event()

    def expire_all():
        try:
            for order in orders:
                _release(order)
                sales.unit_return(sale_id=sale.pk, order_id=order.pk)
        finally:
            stop.set()
            connection.close()

    drifts = []
    thread = threading.Thread(target=expire_all)
    with caplog.at_level("ERROR", logger="flashsale.services.sales"):
        thread.start()
        while not stop.is_set():
            drifts.append(sales.sale_reconcile(sale=sale).drift)
        thread.join()
    drifts.append(sales.sale_reconcile(sale=sale).drift)
    sale.refresh_from_db()
    assert len(drifts) >= 2 and set(drifts) == {0}
    assert (caplog.records, sale.frozen, sale.sold) == ([], False, 0)
    assert sale_figures(sale=sale).redis_stock == 60


def test_a_rebuild_counts_released_units_once_and_their_late_return_adds_nothing(redis_conn):
    sale = live_sale(quota=5)
    first, second = _orders(sale, 2)
    _release(first)  # its unit return has not run
    sales.sale_freeze(sale=sale)
    sales.sale_resume(sale=sale)
    figures = sale_figures(sale=sale)
    assert (figures.redis_stock, figures.returning, figures.drift) == (4, 0, 0)
    assert redis_conn.hget(keys.users(sale.pk), str(first.user_id)) is None  # its buyer may buy again
    assert sales.unit_return(sale_id=sale.pk, order_id=first.pk) is True  # the database's side, once
    assert int(redis_conn.get(keys.stock(sale.pk))) == 4  # Redis had it already
    assert sale_figures(sale=sale).drift == 0
    assert FlashSaleSold(sale) == 1


def FlashSaleSold(sale) -> int:  # noqa: N802 - reads like the column it returns
    sale.refresh_from_db()
    return sale.sold


def test_a_unit_returned_while_the_rebuild_reads_the_database_is_kept(monkeypatch, redis_conn):
    """release.lua runs after the rebuild's database snapshot and before load.lua: load.lua keeps it."""
    sale = live_sale(quota=5)
    (order,) = _orders(sale, 1)
    _release(order)
    real = sales.still_waiting
    ran = []

    def snapshot_then_return(waiting):
        if not ran:
            ran.append(True)
            _elsewhere(lambda: sales.unit_return(sale_id=sale.pk, order_id=order.pk))
        return real(waiting)

    monkeypatch.setattr(sales, "still_waiting", snapshot_then_return)
    sales.sale_freeze(sale=sale)
    sales.sale_resume(sale=sale)
    figures = sale_figures(sale=sale)
    assert (figures.redis_stock, figures.returning, figures.drift) == (5, 0, 0)
    assert redis_conn.hget(keys.users(sale.pk), str(order.user_id)) is None


def test_a_lost_unit_return_is_done_by_reconcile_once_the_grace_passed(redis_conn):
    """A worker killed between an expiry's commit and the send of its unit return: the order is cancelled
    and its unit would never come back to the sale. Reconcile gives it back, once."""
    sale = live_sale(quota=5)
    (order,) = _orders(sale, 1)
    _release(order)
    sales.sale_reconcile(sale=sale)
    assert not ReturnedUnit.objects.exists()  # within the grace the task is trusted to come
    with time_machine.travel(timezone.now() + sales.RETURN_GRACE + timedelta(seconds=1)):
        figures = sales.sale_reconcile(sale=sale)
        sales.sale_reconcile(sale=sale)
    assert (figures.redis_stock, figures.returning, figures.drift) == (5, 0, 0)
    assert ReturnedUnit.objects.filter(order=order, to_warehouse=False).count() == 1
    sale.refresh_from_db()
    assert sale.sold == 0 and int(redis_conn.get(keys.stock(sale.pk))) == 5
    assert sales.unit_return(sale_id=sale.pk, order_id=order.pk) is False  # the late task: nothing
