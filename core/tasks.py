"""Enqueue Celery tasks only once the surrounding transaction commits, by the task's name.

Services name the task they want (``"mall.tasks.order_expire_task"``) instead of importing its module, so
a services module never imports a tasks module and the two can't form an import cycle: tasks import
services, never the other way round. Routing to a queue comes from ``CELERY_TASK_ROUTES`` by that name.
"""

from __future__ import annotations

from functools import partial

from celery import shared_task
from django.db import transaction


def _send(name: str, args: tuple, kwargs: dict, options: dict) -> None:
    from config.celery import app

    if app.conf.task_always_eager:
        # send_task never runs inline; debugging with eager tasks runs the registered task here instead.
        app.loader.import_default_modules()
        app.tasks[name].apply(args=args, kwargs=kwargs)
        return
    app.send_task(name, args=args, kwargs=kwargs, **options)


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
