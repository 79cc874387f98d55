"""Enqueue Celery tasks only once the surrounding transaction commits, by the task's name.

Services name the task they want (``"mall.tasks.order_expire_task"``) instead of importing its module, so
a services module never imports a tasks module and the two can't form an import cycle: tasks import
services, never the other way round. Routing to a queue comes from ``CELERY_TASK_ROUTES`` by that name.

When the broker is down the work is already committed (an order placed, a payment recorded), so a failed
send must neither fail the request nor lose the task: it is parked in ``core.models.ParkedTask`` and
``parked_tasks_relay_task`` (every 30 s by beat) sends it once the broker answers (docs/architecture.md,
"When the broker is down"). Sending gives up quickly (``CELERY_TASK_PUBLISH_RETRY_POLICY``).

A task scheduled further ahead than ``CELERY_ETA_HORIZON`` (a reminder for a sale days away, an order's
payment deadline) is parked the same way with ``send_after`` set, and the relay sends it once its eta is
that close: a worker holding a scheduled message longer than the broker's visibility timeout would see it
handed out again, once per timeout ("Celery: worker, queues and beat").
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

import redis.exceptions
from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
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


def _send_after(options: dict) -> datetime | None:
    """When a task scheduled beyond the horizon may go to the broker (None: now)."""
    eta = options.get("eta")
    if eta is None and options.get("countdown") is not None:
        eta = timezone.now() + timedelta(seconds=options["countdown"])
    horizon = timedelta(seconds=settings.CELERY_ETA_HORIZON)
    if eta is None or eta - timezone.now() <= horizon:
        return None
    return eta - horizon


def _park(name: str, args: tuple, kwargs: dict, options: dict, error: Exception | None) -> None:
    from core.models import ParkedTask

    send_after = _send_after(options)
    if send_after is not None and "countdown" in options:
        options = {"eta": send_after + timedelta(seconds=settings.CELERY_ETA_HORIZON)}
    try:
        ParkedTask.objects.create(
            name=name,
            args=list(args),
            kwargs=kwargs,
            options=_options_out(options),
            send_after=send_after,
            last_error=repr(error)[:300] if error else "",
        )
    except DatabaseError:
        logger.exception("task %s lost: the broker and the database both refused it", name)
        return
    if error is not None:
        logger.warning("broker unreachable, task %s parked for the relay: %r", name, error)


def _send(name: str, args: tuple, kwargs: dict, options: dict) -> None:
    from config.celery import app

    if app.conf.task_always_eager:
        # send_task never runs inline; debugging with eager tasks runs the registered task here instead.
        app.loader.import_default_modules()
        app.tasks[name].apply(args=args, kwargs=kwargs)
        return
    if _send_after(options) is not None:
        _park(name, args, kwargs, options, None)  # the relay sends it when its eta is near
        return
    try:
        app.send_task(name, args=args, kwargs=kwargs, **options)
    except BROKER_ERRORS as error:
        _park(name, args, kwargs, options, error)


def parked_tasks_relay(*, batch: int = RELAY_BATCH) -> int:
    """Send the parked tasks that are due (``send_after`` passed or none), oldest first, deleting each one
    sent; stop at the first refusal (the broker is still down). Rows are claimed with SKIP LOCKED, so two
    relays never send one twice. Returns how many were sent."""
    from config.celery import app
    from core.models import ParkedTask

    sent = 0
    due = Q(send_after__isnull=True) | Q(send_after__lte=timezone.now())
    with transaction.atomic():
        for parked in (
            ParkedTask.objects.select_for_update(skip_locked=True).filter(due).order_by("id")[:batch]
        ):
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
