"""A task scheduled further ahead than CELERY_ETA_HORIZON waits in the database (ParkedTask.send_after)
and the relay sends it when its eta is that close: a worker holding a scheduled message longer than the
broker's visibility timeout would see it handed out again, once per timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import ParkedTask
from core.tasks import enqueue_on_commit, parked_tasks_relay

pytestmark = pytest.mark.django_db


def test_the_horizon_is_inside_the_visibility_timeout_and_outlasts_no_task(settings):
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > settings.CELERY_ETA_HORIZON
    assert timeout > settings.CELERY_TASK_TIME_LIMIT
    assert timeout <= 900  # a dead worker's task comes back within minutes, not an hour


def test_a_task_far_ahead_waits_in_the_database_then_goes_with_its_eta(
    settings, published, django_capture_on_commit_callbacks
):
    settings.CELERY_ETA_HORIZON = 300
    eta = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("flashsale.tasks.reminder_send_task", 7, eta=eta)
    parked = ParkedTask.objects.get()
    assert (parked.send_after, parked.last_error) == (eta - timedelta(seconds=300), "")
    assert published.named("flashsale.tasks.reminder_send_task") == []

    assert parked_tasks_relay() == 0  # not due: stays
    with time_machine.travel(eta - timedelta(seconds=299)):
        assert parked_tasks_relay() == 1
    assert published.named("flashsale.tasks.reminder_send_task") == [(7,)]
    assert not ParkedTask.objects.exists()


def test_a_task_within_the_horizon_goes_to_the_broker_at_once(
    settings, published, django_capture_on_commit_callbacks
):
    settings.CELERY_ETA_HORIZON = 300
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("mall.tasks.order_expire_task", 5, countdown=60)
        enqueue_on_commit("mall.tasks.order_expire_task", 6, eta=timezone.now() + timedelta(seconds=299))
    assert published.named("mall.tasks.order_expire_task") == [(5,), (6,)]
    assert not ParkedTask.objects.exists()


def test_a_countdown_far_ahead_is_kept_as_an_eta(settings, django_capture_on_commit_callbacks):
    settings.CELERY_ETA_HORIZON = 300
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("mall.tasks.order_expire_task", 5, countdown=1800)
    parked = ParkedTask.objects.get()
    assert set(parked.options) == {"eta"}
    assert before + timedelta(seconds=1500) <= parked.send_after <= timezone.now() + timedelta(seconds=1500)
