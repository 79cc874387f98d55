"""The Celery broker down while shoppers check out and pay: the order and the payment are committed,
the request answers as usual, and the tasks they set off (the order's expiry, its customs declaration)
are parked in the database and delivered once the broker answers again, each once."""

from __future__ import annotations

import pytest

from core.models import ParkedTask
from core.tasks import parked_tasks_relay
from mall.models import Order
from mall.services.payments import payment_create
from tests.support.orders import place_order
from tests.support.webhooks import event_for, post_webhook, signed

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _expiry_within_the_horizon(settings):
    """The order's expiry (its payment deadline, 30 minutes ahead) goes to the broker at once here, as a
    task within CELERY_ETA_HORIZON would: these tests are about a refused send (core/tests/test_eta_horizon.py
    is about the horizon)."""
    settings.CELERY_ETA_HORIZON = 3600


@pytest.fixture
def broker_down():
    """The Celery app's broker pointed at a port where nothing listens, until ``up()`` is called."""
    from config.celery import app

    saved = (app.conf.broker_url, app._pool, app.amqp._producer_pool)

    class Switch:
        def up(self) -> None:
            app.conf.broker_url, app._pool, app.amqp._producer_pool = saved

    app.conf.broker_url, app._pool, app.amqp._producer_pool = DEAD_BROKER, None, None
    switch = Switch()
    yield switch
    if app.conf.broker_url == DEAD_BROKER:
        switch.up()


@pytest.fixture
def delivered():
    """Every task message the broker took (``after_task_publish``: a refused send is not in it)."""
    from celery.signals import after_task_publish

    from tests.support.tasks import PublishedTasks

    tracker = PublishedTasks()
    after_task_publish.connect(tracker, weak=False)
    yield tracker
    after_task_publish.disconnect(tracker)


def _parked() -> list[tuple[str, list]]:
    return list(ParkedTask.objects.order_by("id").values_list("name", "args"))


def test_an_order_placed_while_the_broker_is_down_keeps_its_expiry_task(
    broker_down, django_capture_on_commit_callbacks, delivered
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order()

    assert Order.objects.filter(pk=order.pk, state=Order.State.PENDING_PAYMENT).exists()
    assert _parked() == [("mall.tasks.order_expire_task", [order.pk])]
    parked = ParkedTask.objects.get()
    assert parked.options["eta"].startswith(order.payment_deadline.isoformat()[:16])
    assert delivered.named("mall.tasks.order_expire_task") == []

    broker_down.up()
    assert parked_tasks_relay() == 1
    assert ParkedTask.objects.count() == 0
    assert delivered.named("mall.tasks.order_expire_task") == [(order.pk,)]
    assert parked_tasks_relay() == 0  # sent once, not again


def test_a_payment_webhook_while_the_broker_is_down_is_answered_and_its_declaration_follows(
    broker_down, client, django_capture_on_commit_callbacks, delivered
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order()
        payment = payment_create(order=order, user=order.user)
        response = post_webhook(client, *signed(event_for(payment)))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == Order.State.PAID
    assert ("mall.tasks.order_declare_task", [order.pk]) in _parked()

    broker_down.up()
    parked_tasks_relay()
    assert ParkedTask.objects.count() == 0
    assert delivered.named("mall.tasks.order_declare_task") == [(order.pk,)]


def test_a_relay_while_the_broker_is_still_down_keeps_every_task_and_sends_none_twice(
    broker_down, django_capture_on_commit_callbacks, delivered
):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = place_order(), place_order()

    assert parked_tasks_relay() == 0
    assert parked_tasks_relay() == 0
    assert [p.attempts for p in ParkedTask.objects.order_by("id")] == [2, 0]  # it stops at the first refusal

    broker_down.up()
    assert parked_tasks_relay() == 2
    assert delivered.named("mall.tasks.order_expire_task") == [(first.pk,), (second.pk,)]
