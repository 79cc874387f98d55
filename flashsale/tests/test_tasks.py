"""The flash-sale tasks: each calls one service with ids. The services behind them (a referral read back
to its sale, a batch of orders expired at their deadline, the sweeps over sales) and the names they are
enqueued and scheduled by."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from flashsale import tasks
from flashsale.models import FlashSale, ReturnedUnit, sale_id_from_referral, sale_referral
from flashsale.services import materialize, sales
from flashsale.tests.factories import FlashSaleFactory
from flashsale.tests.helpers import buy, live_sale
from mall.models import Order
from mall.services.orders import order_cancel
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


def _run(task, *args):
    return task.apply(args=args).get()


def test_a_referral_names_its_sale_and_nothing_else_does():
    assert sale_referral(7) == "flashsale:7"
    assert sale_id_from_referral(sale_referral(7)) == 7
    assert [
        sale_id_from_referral(r) for r in ("note:7", "flashsale:", "flashsale:7x", "", "flashsale:-1")
    ] == [None] * 5


def test_materializing_enqueues_the_expiry_of_the_new_orders_at_their_deadline(
    django_capture_on_commit_callbacks,
):
    sale = live_sale(quota=2)
    for _ in range(2):
        buy(sale, buyer()[0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        materialize.sale_drain(sale_id=sale.pk)
    orders = list(Order.objects.filter(lines__referral=sale.referral).order_by("pk"))
    assert len(orders) == 2 and len(callbacks) == 1
    name, args, _kwargs, options = callbacks[0].args
    assert name == "flashsale.tasks.orders_expire_task"
    assert sorted(args[0]) == [o.pk for o in orders]
    assert options["eta"] == orders[0].payment_deadline


def test_orders_expire_task_cancels_only_orders_past_their_deadline():
    sale = live_sale(quota=2)
    for _ in range(2):
        buy(sale, buyer()[0])
    materialize.sale_drain(sale_id=sale.pk)
    late, on_time = Order.objects.filter(lines__referral=sale.referral).order_by("pk")
    Order.objects.filter(pk=late.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))

    assert _run(tasks.orders_expire_task, [late.pk, on_time.pk]) == 1
    assert Order.objects.get(pk=late.pk).state == Order.State.CANCELLED
    assert Order.objects.get(pk=on_time.pk).state == Order.State.PENDING_PAYMENT
    assert _run(tasks.orders_expire_task, [late.pk]) == 0  # twice changes nothing


def test_unit_return_for_order_task_gives_a_released_order_units_back_to_its_sale_once():
    sale = live_sale(quota=1)
    user = buyer()[0]
    buy(sale, user)
    materialize.sale_drain(sale_id=sale.pk)
    order = Order.objects.get(lines__referral=sale.referral)
    assert _run(tasks.unit_return_for_order_task, order.pk) is False  # still held: nothing to give back
    order_cancel(order=order, actor=user)

    assert _run(tasks.unit_return_for_order_task, order.pk) is True
    assert FlashSale.objects.get(pk=sale.pk).sold == 0
    assert ReturnedUnit.objects.filter(order=order, sale=sale).exists()
    assert _run(tasks.unit_return_for_order_task, order.pk) is False


def test_unit_return_for_an_order_no_sale_made_does_nothing():
    sale = live_sale(quota=1)
    user = buyer()[0]
    buy(sale, user)
    materialize.sale_drain(sale_id=sale.pk)
    order = Order.objects.get(lines__referral=sale.referral)
    order_cancel(order=order, actor=user)
    order.lines.update(referral="note:3")  # as if a note, not the sale, had brought the buyer

    assert _run(tasks.unit_return_for_order_task, order.pk) is False
    assert not ReturnedUnit.objects.exists() and FlashSale.objects.get(pk=sale.pk).sold == 1


def test_the_sweeps_drain_and_reconcile_every_sale_that_holds_units():
    first, second = live_sale(quota=3), live_sale(quota=3)
    FlashSaleFactory()  # a draft: no stream, nothing to reconcile
    for sale in (first, second):
        buy(sale, buyer()[0])
    assert _run(tasks.sales_drain_live_task) == 2
    assert Order.objects.filter(lines__referral__in=[first.referral, second.referral]).count() == 2
    assert _run(tasks.sales_reconcile_task) == 0
    # A published sale that drifts is rebuilt from the database; an ended one can only be reported.
    FlashSale.objects.filter(pk=first.pk).update(quota=4)
    sales.sale_end(sale=second)
    FlashSale.objects.filter(pk=second.pk).update(quota=2)  # a unit the books cannot account for
    assert _run(tasks.sales_reconcile_task) == 1


def test_every_flashsale_task_is_named_after_its_service_and_routed_to_its_queue():
    from config.celery import app

    app.loader.import_default_modules()
    names = {name for name in app.tasks if name.startswith("flashsale.tasks.")}
    assert names and all(name.endswith("_task") for name in names), names
    scheduled = {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("flashsale.")
    }
    assert scheduled <= names
    assert settings.CELERY_TASK_ROUTES["flashsale.tasks.*"] == {"queue": "flashsale"}
