"""The mall's and accounts' tasks: each is named after the one service it calls and only calls it."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from celery import Task
from django.utils import timezone

import accounts.tasks
import mall.tasks
from mall.models import Order
from tests.support.orders import placed_order


@pytest.mark.parametrize("module", [mall.tasks, accounts.tasks], ids=lambda m: m.__name__)
def test_every_task_is_named_after_the_service_it_calls(module):
    tasks = {name: value for name, value in vars(module).items() if isinstance(value, Task)}
    assert tasks, module
    for name, task in tasks.items():
        assert name.endswith("_task"), name
        service = name.removesuffix("_task")
        assert callable(getattr(module, service, None)), f"{name} does not call a service named {service}"
        assert f"{service}(" in inspect.getsource(task.run), f"{name} does not call {service}"
        assert task.name == f"{module.__name__}.{name}"


@pytest.mark.clocks
@pytest.mark.django_db
def test_the_expiry_task_cancels_an_unpaid_order_past_its_deadline_and_leaves_a_paid_one_alone():
    overdue, _record = placed_order()
    Order.objects.filter(pk=overdue.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))
    on_time, _record = placed_order()

    mall.tasks.order_expire_task(overdue.pk)
    mall.tasks.order_expire_task(on_time.pk)
    mall.tasks.order_expire_task(overdue.pk)  # delivered twice: nothing more happens

    assert Order.objects.get(pk=overdue.pk).state == Order.State.CANCELLED
    assert Order.objects.get(pk=on_time.pk).state == Order.State.PENDING_PAYMENT
    assert Order.objects.get(pk=overdue.pk).events.filter(to_state=Order.State.CANCELLED).count() == 1
