"""Enqueue Celery tasks only once the surrounding transaction commits, by the task's name.

Services name the task they want (``"mall.tasks.order_expire_task"``) instead of importing its module, so
a services module never imports a tasks module and the two can't form an import cycle: tasks import
services, never the other way round. Routing to a queue comes from ``CELERY_TASK_ROUTES`` by that name.

When the broker is down the work is already committed (an order placed, a payment recorded), so a failed
send must neither fail the request nor lose the task: it is parked in ``core.models.ParkedTask`` and
``parked_tasks_relay_task`` (every 30 s by beat) sends it once the broker answers (docs/architecture.md,
"When the broker is down"). Sending gives up quickly (``CELERY_TASK_PUBLISH_RETRY_POLICY``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

import redis.exceptions
from celery import shared_task
from django.db import DatabaseError, transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# What a send raises when the broker cannot be reached.
BROKER_ERRORS = (KombuError, OSError, redis.exceptions.RedisError)
RELAY_BATCH = 500


def _options_out(options: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in options.items()}


def _options_in(options: dict) -> dict:
    return {
        k: (datetime.fromisoformat(v) if k == "eta" and isinstance(v, str) else v) for k, v in options.items()
    }


def _park(name: str, args: tuple, kwargs: dict, options: dict, error: Exception) -> None:
    from core.models import ParkedTask

    try:
        ParkedTask.objects.create(
            name=name,
            args=list(args),
            kwargs=kwargs,
            options=_options_out(options),
            last_error=repr(error)[:300],
        )
    except DatabaseError:
        logger.exception("task %s lost: the broker and the database both refused it", name)
        return
    logger.warning("broker unreachable, task %s parked for the relay: %r", name, error)


def _send(name: str, args: tuple, kwargs: dict, options: dict) -> None:
    from config.celery import app

    if app.conf.task_always_eager:
        # send_task never runs inline; debugging with eager tasks runs the registered task here instead.
        app.loader.import_default_modules()
        app.tasks[name].apply(args=args, kwargs=kwargs)
        return
    try:
        app.send_task(name, args=args, kwargs=kwargs, **options)
    except BROKER_ERRORS as error:
        _park(name, args, kwargs, options, error)


def parked_tasks_relay(*, batch: int = RELAY_BATCH) -> int:
    """Send the parked tasks, oldest first, deleting each one sent; stop at the first refusal (the
    broker is still down). Rows are claimed with SKIP LOCKED, so two relays never send one twice.
    Returns how many were sent."""
    from config.celery import app
    from core.models import ParkedTask

    sent = 0
    with transaction.atomic():
        for parked in ParkedTask.objects.select_for_update(skip_locked=True).order_by("id")[:batch]:
            try:
                app.send_task(
                    parked.name, args=parked.args, kwargs=parked.kwargs, **_options_in(parked.options)
                )
            except BROKER_ERRORS as error:
                ParkedTask.objects.filter(pk=parked.pk).update(
                    attempts=parked.attempts + 1, last_error=repr(error)[:300]
                )
                break
            parked.delete()
            sent += 1
    if sent:
        logger.info("relayed %s parked tasks", sent)
    return sent


@shared_task(name="core.tasks.parked_tasks_relay_task", ignore_result=True)
def parked_tasks_relay_task() -> int:
    return parked_tasks_relay()


def enqueue_on_commit(name: str, *args, using: str | None = None, eta=None, countdown=None, **kwargs) -> None:
    """Send the task called ``name`` after the current transaction commits; never if it rolls back.

    Outside a transaction the task is sent at once. Tasks take ids, not objects, so the worker reads
    the committed rows. ``eta``/``countdown`` schedule it for later. Every name passed here is checked
    against the registered tasks by ``core/tests/test_tasks.py``.
    """
    if not isinstance(name, str):
        raise TypeError(f"enqueue_on_commit takes a task's name, not {type(name).__name__}")
    options = {k: v for k, v in {"eta": eta, "countdown": countdown}.items() if v is not None}
    transaction.on_commit(partial(_send, name, args, kwargs, options), using=using)


@shared_task(ignore_result=True)
def beat_heartbeat_task() -> None:
    """Scheduled every minute by beat: /readyz reads the time it writes (core/health.py)."""
    from core.health import beat_heartbeat_write

    beat_heartbeat_write()
